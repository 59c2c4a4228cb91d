import type { Config } from './config';
import { systemClock, type Clock } from './shared/clock';
import { randomIds, type IdGenerator } from './shared/ids';
import { consoleLogger, type Logger } from './shared/logger';
import type { Messenger } from './shared/messaging';
import type { DocumentStore } from './storage/types';
import type { PolicyAnswerer } from './qa/types';
import { PolicyBotAdapter, type IncomingOutcome } from './bot/adapter';
import { handleIncomingActivity } from './bot/incoming';
import { createBotApplication } from './bot/application';
import { BotFrameworkMessenger } from './bot/messenger';
import type { CapabilityContext, CapabilityParts, RuntimeService } from './bot/capability';
import { ConversationDirectory } from './shared/conversation-directory';

/**
 * The composition root: turns the typed configuration into running services. It knows every
 * capability but no web framework; `src/index.ts` puts it behind HTTP.
 */

export interface HealthReport {
  status: 'ok' | 'degraded';
  mode: Config['mode'];
  checks: Record<string, { ok: boolean; detail: string }>;
}

export interface Runtime {
  readonly config: Config;
  /** The durable records (incidents, consent records, DPIAs, feedback); for exports and tests. */
  readonly records: DocumentStore;
  handleActivity(body: unknown, authorization: string): Promise<IncomingOutcome>;
  health(): Promise<HealthReport>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Lets tests swap time, ids, logging and outside services without touching configuration. */
export interface RuntimeOverrides {
  clock?: Clock;
  ids?: IdGenerator;
  logger?: Logger;
  messenger?: Messenger;
  random?: () => number;
}

export interface RuntimeParts {
  stores: { state: DocumentStore; records: DocumentStore; stateStorage: import('botbuilder').Storage };
  answerer: PolicyAnswerer;
  trustName: string;
  services: RuntimeService[];
  capabilities: (context: CapabilityContext) => CapabilityParts[];
}

export function assembleRuntime(config: Config, parts: RuntimeParts, overrides: RuntimeOverrides = {}): Runtime {
  const clock = overrides.clock ?? systemClock;
  const ids = overrides.ids ?? randomIds;
  const logger = overrides.logger ?? consoleLogger(config.logLevel);
  const adapter = new PolicyBotAdapter(config.bot);
  const messenger = overrides.messenger ?? new BotFrameworkMessenger(adapter, config.bot?.appId ?? '');
  const directory = new ConversationDirectory(parts.stores.records);
  const context: CapabilityContext = {
    config,
    clock,
    ids,
    random: overrides.random ?? Math.random,
    logger,
    records: parts.stores.records,
    messenger,
    directory,
    answerer: parts.answerer,
  };
  const built = parts.capabilities(context);
  const capabilities = built.map((part) => part.capability);
  const services = [...parts.services, ...built.flatMap((part) => part.services)];
  const app = createBotApplication({
    adapter,
    stateStorage: parts.stores.stateStorage,
    records: parts.stores.records,
    answerer: parts.answerer,
    capabilities,
    directory,
    dpoTeamId: config.people.dpoTeamId,
    logger,
    clock,
    ids,
    trustName: parts.trustName,
    mode: config.mode,
    botAppId: config.bot?.appId,
  });

  return {
    config,
    records: parts.stores.records,
    handleActivity: (body, authorization) =>
      handleIncomingActivity(adapter, body, authorization, (turn) => app.run(turn).then(() => undefined), logger),
    async health() {
      const checks: HealthReport['checks'] = {};
      for (const service of services) {
        if (service.health) checks[service.name] = await service.health();
      }
      const status = Object.values(checks).every((check) => check.ok) ? 'ok' : 'degraded';
      return { status, mode: config.mode, checks };
    },
    async start() {
      for (const service of services) await service.start?.();
      logger.log('info', 'runtime.started', { mode: config.mode });
    },
    async stop() {
      for (const service of [...services].reverse()) await service.stop?.();
    },
  };
}

export async function createRuntime(config: Config, overrides: RuntimeOverrides = {}): Promise<Runtime> {
  throw new Error(`createRuntime is wired once the storage and policy modules land (${config.mode}, ${Object.keys(overrides).length})`);
}
