import type { Application, TurnState } from '@microsoft/teams-ai';
import type { Config } from '../config';
import type { Clock } from '../shared/clock';
import type { ConversationDirectory } from '../shared/conversation-directory';
import type { IdGenerator } from '../shared/ids';
import type { Logger } from '../shared/logger';
import type { Messenger } from '../shared/messaging';
import type { PolicyAnswerer } from '../qa/types';
import type { DocumentStore } from '../storage/types';
import type { Outbox, OutboxProcessor } from '../incidents/outbox';
import type { GraphServices } from '../graph';

/** Conversation state is kept small: flows keep their own records in the document store. */
export interface AppConversationState {
  welcomed?: boolean;
}
export type AppTurnState = TurnState<AppConversationState>;
export type BotApplication = Application<AppTurnState>;

/**
 * A capability (notetaker consent, DPIA, incidents) adds its routes to the one teams-ai
 * Application. Routes are tried in registration order and the first match wins, so capabilities
 * are registered before the catch-all question route.
 */
export interface BotCapability {
  readonly name: string;
  register(app: BotApplication): void;
}

/** A part of the runtime with background work or a health signal (e.g. the incident outbox). */
export interface RuntimeService {
  readonly name: string;
  start?(): Promise<void> | void;
  stop?(): Promise<void> | void;
  health?(): Promise<{ ok: boolean; detail: string }>;
}

/** Everything a capability may need to build its services and routes. */
export interface CapabilityContext {
  config: Config;
  clock: Clock;
  ids: IdGenerator;
  /** Randomness for back-off jitter; a number in [0, 1). */
  random: () => number;
  logger: Logger;
  records: DocumentStore;
  messenger: Messenger;
  directory: ConversationDirectory;
  answerer: PolicyAnswerer;
  /**
   * The one durable outbox of the runtime and the one processor that delivers it (started and
   * stopped by the runtime as the service "outbox"). Capabilities enqueue proactive messages here
   * and register their follow-up handlers with `processor.on(kind, …)`.
   */
  outbox: { queue: Outbox; processor: OutboxProcessor };
  /** Microsoft Graph (channel members, activity feed, breach log, calendar) in tenant mode; absent offline. */
  graph?: GraphServices;
}

export interface CapabilityParts {
  capability: BotCapability;
  services: RuntimeService[];
}
