/**
 * Teams routes for the notetaker-consent checklist, the DPIA checklist and the AI tool register.
 * All decisions are made by the services in src/checklists and src/registers; this file only turns
 * activities into plain inputs and outcomes into cards and proactive messages.
 */
import * as fs from 'node:fs';
import { CardFactory, MessageFactory, type TurnContext } from 'botbuilder';
import type { AdaptiveCard } from '@microsoft/teams-ai';
import { parseTrustRules, type TrustRules } from '../checklists/trust-rules';
import { ConfiguredDpoDirectory } from '../checklists/people';
import {
  MessengerNoticePoster,
  NotetakerService,
  type NotetakerState,
} from '../checklists/notetaker-service';
import { DpiaService, type DpiaState } from '../checklists/dpia-service';
import type { Actor } from '../checklists/engine';
import { parseToolRegisterSeed, ToolRegister } from '../registers/tool-register';
import { parseToolQuestion, ToolQuestionService } from '../registers/tool-questions';
import type { ConversationAddress, OutgoingMessage } from '../shared/messaging';
import type { CapabilityContext, CapabilityParts } from './capability';
import { addressOf } from './messenger';
import {
  completedCard,
  consentRecordsCard,
  meetingNoticeCard,
  notetakerStepCard,
  notetakerVerbs,
  stoppedCard,
} from './cards/checklist-notetaker';
import { dpiaStepCard, dpiaSubmittedCard, dpiaVerbs, dpoCard } from './cards/dpia-cards';
import { adaptiveCard, paragraph } from './cards/common';

export const checklistCommands = {
  notetaker: /^\s*notetaker consent\s*$/i,
  consentRecords: /^\s*my consent records\s*$/i,
  startDpia: /^\s*start a dpia(?:\s+for\s+(.{1,100}?))?\s*$/i,
  resumeDpia: /^\s*(?:resume|continue) (?:my )?dpia\s*$/i,
};

export function actorOf(context: TurnContext): Actor {
  const from = context.activity.from;
  return {
    id: from.aadObjectId ?? from.id,
    name: (from.name ?? 'Someone').slice(0, 200),
    aadObjectId: from.aadObjectId,
  };
}

function cardMessage(card: Record<string, unknown>, summary?: string): OutgoingMessage {
  return { card, summary };
}

async function sendCard(context: TurnContext, card: Record<string, unknown>): Promise<void> {
  await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
}

/** Our cards are plain JSON; teams-ai types the Universal Action reply more narrowly. */
function asTeamsCard(card: Record<string, unknown>): AdaptiveCard {
  return card as unknown as AdaptiveCard;
}

function loadRules(path: string): TrustRules {
  return parseTrustRules(fs.readFileSync(path, 'utf8'), path);
}

