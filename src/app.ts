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
import {
  createGraphServices,
  PolicyLibraryRefresher,
  sharePointPolicies,
  type GraphConnection,
} from './graph';
import { Outbox, OutboxProcessor } from './incidents/outbox';

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
  /** How long an answer may take before a typing indicator is sent (0: always send one first). */
  typingDelayMs?: number;
  /** How the bot reaches Azure OpenAI, e.g. an https.Agent trusting a test server's certificate. */
  azureOpenAIConnection?: { httpAgent?: import('node:http').Agent };
  /** How the bot reaches Microsoft Graph in tenant mode, e.g. a token and agent for a local Graph server. */
  graph?: GraphConnection;
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
  // Proactive sends go through an adapter without the SDK's retries: the outbox retries (Retry-After, back-off).
  const messenger =
    overrides.messenger ??
    new BotFrameworkMessenger(
      new PolicyBotAdapter(config.bot, { noRetryPolicy: true }),
      config.bot?.appId ?? '',
    );
  const directory = new ConversationDirectory(parts.stores.records);
  const random = overrides.random ?? Math.random;
  // One processor for the whole runtime: two would race for the same items and each would lack the
  // other's follow-up handlers.
  const outboxProcessor = new OutboxProcessor({
    store: parts.stores.records,
    messenger,
    directory,
    clock,
    random,
    logger,
    instanceId: `${process.pid}-${ids.next()}`,
    intervalMs: config.outboxIntervalMs,
    leaseMs: config.outboxLeaseMs,
    // Back-off starts at half the poll interval (1 s by default), so a small interval in tests keeps retries quick.
    baseDelayMs: Math.min(1000, Math.ceil(config.outboxIntervalMs / 2)),
  });
  const outboxQueue = new Outbox(parts.stores.records, clock);
  const context: CapabilityContext = {
    config,
    clock,
    ids,
    random,
    logger,
    records: parts.stores.records,
    messenger,
    directory,
    answerer: parts.answerer,
    outbox: { queue: outboxQueue, processor: outboxProcessor },
    graph: createGraphServices({ config, clock, logger, random, directory, connection: overrides.graph }),
  };
  const built = parts.capabilities(context);
  const capabilities = built.map((part) => part.capability);
  // The outbox starts after the capabilities' own services (which register handlers and reconcile).
  const services: RuntimeService[] = [
    ...parts.services,
    ...built.flatMap((part) => part.services),
    {
      name: 'outbox',
      start: () => outboxProcessor.start(),
      stop: () => outboxProcessor.stop(),
      health: () => outboxProcessor.health(),
    },
  ];
  const app = createBotApplication({
    adapter,
    stateStorage: parts.stores.stateStorage,
    records: parts.stores.records,
    answerer: parts.answerer,
    capabilities,
    directory,
    dpoTeamId: config.people.dpoTeamId,
    // Cards that gave up while the DPO channel was unknown or unreachable go out once it is installed.
    onDpoChannelSaved: async () => {
      const retried = await outboxQueue.retryStuck(
        (item) => item.target.kind === 'place' && item.target.place === 'dpo-channel',
      );
      if (retried > 0) outboxProcessor.nudge();
      return retried;
    },
    logger,
    clock,
    ids,
    trustName: parts.trustName,
    mode: config.mode,
    botAppId: config.bot?.appId,
    typingDelayMs: overrides.typingDelayMs,
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
  // Tenant mode may keep the policies in SharePoint: copied locally first, then read like a folder,
  // and re-indexed when the library changes (turns already answering finish on the old index).
  const sharePoint = await sharePointPolicies({ config, clock, logger, connection: overrides.graph });
  const policyConfig = sharePoint ? { ...config, policiesPath: sharePoint.folder } : config;
  const answererServices = { clock, logger, azureOpenAIConnection: overrides.azureOpenAIConnection };
  let policies = await createPolicyAnswerer(policyConfig, answererServices);
  const answerer: PolicyAnswerer = sharePoint
    ? { answer: (question) => policies.answerer.answer(question) }
    : policies.answerer;
  const policyServices: RuntimeService[] = [{ name: 'policies', health: () => policies.health() }];
  if (sharePoint) {
    policyServices.push(
      new PolicyLibraryRefresher({
        source: sharePoint.source,
        intervalMs: sharePoint.syncIntervalMs,
        logger,
        onChanged: async () => {
          const next = await createPolicyAnswerer(policyConfig, answererServices);
          // A policy replaced by a file that cannot be read (damaged, scanned) must not take the
          // readable copy's answers away: keep answering from the last good library (the refresher
          // reports the failed sync in the health check).
          const newlyUnreadable = next.unreadable.filter((source) => !policies.unreadable.includes(source));
          if (newlyUnreadable.length > 0)
            throw new Error(`could not read ${newlyUnreadable.join(', ')} from SharePoint`);
          policies = next;
        },
      }),
    );
  }
  const trustName = policies.trustName;
  return assembleRuntime(
    config,
    {
      stores: { ...stores, stateStorage },
      answerer,
      trustName,
      services: policyServices,
      capabilities: createCapabilities,
    },
    { ...overrides, clock, logger },
  );
}

/** Also used by the export CLI, so it reads the same register the bot writes. */
export function storageOptions(config: Config, logger: Logger): DocumentStoresOptions {
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
  services: {
    clock: Clock;
    logger: Logger;
    azureOpenAIConnection?: RuntimeOverrides['azureOpenAIConnection'];
  },
): Promise<{
  answerer: PolicyAnswerer;
  trustName: string;
  health: () => Promise<{ ok: boolean; detail: string }>;
  /** Policy files that could not be read (damaged, or scanned with no text). */
  unreadable: string[];
}> {
  const library = await createPolicyLibrary({ paths: [config.policiesPath], clock: services.clock });
  // What `npm run index` would tell the IT lead, in the service's log: a policy with no text or no
  // sections answers nothing, and staff would only see "not covered".
  const unreadableWarning = /^(No (text|sections)|Could not read)/;
  for (const document of library.documents)
    for (const warning of document.warnings.filter((text) => unreadableWarning.test(text)))
      services.logger.log('warn', 'policies.unreadable', { source: document.meta.source, warning });
  const unreadable = library.documents
    .filter((document) => document.passages.length === 0)
    .map((document) => document.meta.source);
  const extractive = library.answerer;
  const answerer = config.azureOpenAI
    ? new AzureAnswerer({
        retriever: library.retriever,
        model: azureChatModelFromConfig(
          config.azureOpenAI,
          config.managedIdentityClientId,
          services.logger,
          services.azureOpenAIConnection,
        ),
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
      detail:
        `${library.documents.length} policy document(s), ${passages} passages` +
        (unreadable.length > 0 ? `; nothing to answer from in ${unreadable.join(', ')}` : ''),
    }),
    unreadable,
  };
}
