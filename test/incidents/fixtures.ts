import {
  IncidentService,
  type IncidentMessages,
  type IncidentNotifier,
} from '../../src/incidents/incident-service';
import { Outbox, OutboxProcessor } from '../../src/incidents/outbox';
import { plainIncidentMessages } from '../../src/incidents/plain-messages';
import { ConfiguredChannelMembers } from '../../src/incidents/types';
import { ManualClock } from '../../src/shared/clock';
import { ConversationDirectory } from '../../src/shared/conversation-directory';
import { RecordingLogger } from '../../src/shared/logger';
import { RecordingMessenger, type ConversationAddress, type Messenger } from '../../src/shared/messaging';
import { InMemoryStore } from '../../src/storage/in-memory-store';
import type { DocumentStore } from '../../src/storage/types';

export const dpoChannel: ConversationAddress = {
  serviceUrl: 'http://127.0.0.1:1/',
  conversationId: '19:dpo@thread.tacv2',
  channelId: 'msteams',
  teamId: '19:dpo-team@thread.tacv2',
  teamsChannelId: '19:dpo@thread.tacv2',
};

export const dpo = { id: 'aad-dpo-1', aadObjectId: 'aad-dpo-1', name: 'Dee Protection' };
export const outsider = { id: 'aad-staff-9', aadObjectId: 'aad-staff-9', name: 'Nosy Parker' };
export const reporter = { id: 'aad-staff-1', aadObjectId: 'aad-staff-1', name: 'Sam Teacher' };

/** A valid data-breach report as the card submits it (strings and toggles). */
export function breachInput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'data-breach',
    whatHappened: 'Pasted a class list with SEN notes into a public chatbot.',
    tool: 'ChatGPT (free)',
    whenHappened: 'This morning',
    whenDiscovered: '2025-03-28 10:00',
    dataSubjects: 'pupils',
    howMany: '28 pupils, one spreadsheet',
    specialCategory: 'true',
    childrenInvolved: 'true',
    actionsTaken: 'Deleted the chat; asked for the history to be cleared.',
    school: 'Oak Primary',
    withholdName: 'false',
    ...overrides,
  };
}

export interface IncidentWorld {
  clock: ManualClock;
  store: DocumentStore;
  messenger: RecordingMessenger;
  logger: RecordingLogger;
  directory: ConversationDirectory;
  outbox: Outbox;
  service: IncidentService;
  processor: OutboxProcessor;
}

export async function incidentWorld(
  options: {
    store?: DocumentStore;
    messenger?: Messenger;
    clock?: ManualClock;
    messages?: IncidentMessages;
    instanceId?: string;
    withDpoChannel?: boolean;
    notifier?: IncidentNotifier;
    contacts?: Partial<ConstructorParameters<typeof IncidentService>[0]['contacts']>;
  } = {},
): Promise<IncidentWorld> {
  const clock = options.clock ?? new ManualClock('2025-03-28T12:00:00Z');
  const store = options.store ?? new InMemoryStore();
  const messenger = new RecordingMessenger();
  const logger = new RecordingLogger();
  const directory = new ConversationDirectory(store);
  if (options.withDpoChannel !== false) await directory.rememberPlace('dpo-channel', dpoChannel);
  const outbox = new Outbox(store, clock);
  const service = new IncidentService({
    store,
    outbox,
    clock,
    logger,
    members: new ConfiguredChannelMembers([dpo.aadObjectId]),
    messages: options.messages ?? plainIncidentMessages,
    contacts: { dslName: 'Mrs Safe', dslContact: 'room 4, ext 204', ...options.contacts },
    notifier: options.notifier,
  });
  const processor = new OutboxProcessor({
    store,
    messenger: options.messenger ?? messenger,
    directory,
    clock,
    random: () => 0.5,
    logger,
    instanceId: options.instanceId ?? 'instance-a',
    maxAttempts: 5,
  }).on('incident.channel-card', service.followUpHandlers());
  return { clock, store, messenger, logger, directory, outbox, service, processor };
}