export function createChecklistCapability(context: CapabilityContext): CapabilityParts {
  const { config, clock, ids, records, messenger, directory, logger } = context;
  const rules = loadRules(config.trustRulesPath);
  const register = new ToolRegister(records, clock);
  const dpoDirectory = new ConfiguredDpoDirectory(config.people.dpoMembers);
  const notetaker = new NotetakerService({
    store: records,
    register,
    rules,
    clock,
    ids,
    dpoDirectory,
    logger,
    noticePoster: new MessengerNoticePoster(messenger, (notice) =>
      cardMessage(meetingNoticeCard(notice), 'AI notetaker notice'),
    ),
  });
  const dpia = new DpiaService({ store: records, register, rules, clock, ids, dpoDirectory, logger });
  const toolQuestions = new ToolQuestionService({
    register,
    answerer: context.answerer,
    clock,
    route: rules.dpia.route,
    routeCitation: rules.citations[rules.dpia.routeRuleId],
    dpiaCitation: rules.citations[rules.dpia.requiredRuleId],
  });

  const tellOrganiser = async (state: NotetakerState, text: string) => {
    const address = state.data.organiserAddress ?? (await directory.person(state.ownerId));
    if (!address) return;
    await messenger.send(address, { text, card: notetakerStepCard(state, rules), summary: text });
  };

  const sendToDpo = async (state: DpiaState): Promise<boolean> => {
    const address = await directory.place('dpo-channel');
    if (!address) return false;
    await messenger.send(address, cardMessage(dpoCard(state), `DPIA ${state.id} submitted`));
    return true;
  };

  const tellRequester = async (state: DpiaState, text: string) => {
    const address: ConversationAddress | undefined =
      (state.data.requester.aadObjectId
        ? await directory.person(state.data.requester.aadObjectId)
        : undefined) ?? state.data.requesterAddress;
    if (address) await messenger.send(address, { text });
  };

  return {
    services: [
      {
        name: 'tool-register',
        async start() {
          const seed = parseToolRegisterSeed(
            fs.readFileSync(config.toolRegisterPath, 'utf8'),
            config.toolRegisterPath,
            clock.now(),
          );
          const result = await register.seed(seed);
          logger.log('info', 'tool-register.seeded', {
            created: result.created.length,
            kept: result.kept.length,
          });
        },
      },
    ],
    capability: {
      name: 'checklists',
      register(app) {
        app.message(checklistCommands.notetaker, async (turn) => {
          const state = await notetaker.start(actorOf(turn), addressOf(turn));
          await sendCard(turn, notetakerStepCard(state, rules));
        });

        app.message(checklistCommands.consentRecords, async (turn) => {
          await sendCard(turn, consentRecordsCard(await notetaker.recordsOf(actorOf(turn))));
        });

        app.adaptiveCards.actionSubmit(notetakerVerbs.step, async (turn, _state, data) => {
          const outcome = await notetaker.submit(actorOf(turn), data);
          switch (outcome.kind) {
            case 'advanced':
              if (outcome.noticeText)
                await turn.sendActivity(`Paste this into the meeting invite:\n\n${outcome.noticeText}`);
              await sendCard(turn, notetakerStepCard(outcome.state, rules, { warnings: outcome.warnings }));
              return;
            case 'stopped':
              await sendCard(turn, stoppedCard(outcome.stop));
              return;
            case 'completed':
              await sendCard(turn, completedCard(outcome.state));
              if (outcome.warnings.length > 0) await turn.sendActivity(outcome.warnings.join(' '));
              return;
            case 'stale':
              await turn.sendActivity(outcome.message);
              if (outcome.current.status === 'in-progress' && outcome.current.ownerId === actorOf(turn).id) {
                await sendCard(turn, notetakerStepCard(outcome.current, rules));
              }
              return;
            default:
              await turn.sendActivity(
                `${outcome.message}${outcome.kind === 'invalid' ? ' Nothing was changed.' : ''}`,
              );
          }
        });

        app.adaptiveCards.actionSubmit(notetakerVerbs.object, async (turn, _state, data) => {
          const outcome = await notetaker.object(actorOf(turn), data);
          if (outcome.kind === 'recorded' || outcome.kind === 'updated') {
            await turn.sendActivity(
              `${actorOf(turn).name}, your objection is recorded and the organiser has been told.`,
            );
            const reason = outcome.objection.reason ? `: "${outcome.objection.reason.slice(0, 200)}"` : '';
            await tellOrganiser(
              outcome.state,
              `${outcome.objection.participantName} objected to the AI notetaker${reason}. Record your decision on the card.`,
            );
            return;
          }
          await turn.sendActivity(outcome.message);
        });

        app.message(checklistCommands.startDpia, async (turn) => {
          const toolName = checklistCommands.startDpia.exec(turn.activity.text ?? '')?.[1];
          const state = await dpia.start(actorOf(turn), addressOf(turn), toolName);
          await sendCard(turn, dpiaStepCard(state));
        });

        app.message(checklistCommands.resumeDpia, async (turn) => {
          const [latest] = await dpia.draftsOf(actorOf(turn));
          if (!latest) {
            await turn.sendActivity('You have no DPIA drafts. Type "start a dpia" to begin one.');
            return;
          }
          await sendCard(turn, dpiaStepCard(latest));
        });

        app.adaptiveCards.actionSubmit(dpiaVerbs.step, async (turn, _state, data) => {
          const outcome = await dpia.submit(actorOf(turn), data);
          switch (outcome.kind) {
            case 'advanced':
              await sendCard(turn, dpiaStepCard(outcome.state, { warnings: outcome.warnings }));
              return;
            case 'completed': {
              await sendCard(turn, dpiaSubmittedCard(outcome.state));
              const delivered = await sendToDpo(outcome.state);
              if (!delivered) {
                await turn.sendActivity(
                  `The DPO channel is not set up in this bot yet, so I could not post it there. Please tell ${config.people.dpoName} (${config.people.dpoContact}) that DPIA ${outcome.state.id} is waiting.`,
                );
              }
              return;
            }
            case 'stale':
              await turn.sendActivity(outcome.message);
              if (outcome.current.status === 'in-progress' && outcome.current.ownerId === actorOf(turn).id)
                await sendCard(turn, dpiaStepCard(outcome.current));
              return;
            case 'stopped':
              return;
            default:
              await turn.sendActivity(
                `${outcome.message}${outcome.kind === 'invalid' ? ' Nothing was changed.' : ''}`,
              );
          }
        });

        app.adaptiveCards.actionSubmit(dpiaVerbs.withdraw, async (turn, _state, data) => {
          const outcome = await dpia.withdraw(actorOf(turn), data);
          if (outcome.kind === 'withdrawn-now') {
            await turn.sendActivity(`DPIA ${outcome.state.id} is withdrawn.`);
            const address = await directory.place('dpo-channel');
            if (address)
              await messenger.send(address, {
                text: `DPIA ${outcome.state.id} was withdrawn by ${outcome.state.data.requester.name}.`,
              });
            return;
          }
          await turn.sendActivity('message' in outcome ? outcome.message : 'Nothing was changed.');
        });

        const dpoAction =
          (act: (actor: Actor, data: unknown) => ReturnType<DpiaService['decide']>) =>
          async (
            turn: TurnContext,
            _state: unknown,
            data: Record<string, unknown>,
          ): Promise<AdaptiveCard | string> => {
            const outcome = await act(actorOf(turn), data);
            if (outcome.kind === 'decided') {
              const decision = outcome.decision;
              await tellRequester(
                outcome.state,
                `The DPO ${decision.decision} DPIA ${outcome.state.id} (${outcome.state.data.tool?.name ?? 'tool'}): ${decision.reasons}${
                  decision.decision === 'approved' ? ' The AI tool register now shows it as approved.' : ''
                }`,
              );
              return asTeamsCard(dpoCard(outcome.state));
            }
            if (outcome.kind === 'advised') {
              await tellRequester(
                outcome.state,
                `The DPO added advice to DPIA ${outcome.state.id}: ${outcome.advice.text}`,
              );
              return asTeamsCard(dpoCard(outcome.state));
            }
            const current = await dpia.get(typeof data.dpiaId === 'string' ? data.dpiaId : undefined);
            const message = 'message' in outcome ? outcome.message : 'Nothing was changed.';
            if (!current) return asTeamsCard(adaptiveCard([paragraph(message)]));
            const card = dpoCard(current);
            return asTeamsCard({
              ...card,
              body: [paragraph(message, { color: 'Attention' }), ...(card.body as unknown[])],
            });
          };

        app.adaptiveCards.actionExecute(
          dpiaVerbs.advise,
          dpoAction((actor, data) => dpia.advise(actor, data)),
        );
        app.adaptiveCards.actionExecute(
          dpiaVerbs.decide,
          dpoAction((actor, data) => dpia.decide(actor, data)),
        );
        app.adaptiveCards.actionExecute(
          'dpia.refresh',
          async (_turn, _state, data: Record<string, unknown>) => {
            const current = await dpia.get(data.dpiaId);
            return asTeamsCard(
              current ? dpoCard(current) : adaptiveCard([paragraph('That DPIA is no longer available.')]),
            );
          },
        );

        // Only questions about a tool that is in the register are taken here; anything else stays a policy question.
        app.message(
          async (turn) => {
            const question = parseToolQuestion(turn.activity.text ?? '');
            if (!question) return false;
            return (
              (await register.findByName(question.toolName)) !== undefined ||
              (await register.findMentioned(question.toolName)) !== undefined
            );
          },
          async (turn) => {
            const question = parseToolQuestion(turn.activity.text ?? '');
            if (!question) return;
            const answer = await toolQuestions.answer(question);
            const sources = answer.citations.map(
              (citation, index) =>
                `[${index + 1}] ${citation.document}, ${citation.section} ${citation.heading}`,
            );
            await turn.sendActivity([answer.text, ...sources].join('\n\n'));
          },
        );
      },
    },
  };
}
