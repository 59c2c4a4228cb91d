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
import { ManagedIdentityCredential } from '@azure/identity';
import { createDocumentStores, type DocumentStoresOptions } from './storage';
import { DocumentStoreStateStorage } from './bot/state-storage';
import { createCapabilities } from './bot/capabilities';
import { azureChatModelFromConfig } from './bot/azure-chat-model';
import { AzureAnswerer } from './qa/azure-answerer';
import { createPolicyLibrary } from './qa/library';

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

export function assembleRuntime(
  config: Config,
  parts: RuntimeParts,
  overrides: RuntimeOverrides = {},
): Runtime {
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
      handleIncomingActivity(
        adapter,
        body,
        authorization,
        (turn) => app.run(turn).then(() => undefined),
        logger,
      ),
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

/** Builds the runtime the configuration describes: storage, the policy answerer and every capability. */
export async function createRuntime(config: Config, overrides: RuntimeOverrides = {}): Promise<Runtime> {
  const clock = overrides.clock ?? systemClock;
  const logger = overrides.logger ?? consoleLogger(config.logLevel);
  const stores = createDocumentStores(storageOptions(config, logger));
  const stateStorage = new DocumentStoreStateStorage(stores.state);
  const { answerer, trustName, health } = await createPolicyAnswerer(config, { clock, logger });
  return assembleRuntime(
    config,
    {
      stores: { ...stores, stateStorage },
      answerer,
      trustName,
      services: [{ name: 'policies', health }],
      capabilities: createCapabilities,
    },
    { ...overrides, clock, logger },
  );
}

function storageOptions(config: Config, logger: Logger): DocumentStoresOptions {
  const storage = config.storage;
  if (storage.kind === 'local') return { kind: 'local', folder: storage.folder, durable: true, logger };
  return {
    kind: 'azure',
    connectionString: storage.connectionString,
    blobServiceUrl: storage.blobServiceUrl,
    tableServiceUrl: storage.tableServiceUrl,
    // Without a connection string the bot's managed identity reaches Storage (role assignments in infra/azure.bicep).
    credential: storage.connectionString
      ? undefined
      : new ManagedIdentityCredential(
          config.managedIdentityClientId ? { clientId: config.managedIdentityClientId } : {},
        ),
    containerName: storage.containerName,
    tablePrefix: storage.tablePrefix,
  };
}

/**
 * The policy answerer: extractive from the trust's documents by default; worded by Azure OpenAI
 * when configured, still checked against the same passages and falling back to the extractive answer.
 */
async function createPolicyAnswerer(
  config: Config,
  services: { clock: Clock; logger: Logger },
): Promise<{
  answerer: PolicyAnswerer;
  trustName: string;
  health: () => Promise<{ ok: boolean; detail: string }>;
}> {
  const library = await createPolicyLibrary({ paths: [config.policiesPath], clock: services.clock });
  const extractive = library.answerer;
  const answerer = config.azureOpenAI
    ? new AzureAnswerer({
        retriever: library.retriever,
        model: azureChatModelFromConfig(config.azureOpenAI, config.managedIdentityClientId, services.logger),
        fallback: extractive,
        logger: services.logger,
        budgetMs: config.azureOpenAI.timeoutMs,
      })
    : extractive;
  const passages = library.documents.reduce((total, document) => total + document.passages.length, 0);
  return {
    answerer,
    trustName: library.documents[0]?.meta.trustName ?? 'your trust',
    health: async () => ({
      ok: passages > 0,
      detail: `${library.documents.length} policy document(s), ${passages} passages`,
    }),
  };
}
