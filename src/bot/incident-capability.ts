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
import { ActivityTypes, CardFactory, MessageFactory, type TurnContext } from 'botbuilder';
import { IncidentService, incidentCardFollowUp, type Reporter } from '../incidents/incident-service';
import { Outbox, OutboxProcessor } from '../incidents/outbox';
import {
  ConfiguredChannelMembers,
  type ChannelMembers,
  type DpoAction,
  type Incident,
} from '../incidents/types';
import type { IncidentNotifier } from '../incidents/incident-service';
import { formatUkLocalInput } from '../incidents/uk-input';
import type { CapabilityContext, CapabilityParts } from './capability';
import { addressOf } from './messenger';
import {
  incidentCardMessages,
  incidentChannelCard,
  incidentStatusText,
  incidentVerbs,
  reportCard,
} from './cards/incident-cards';
import type { AdaptiveCard } from './cards/common';

export const incidentCommands = {
  report: /^\s*report an incident\s*$/i,
  status: /^\s*incident status(?:\s+(\S{1,40}))?\s*$/i,
};

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

/** Universal Action replies go out as our own invoke response, so no update is attempted inside the turn. */
async function respondWithCard(context: TurnContext, card: AdaptiveCard): Promise<void> {
  await context.sendActivity({
    type: ActivityTypes.InvokeResponse,
    value: {
      status: 200,
      body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card },
    },
  });
}

async function respondWithMessage(context: TurnContext, message: string): Promise<void> {
  await context.sendActivity({
    type: ActivityTypes.InvokeResponse,
    value: {
      status: 200,
      body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: message },
    },
  });
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
  const { config, clock, records, messenger, directory, logger } = context;
  const outbox = new Outbox(records, clock);
  const members = integrations.members ?? new ConfiguredChannelMembers(config.people.dpoMembers);
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
    notifier: integrations.notifier,
    // Called only after construction finishes, so the processor below exists by then.
    onQueued: () => processor.nudge(),
  });
  const processor: OutboxProcessor = new OutboxProcessor({
    store: records,
    messenger,
    directory,
    clock,
    random: context.random,
    logger,
    instanceId: `${process.pid}-${context.ids.next()}`,
    intervalMs: config.outboxIntervalMs,
  }).on(incidentCardFollowUp, service.followUpHandlers());
  const outboxProcessor = processor;

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
        name: 'incident-outbox',
        async start() {
          const queued = await service.reconcile();
          if (queued > 0) logger.log('info', 'incident.reconciled', { queued });
          outboxProcessor.start();
        },
        stop: () => outboxProcessor.stop(),
        health: () => outboxProcessor.health(),
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
