/**
 * Teams routes for incident reports. Decisions live in src/incidents (register, lifecycle,
 * outbox); this file turns activities into plain inputs and outcomes into cards and replies.
 *
 * Why the DPO channel card is posted by the bot and not through Graph: Graph's application
 * permission to post channel messages (Teamwork.Migrate.All) is for migrating history only, and the
 * resource-specific ChannelMessage.Send.Group permission is rejected for normal posts
 * (MicrosoftDocs/msteams-docs issue 14043). So the bot posts proactively into the DPO channel, whose
 * conversation reference is saved when the app is installed in the DPO team, and Graph is used for
 * what it does well: channel members, the activity-feed notification and the SharePoint breach log.
 */
import { CardFactory, MessageFactory, type TurnContext } from 'botbuilder';
import { IncidentService, incidentCardFollowUp, type Reporter } from '../incidents/incident-service';
import {
  ConfiguredChannelMembers,
  type ChannelMembers,
  type DpoAction,
  type Incident,
} from '../incidents/types';
import type { IncidentNotifier } from '../incidents/incident-service';
import { formatUkLocalInput } from '../shared/uk-time';
import { formatRegister, listRegister, type ExportFormat } from '../incidents/export';
import type { CapabilityContext, CapabilityParts } from './capability';
import { respondWithCard, respondWithMessage } from './invoke-responses';
import { addressOf } from './messenger';
import {
  incidentCardMessages,
  incidentChannelCard,
  incidentStatusText,
  incidentVerbs,
  reportCard,
} from './cards/incident-cards';

export const incidentCommands = {
  report: /^\s*report an incident\s*$/i,
  status: /^\s*incident status(?:\s+(\S{1,40}))?\s*$/i,
  /** Said in a channel by a DPO team member: that channel becomes the DPO channel. */
  useChannel: /^\s*use this channel for incident reports\s*[.!]?\s*$/i,
  exportRegister: /^\s*export incidents(?:\s+(?:as\s+)?(csv|json))?\s*$/i,
};

/** Teams refuses messages much over 28 KB; each export message stays well under. */
const exportMessageLimit = 20_000;
/** Beyond this many messages a chat is the wrong place for the register. */
const exportMessageParts = 10;

/**
 * The register as chat messages: code blocks, split by incident when it is long, each part a
 * complete CSV (with its header) or JSON array. A run of backticks in someone's text is broken up
 * so it cannot close the code block early.
 */
