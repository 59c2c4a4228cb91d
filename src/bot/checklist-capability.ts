/**
 * Teams routes for the notetaker-consent checklist, the DPIA checklist and the AI tool register.
 * All decisions are made by the services in src/checklists and src/registers; this file only turns
 * activities into plain inputs and outcomes into cards and proactive messages.
 */
import * as fs from 'node:fs';
import {
  ActivityTypes,
  CardFactory,
  MessageFactory,
  TeamsInfo,
  tokenExchangeOperationName,
  verifyStateOperationName,
  type TurnContext,
} from 'botbuilder';
import { parseTrustRules, type TrustRules } from '../checklists/trust-rules';
import { ConfiguredDpoDirectory, type DpoDirectory } from '../checklists/people';
import {
  MessengerNoticePoster,
  NotetakerService,
  type NotetakerState,
} from '../checklists/notetaker-service';
import { DpiaService, type DpiaState } from '../checklists/dpia-service';
import type { Actor } from '../checklists/engine';
import type { TeamsMeetingInfo } from '../checklists/notetaker';
import { parseToolRegisterSeed, ToolRegister } from '../registers/tool-register';
import { looksLikeToolName, parseToolQuestion, ToolQuestionService } from '../registers/tool-questions';
import type { OutboxRequest, OutboxTarget } from '../incidents/outbox';
import type { ConversationAddress, OutgoingMessage } from '../shared/messaging';
import type { CapabilityContext, CapabilityParts } from './capability';
import { respondWithCard } from './invoke-responses';
import { GraphCalendarSource } from './meeting-calendar-source';
import { UserSignIn } from './user-sign-in';
import { addressOf } from './messenger';
import {
  completedCard,
  consentRecordsCard,
  meetingNoticeCard,
  notetakerStepCard,
  notetakerVerbs,
  stoppedCard,
} from './cards/checklist-notetaker';
import { dpiaAssessmentCard, dpiaStepCard, dpiaSubmittedCard, dpiaVerbs, dpoCard } from './cards/dpia-cards';
import { adaptiveCard, commandButton, inert, paragraph } from './cards/common';

export const checklistCommands = {
  notetaker: /^\s*notetaker consent\s*$/i,
  consentRecords: /^\s*my consent records\s*$/i,
  startDpia: /^\s*start a dpia(?:\s+for\s+(.{1,100}?))?\s*$/i,
  resumeDpia: /^\s*(?:resume|continue) (?:my )?dpia\s*$/i,
  exportConsent: /^\s*export consent records(?:\s+(?:as\s+)?(csv|json))?\s*$/i,
};

/** Follow-ups the outbox runs after delivering (or giving up on) a checklist message. */
export const checklistFollowUps = { dpoCard: 'dpia.dpo-card' } as const;

/** Who is signing in to pick a meeting for which checklist, so the pick goes on once sign-in completes. */
const calendarSignInCollection = 'notetaker-calendar-sign-in';
interface PendingCalendarSignIn {
  checklistId: string;
  atUtc: string;
}
/** A sign-in finished later than this does not reopen the picker by itself. */
const pendingSignInMs = 30 * 60_000;

/** Above this an export is not shown in a chat message (Teams limits a message to about 28 KB). */
const inlineExportLimit = 20_000;

function isPersonalChat(context: TurnContext): boolean {
  return context.activity.conversation.conversationType === 'personal';
}

function meetingIdOf(context: TurnContext): string | undefined {
  const channelData = context.activity.channelData as { meeting?: { id?: string } } | undefined;
  return channelData?.meeting?.id;
}

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

function loadRules(path: string): TrustRules {
  return parseTrustRules(fs.readFileSync(path, 'utf8'), path);
}