export function exportMessages(format: ExportFormat, incidents: Incident[]): string[] {
  const fence = (body: string) =>
    '```\n' + body.trimEnd().replace(/`{3,}/g, (run) => run.split('').join('\u200b')) + '\n```';
  const count = incidents.length;
  const intro = `The incident register: ${count} incident${count === 1 ? '' : 's'}, ${format.toUpperCase()}, columns named after the ICO breach report form.`;
  const parts: Incident[][] = [];
  let current: Incident[] = [];
  let size = formatRegister([], format).length;
  for (const incident of incidents) {
    const incidentSize = formatRegister([incident], format).length - formatRegister([], format).length;
    if (current.length > 0 && size + incidentSize > exportMessageLimit) {
      parts.push(current);
      current = [];
      size = formatRegister([], format).length;
    }
    current.push(incident);
    size += incidentSize;
  }
  parts.push(current);
  if (parts.length > exportMessageParts || size > exportMessageLimit) {
    return [
      `${intro} It is too large to send in Teams; ask whoever runs the bot for \`npm run export-incidents -- --format ${format}\`.`,
    ];
  }
  if (parts.length === 1) return [`${intro}\n\n${fence(formatRegister(incidents, format))}`];
  return parts.map(
    (part, index) =>
      `${index === 0 ? `${intro}\n\n` : ''}Part ${index + 1} of ${parts.length}:\n\n${fence(formatRegister(part, format))}`,
  );
}

/** The message action ("…" on a Teams message → Report an incident); commandId in the app manifest. */
export const reportMessageCommandId = 'reportIncident';

/** Outside services the capability can use when the tenant provides them (Graph); defaults offline. */
export interface IncidentIntegrations {
  members?: ChannelMembers;
  notifier?: IncidentNotifier;
}

function personOf(context: TurnContext): Reporter {
  const from = context.activity.from;
  return {
    id: from.aadObjectId ?? from.id,
    aadObjectId: from.aadObjectId,
    name: (from.name ?? 'A member of staff').slice(0, 200),
  };
}

function toAction(verb: string, data: Record<string, unknown>): DpoAction | undefined {
  const field = (name: string) => (typeof data[name] === 'string' ? (data[name] as string) : '');
  switch (verb) {
    case incidentVerbs.acknowledge:
      return { kind: 'acknowledge' };
    case incidentVerbs.assign:
      return { kind: 'assign', assignee: field('assignee') };
    case incidentVerbs.decide: {
      const answer = field('reportable').toLowerCase();
      if (answer !== 'yes' && answer !== 'no') return undefined;
      return { kind: 'decide', reportable: answer === 'yes', reason: field('reason') };
    }
    case incidentVerbs.markReported:
      return { kind: 'mark-reported', icoCaseReference: field('icoCaseReference') };
    case incidentVerbs.close:
      return { kind: 'close', note: field('closeNote') };
    default:
      return undefined;
  }
}

export function createIncidentCapability(
  context: CapabilityContext,
  integrations: IncidentIntegrations = {},
): CapabilityParts {
  const { config, clock, records, directory, logger } = context;
  // The runtime's one outbox and processor (shared with the DPIA flow); started after our reconcile.
  const { queue: outbox, processor } = context.outbox;
  // Graph (tenant mode) when present: DPO channel membership, activity feed and breach log.
  const members =
    integrations.members ?? context.graph?.members ?? new ConfiguredChannelMembers(config.people.dpoMembers);
  const service = new IncidentService({
    store: records,
    outbox,
    clock,
    logger,
    members,
    messages: incidentCardMessages,
    contacts: {
      dslName: config.people.dslName,
      dslContact: config.people.dslContact,
      cpomsInstruction: config.people.cpomsInstruction,
      dslAadObjectId: config.people.dslAadObjectId,
      examsOfficerName: config.people.examsOfficerName,
      examsOfficerAadObjectId: config.people.examsOfficerAadObjectId,
    },
    notifier: integrations.notifier ?? context.graph?.notifier,
    onQueued: () => processor.nudge(),
  });
  processor.on(incidentCardFollowUp, service.followUpHandlers());

  const reportedReply = (incident: Incident, again: boolean) =>
    `${again ? 'This report was already recorded' : 'Thank you. Your report is recorded'} as **${incident.reference}** and is on its way to the DPO team. ` +
    `Type "incident status ${incident.reference}" to see how it is going.`;

  const report = async (turn: TurnContext, data: Record<string, unknown>): Promise<string> => {
    const reporter: Reporter = {
      ...personOf(turn),
      address: turn.activity.conversation.conversationType === 'personal' ? addressOf(turn) : undefined,
    };
    const outcome = await service.report(
      data,
      reporter,
      turn.activity.id ?? `${reporter.id}:${clock.now().toISOString()}`,
    );
    switch (outcome.kind) {
      case 'recorded':
        return reportedReply(outcome.incident, false);
      case 'duplicate':
        return reportedReply(outcome.incident, true);
      case 'safeguarding':
        return outcome.guidance;
      case 'invalid':
        return `Nothing was recorded yet:\n\n${outcome.problems.map((problem) => `- ${problem}`).join('\n')}\n\nCorrect the card and send it again.`;
    }
  };

  return {
    services: [
      {
        // Stuck deliveries show in the runtime's "outbox" health check; this only reconciles at start-up.
        name: 'incidents',
        async start() {
          const queued = await service.reconcile();
          if (queued > 0) logger.log('info', 'incident.reconciled', { queued });
        },
      },
    ],
    capability: {
      name: 'incidents',
      register(app) {
        app.message(incidentCommands.report, async (turn) => {
          await turn.sendActivity(
            MessageFactory.attachment(
              CardFactory.adaptiveCard(reportCard({ whenDiscovered: formatUkLocalInput(clock.now()) })),
            ),
          );
        });

        app.message(incidentCommands.useChannel, async (turn) => {
          const address = addressOf(turn);
          if (!address.teamsChannelId) {
            await turn.sendActivity(
              'Say this in the channel where incident reports should go (a channel of the DPO team), mentioning me.',
            );
            return;
          }
          if (!(await members.isMember(personOf(turn)))) {
            await turn.sendActivity(
              'Only members of the DPO team can choose where incident reports go. Nothing was changed.',
            );
            return;
          }
          // The channel itself, not the thread this was said in: new cards start their own threads.
          await directory.rememberPlace('dpo-channel', {
            ...address,
            conversationId: address.teamsChannelId,
          });
          logger.log('info', 'dpo-channel.saved', { teamId: address.teamId, how: 'command' });
          const retried = await outbox.retryStuck(
            (item) => item.target.kind === 'place' && item.target.place === 'dpo-channel',
          );
          processor.nudge();
          await turn.sendActivity(
            `Incident reports will be posted in this channel.${
              retried > 0
                ? ` ${retried} message${retried === 1 ? '' : 's'} that could not be delivered before will be posted now.`
                : ''
            }`,
          );
        });

        app.message(incidentCommands.exportRegister, async (turn) => {
          const format: ExportFormat =
            incidentCommands.exportRegister.exec(turn.activity.text ?? '')?.[1]?.toLowerCase() === 'json'
              ? 'json'
              : 'csv';
          if (!(await members.isMember(personOf(turn)))) {
            await turn.sendActivity('Only members of the DPO team can export the incident register.');
            return;
          }
          // The register holds personal data: never into a group chat or some other channel.
          const address = addressOf(turn);
          const dpoChannel = await directory.place('dpo-channel');
          const inDpoChannel =
            address.teamsChannelId !== undefined && dpoChannel?.teamsChannelId === address.teamsChannelId;
          if (!inDpoChannel && turn.activity.conversation.conversationType !== 'personal') {
            await turn.sendActivity(
              'The register holds personal data: ask me for it in the DPO channel or in your own chat with me.',
            );
            return;
          }
          const incidents = await listRegister(records);
          logger.log('info', 'incident.exported', { format, count: incidents.length });
          for (const message of exportMessages(format, incidents)) await turn.sendActivity(message);
        });

        app.adaptiveCards.actionSubmit(incidentVerbs.report, async (turn, _state, data) => {
          await turn.sendActivity(await report(turn, data as Record<string, unknown>));
        });

        app.message(incidentCommands.status, async (turn) => {
          const reference = incidentCommands.status.exec(turn.activity.text ?? '')?.[1];
          if (!reference) {
            await turn.sendActivity('Tell me which one, e.g. "incident status INC-2025-0001".');
            return;
          }
          const person = personOf(turn);
          const outcome = await service.status(reference, person);
          await turn.sendActivity(
            outcome.kind === 'found' ? incidentStatusText(outcome.incident, clock.now()) : outcome.message,
          );
        });

        const dpoVerbs = [
          incidentVerbs.acknowledge,
          incidentVerbs.assign,
          incidentVerbs.decide,
          incidentVerbs.markReported,
          incidentVerbs.close,
        ];
        for (const verb of dpoVerbs) {
          app.adaptiveCards.actionExecute(verb, async (turn, _state, raw) => {
            const data = (raw ?? {}) as Record<string, unknown>;
            const reference = typeof data.reference === 'string' ? data.reference : '';
            const version = typeof data.version === 'number' ? data.version : Number(data.version);
            const action = toAction(verb, data);
            if (!action) {
              await respondWithMessage(
                turn,
                'Choose yes or no for "reportable to the ICO". Nothing was changed.',
              );
              return '';
            }
            const outcome = await service.act(personOf(turn), reference, version, action);
            switch (outcome.kind) {
              case 'updated':
                await respondWithCard(turn, incidentChannelCard(outcome.incident, clock.now()));
                break;
              case 'stale':
              case 'invalid':
                await respondWithCard(
                  turn,
                  incidentChannelCard(outcome.incident, clock.now(), outcome.message),
                );
                break;
              default:
                await respondWithMessage(turn, outcome.message);
            }
            return '';
          });
        }

        app.adaptiveCards.actionExecute(incidentVerbs.refresh, async (turn, _state, raw) => {
          const data = (raw ?? {}) as Record<string, unknown>;
          const outcome = await service.status(
            typeof data.reference === 'string' ? data.reference : '',
            personOf(turn),
          );
          if (outcome.kind === 'found')
            await respondWithCard(turn, incidentChannelCard(outcome.incident, clock.now()));
          else await respondWithMessage(turn, outcome.message);
          return '';
        });

        // The message action: prefill only a link to the message, never its text, which may be a
        // safeguarding disclosure that must not be copied anywhere.
        app.messageExtensions.fetchTask(reportMessageCommandId, async (turn) => {
          const payload = (
            turn.activity.value as { messagePayload?: { id?: string; linkToMessage?: string } } | undefined
          )?.messagePayload;
          const pointer = payload?.linkToMessage ?? (payload?.id ? `message id ${payload.id}` : undefined);
          return {
            title: 'Report an incident',
            width: 'large',
            height: 'large',
            card: CardFactory.adaptiveCard(
              reportCard({
                whatHappened: pointer ? `About this Teams message: ${pointer}\n\n` : undefined,
                whenDiscovered: formatUkLocalInput(clock.now()),
              }),
            ),
          };
        });

        app.messageExtensions.submitAction<Record<string, unknown>>(
          reportMessageCommandId,
          async (turn, _state, data) => report(turn, data ?? {}),
        );
      },
    },
  };
}