export function createChecklistCapability(context: CapabilityContext): CapabilityParts {
  const { config, clock, ids, records, messenger, directory, logger } = context;
  const rules = loadRules(config.trustRulesPath);
  // The meeting picker needs both the organiser's sign-in (OAuth connection) and Graph (tenant mode).
  const connectionName = config.bot?.oauthConnectionName;
  const signIn = connectionName && context.graph ? new UserSignIn(connectionName, logger) : undefined;
  const calendar = signIn && context.graph ? new GraphCalendarSource(context.graph.calendar) : undefined;
  const drawStep = (state: NotetakerState, options: Parameters<typeof notetakerStepCard>[2] = {}) =>
    notetakerStepCard(state, rules, { offerCalendar: signIn !== undefined, ...options });
  const register = new ToolRegister(records, clock);
  // In tenant mode the DPO channel's members (Graph) may act as the DPO; offline, DPO_MEMBERS.
  const graphMembers = context.graph?.members;
  const dpoDirectory: DpoDirectory = graphMembers
    ? { isDpo: (actor) => graphMembers.isMember(actor) }
    : new ConfiguredDpoDirectory(config.people.dpoMembers);
  const notetaker = new NotetakerService({
    store: records,
    register,
    rules,
    clock,
    ids,
    dpoDirectory,
    logger,
    calendar,
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

  const { queue, processor } = context.outbox;
  // Every proactive message goes through the durable outbox: written first, delivered with retries,
  // so a restart or a throttled connector loses nothing.
  const enqueue = async (request: OutboxRequest) => {
    await queue.enqueue(request);
    processor.nudge();
  };
  const personTarget = (
    aadObjectId: string | undefined,
    address: ConversationAddress | undefined,
  ): OutboxTarget | undefined =>
    aadObjectId ? { kind: 'person', aadObjectId } : address ? { kind: 'address', address } : undefined;

  const tellOrganiser = async (state: NotetakerState, text: string) => {
    const organiser = state.data.organiser;
    const target =
      state.data.organiserAddress !== undefined
        ? ({ kind: 'address', address: state.data.organiserAddress } as const)
        : personTarget(organiser.aadObjectId, undefined);
    if (!target) return;
    await enqueue({
      id: `notetaker-organiser:${state.id}:v${state.version}`,
      target,
      message: { text, card: drawStep(state), summary: text },
    });
  };

  const dpoCardRequest = (state: DpiaState): OutboxRequest => ({
    id: `dpia-card:${state.id}`,
    target: { kind: 'place', place: 'dpo-channel' },
    message: cardMessage(dpoCard(state), `DPIA ${state.id} submitted`),
    onDelivered: { kind: checklistFollowUps.dpoCard, data: { dpiaId: state.id } },
    onStuck: { kind: checklistFollowUps.dpoCard, data: { dpiaId: state.id } },
  });

  const tellRequester = async (state: DpiaState, text: string) => {
    const target = personTarget(state.data.requester.aadObjectId, state.data.requesterAddress);
    if (!target) return;
    await enqueue({ id: `dpia-requester:${state.id}:v${state.version}`, target, message: { text } });
  };

  /** Everyone in the DPO channel sees the DPIA as it is now (withdrawn, decided). */
  const refreshDpoCard = async (state: DpiaState) => {
    const activityId = state.data.dpoCardActivityId;
    if (activityId) {
      await queue.enqueueLatest({
        id: `dpia-card-update:${state.id}`,
        target: { kind: 'place', place: 'dpo-channel' },
        operation: { kind: 'update', activityId },
        message: cardMessage(dpoCard(state)),
      });
    } else {
      // Not posted yet (or not known to be): the waiting card is replaced by the current one.
      await queue.enqueueLatest(dpoCardRequest(state));
    }
    processor.nudge();
  };

  processor.on(checklistFollowUps.dpoCard, {
    delivered: async (item) => {
      if (item.deliveredActivityId)
        await dpia.recordDpoCard(item.onDelivered?.data.dpiaId ?? '', item.deliveredActivityId);
    },
    stuck: async (item) => {
      const state = await dpia.get(item.onStuck?.data.dpiaId);
      if (!state) return;
      await tellRequester(
        state,
        `I could not post DPIA ${state.id} in the DPO channel (${item.lastError ?? 'no answer'}). Please send it to ${config.people.dpoName} (${config.people.dpoContact}) directly.`,
      );
    },
  });

  /** The meeting as Teams describes it, for a checklist started in the meeting chat. */
  const teamsMeeting = async (
    turn: TurnContext,
  ): Promise<
    { kind: 'ok'; info: TeamsMeetingInfo } | { kind: 'not-organiser' } | { kind: 'unavailable' }
  > => {
    try {
      const meeting = await TeamsInfo.getMeetingInfo(turn);
      const from = turn.activity.from;
      const organiser = meeting.organizer as { id?: string; aadObjectId?: string } | undefined;
      const isOrganiser =
        (organiser?.aadObjectId !== undefined && organiser.aadObjectId === from.aadObjectId) ||
        (organiser?.id !== undefined && organiser.id === from.id);
      if (!isOrganiser) return { kind: 'not-organiser' };
      const members = await TeamsInfo.getPagedMembers(turn, 500).catch(() => ({ members: [] }));
      const details = meeting.details as { title?: string; scheduledStartTime?: string; joinUrl?: string };
      if (!details.scheduledStartTime || Number.isNaN(Date.parse(details.scheduledStartTime)))
        return { kind: 'unavailable' };
      return {
        kind: 'ok',
        info: {
          title: details.title ?? 'Untitled meeting',
          startUtc: details.scheduledStartTime,
          joinUrl: details.joinUrl,
          chatConversationId: meeting.conversation?.id ?? turn.activity.conversation.id,
          participants: members.members
            .map((member) => member.email ?? member.userPrincipalName ?? '')
            .filter((email) => email.includes('@')),
        },
      };
    } catch (error) {
      logger.log('warn', 'notetaker.meeting-info-failed', {
        error: error instanceof Error ? error.message.slice(0, 200) : 'unknown',
      });
      return { kind: 'unavailable' };
    }
  };

  const startInMeetingChat = async (turn: TurnContext) => {
    const actor = actorOf(turn);
    const meeting = await teamsMeeting(turn);
    if (meeting.kind === 'not-organiser') {
      await turn.sendActivity('Only the meeting organiser can run the notetaker consent checklist.');
      return;
    }
    if (meeting.kind === 'unavailable') {
      await turn.sendActivity(
        'I could not read this meeting’s details from Teams. Type "notetaker consent" in your own chat with me and paste the join link instead.',
      );
      return;
    }
    const personal = actor.aadObjectId ? await directory.person(actor.aadObjectId) : undefined;
    if (!personal) {
      await turn.sendActivity(
        'Open your own chat with me (AI Policy Assistant) and say hello first, then type "notetaker consent" here again: the checklist is kept between you and me.',
      );
      return;
    }
    const { state, warnings } = await notetaker.startFromTeamsMeeting(actor, personal, meeting.info);
    await enqueue({
      id: `notetaker-card:${state.id}:v${state.version}`,
      target: { kind: 'address', address: personal },
      message: {
        card: drawStep(state, { warnings }),
        summary: `Notetaker consent for ${meeting.info.title}`,
      },
    });
    await turn.sendActivity('I have sent you the notetaker consent checklist in your chat with me.');
  };

  // ---- Picking the meeting from the organiser's calendar (tenant mode with OAUTH_CONNECTION_NAME) ----

  const rememberSignIn = (turn: TurnContext, checklistId: string) =>
    records.put<PendingCalendarSignIn>(calendarSignInCollection, turn.activity.from.id, {
      checklistId,
      atUtc: clock.now().toISOString(),
    });

  /** The checklist a sign-in was started for, if it was started recently; forgotten once read. */
  const takePendingSignIn = async (turn: TurnContext): Promise<string | undefined> => {
    const stored = await records.get<PendingCalendarSignIn>(calendarSignInCollection, turn.activity.from.id);
    if (!stored) return undefined;
    await records.delete(calendarSignInCollection, stored.key).catch(() => undefined);
    const age = clock.now().getTime() - Date.parse(stored.value.atUtc);
    return age >= 0 && age <= pendingSignInMs ? stored.value.checklistId : undefined;
  };

  /** The paste-the-link card again, with why the calendar did not help. */
  const offerTypedForm = async (turn: TurnContext, state: NotetakerState, problem: string) => {
    await sendCard(turn, drawStep(state, { problem }));
  };

  const askToSignIn = async (turn: TurnContext, state: NotetakerState, text: string) => {
    if (!signIn) return;
    await rememberSignIn(turn, state.id);
    const sent = await signIn.sendSignInCard(turn, text);
    if (!sent)
      await offerTypedForm(
        turn,
        state,
        'I could not start the Microsoft 365 sign-in just now: paste the join link or type the details instead.',
      );
  };

  /** Signed in or not, the organiser ends up with either the picker, a sign-in card or the typed form. */
  const offerCalendar = async (turn: TurnContext, state: NotetakerState, token?: string) => {
    if (!signIn) return;
    let userToken = token;
    if (!userToken) {
      const outcome = await signIn.token(turn);
      if (outcome.kind === 'unavailable') {
        await offerTypedForm(
          turn,
          state,
          'I could not reach the Microsoft 365 sign-in just now: paste the join link or type the details instead.',
        );
        return;
      }
      if (outcome.kind === 'not-signed-in') {
        await askToSignIn(turn, state, 'Sign in to Microsoft 365 so I can list your upcoming meetings.');
        return;
      }
      userToken = outcome.token;
    }
    const meetings = await notetaker.upcomingMeetings(userToken);
    switch (meetings.kind) {
      case 'sign-in-needed':
        // The token service would hand back the same refused token: forget it so sign-in gets a new one.
        await signIn.signOut(turn);
        await askToSignIn(turn, state, meetings.message);
        return;
      case 'calendar-unavailable':
        await offerTypedForm(turn, state, meetings.message);
        return;
      default:
        if (meetings.meetings.length === 0) {
          await offerTypedForm(
            turn,
            state,
            'You have no online meetings in the next 14 days: paste the join link or type the details instead.',
          );
          return;
        }
        await sendCard(turn, drawStep(state, { calendar: meetings.meetings }));
    }
  };

  /** After the organiser signs in (pop-up or single sign-on), the picker they asked for follows. */
  const continueAfterSignIn = async (turn: TurnContext, token: string) => {
    const checklistId = await takePendingSignIn(turn);
    const state = checklistId ? await notetaker.get(checklistId) : undefined;
    if (
      !state ||
      state.status !== 'in-progress' ||
      state.stepId !== 'meeting' ||
      state.ownerId !== actorOf(turn).id
    ) {
      await turn.sendActivity('You are signed in.');
      return;
    }
    await offerCalendar(turn, state, token);
  };

  return {
    services: [
      {
        name: 'tool-register',
        async start() {
          // A DPIA saved as submitted whose DPO card was never queued (a crash in between) is queued now.
          for (const state of await dpia.awaitingDpoCard()) await queue.enqueue(dpoCardRequest(state));
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
          if (!isPersonalChat(turn) && meetingIdOf(turn)) {
            await startInMeetingChat(turn);
            return;
          }
          const state = await notetaker.start(actorOf(turn), addressOf(turn));
          await sendCard(turn, drawStep(state));
        });

        app.adaptiveCards.actionSubmit(notetakerVerbs.meeting, async (turn, _state, data) => {
          const found = await notetaker.meetingStep(actorOf(turn), data);
          if (found.kind === 'refused') {
            await turn.sendActivity(found.message);
            if (found.current?.status === 'in-progress' && found.current.ownerId === actorOf(turn).id)
              await sendCard(turn, drawStep(found.current));
            return;
          }
          if ((data as { show?: unknown }).show === 'calendar' && signIn) {
            await offerCalendar(turn, found.state);
            return;
          }
          await sendCard(turn, drawStep(found.state));
        });

        if (signIn) {
          const isInvoke = (name: string) => async (turn: TurnContext) =>
            turn.activity.type === ActivityTypes.Invoke && turn.activity.name === name;
          app.addRoute(
            isInvoke(verifyStateOperationName),
            async (turn) => {
              const outcome = await signIn.verifyState(turn);
              if (outcome.kind === 'token') await continueAfterSignIn(turn, outcome.token);
            },
            true,
          );
          app.addRoute(
            isInvoke(tokenExchangeOperationName),
            async (turn) => {
              const outcome = await signIn.exchange(turn);
              if (outcome.kind === 'token') await continueAfterSignIn(turn, outcome.token);
            },
            true,
          );
        }

        app.message(checklistCommands.consentRecords, async (turn) => {
          await sendCard(turn, consentRecordsCard(await notetaker.recordsOf(actorOf(turn))));
        });

        app.message(checklistCommands.exportConsent, async (turn) => {
          const format =
            (checklistCommands.exportConsent.exec(turn.activity.text ?? '')?.[1]?.toLowerCase() as
              'csv' | 'json' | undefined) ?? 'csv';
          // A chat message holds the rows only; the full records are in the command-line export.
          const outcome = await notetaker.exportRecords(actorOf(turn), format, { includeFullRecords: false });
          if (outcome.kind === 'forbidden') {
            await turn.sendActivity(outcome.message);
            return;
          }
          if (outcome.content.length > inlineExportLimit) {
            await turn.sendActivity(
              `${outcome.count} consent records are too many to show in a chat message. Ask your IT lead to export them with the command line: npm run export-consent-records -- --format ${format}`,
            );
            return;
          }
          await turn.sendActivity(
            `${outcome.fileName} (${outcome.count} record${outcome.count === 1 ? '' : 's'}):\n\n\`\`\`\n${outcome.content}\`\`\``,
          );
        });

        app.adaptiveCards.actionSubmit(notetakerVerbs.step, async (turn, _state, data) => {
          let userToken: string | undefined;
          if (signIn && (data as { action?: unknown }).action === 'calendar') {
            const token = await signIn.token(turn);
            if (token.kind === 'token') userToken = token.token;
            else {
              const found = await notetaker.meetingStep(actorOf(turn), data);
              if (found.kind === 'ok' && token.kind === 'not-signed-in') {
                await askToSignIn(
                  turn,
                  found.state,
                  'Sign in to Microsoft 365 again so I can read that meeting.',
                );
                return;
              }
            }
          }
          const outcome = await notetaker.submit(actorOf(turn), data, userToken);
          switch (outcome.kind) {
            case 'sign-in-needed': {
              const found = await notetaker.meetingStep(actorOf(turn), data);
              await signIn?.signOut(turn);
              if (found.kind === 'ok') await askToSignIn(turn, found.state, outcome.message);
              else await turn.sendActivity(outcome.message);
              return;
            }
            case 'advanced':
              if (outcome.noticeText)
                await turn.sendActivity(`Paste this into the meeting invite:\n\n${outcome.noticeText}`);
              await sendCard(turn, drawStep(outcome.state, { warnings: outcome.warnings }));
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
                await sendCard(turn, drawStep(outcome.current));
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
              await enqueue(dpoCardRequest(outcome.state));
              await sendCard(turn, dpiaSubmittedCard(outcome.state));
              if (!(await directory.place('dpo-channel'))) {
                await turn.sendActivity(
                  `The DPO channel is not set up in this bot yet: DPIA ${outcome.state.id} will be posted there as soon as it is. Meanwhile please tell ${config.people.dpoName} (${config.people.dpoContact}) that it is waiting.`,
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
            await refreshDpoCard(outcome.state);
            return;
          }
          await turn.sendActivity('message' in outcome ? outcome.message : 'Nothing was changed.');
        });

        // The refreshed card goes back as our own invoke response (so teams-ai does not try to update the
        // message inside the turn, which fails the whole action if Teams refuses); everyone else in the
        // channel gets the same card through the outbox, which updates the posted card in place.
        const dpoAction =
          (act: (actor: Actor, data: unknown) => ReturnType<DpiaService['decide']>) =>
          async (turn: TurnContext, _state: unknown, data: Record<string, unknown>): Promise<string> => {
            const outcome = await act(actorOf(turn), data);
            if (outcome.kind === 'decided' || outcome.kind === 'advised') {
              const text =
                outcome.kind === 'decided'
                  ? `The DPO ${outcome.decision.decision} DPIA ${outcome.state.id} (${outcome.state.data.tool?.name ?? 'tool'}): ${outcome.decision.reasons}${
                      outcome.decision.decision === 'approved'
                        ? ' The AI tool register now shows it as approved.'
                        : ''
                    }`
                  : `The DPO added advice to DPIA ${outcome.state.id}: ${outcome.advice.text}`;
              await tellRequester(outcome.state, text);
              await refreshDpoCard(outcome.state);
              await respondWithCard(turn, dpoCard(outcome.state));
              return '';
            }
            const current = await dpia.get(typeof data.dpiaId === 'string' ? data.dpiaId : undefined);
            const message = 'message' in outcome ? outcome.message : 'Nothing was changed.';
            if (!current) {
              await respondWithCard(turn, adaptiveCard([paragraph(message)]));
              return '';
            }
            const card = dpoCard(current);
            await respondWithCard(turn, {
              ...card,
              body: [paragraph(message, { color: 'Attention' }), ...(card.body as unknown[])],
            });
            return '';
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
          dpiaVerbs.document,
          async (turn, _state, data: Record<string, unknown>) => {
            const current = await dpia.get(data.dpiaId);
            // The answers are for the DPO only, like the rest of the DPO card's actions.
            if (!current || !(await dpoDirectory.isDpo(actorOf(turn)))) {
              await respondWithCard(
                turn,
                adaptiveCard([paragraph('Only the Data Protection Officer can read DPIAs here.')]),
              );
              return '';
            }
            await respondWithCard(turn, dpiaAssessmentCard(current));
            return '';
          },
        );
        app.adaptiveCards.actionExecute(
          dpiaVerbs.refresh,
          async (turn, _state, data: Record<string, unknown>) => {
            const current = await dpia.get(data.dpiaId);
            await respondWithCard(
              turn,
              current ? dpoCard(current) : adaptiveCard([paragraph('That DPIA is no longer available.')]),
            );
            return '';
          },
        );

        // Only questions about a tool that is in the register are taken here; anything else stays a policy question.
        app.message(
          async (turn) => {
            const question = parseToolQuestion(turn.activity.text ?? '');
            if (!question) return false;
            return (
              (await register.findByName(question.toolName)) !== undefined ||
              (await register.findMentioned(question.toolName)) !== undefined ||
              looksLikeToolName(question.toolName)
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
            const text = [answer.text, ...sources].join('\n\n');
            if (answer.kind !== 'approved' && answer.offerDpia) {
              const toolName = answer.kind === 'unknown-tool' ? answer.toolName : answer.tool.name;
              await turn.sendActivity(
                MessageFactory.attachment(
                  CardFactory.adaptiveCard(
                    adaptiveCard(
                      [paragraph(`Start a DPIA for ${inert(toolName)}?`)],
                      [commandButton(`Start a DPIA for ${toolName}`, `start a dpia for ${toolName}`)],
                    ),
                  ),
                  text,
                ),
              );
              return;
            }
            await turn.sendActivity(text);
          },
        );
      },
    },
  };
}
