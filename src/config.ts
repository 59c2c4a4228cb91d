import * as path from 'node:path';

/**
 * Every setting the bot reads, read once at start-up into one typed object that is passed to
 * constructors. Nothing else in the code base reads `process.env`.
 *
 * Mode is chosen by what is configured: with no MICROSOFT_APP_ID the bot runs **offline** on its
 * embedded engine, the bundled example policy and local disk storage; with one it runs in **tenant**
 * mode, where the Bot Framework token is checked and only the configured tenant is served.
 */

export type BotAppType = 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';

export interface BotIdentityConfig {
  appId: string;
  appType: BotAppType;
  /** Client secret; absent for a managed identity. */
  appPassword?: string;
  /** The tenant the bot's app registration (and the trust) lives in. */
  tenantId: string;
  /** Activities from any other tenant are refused with 403. */
  allowedTenantId: string;
  /**
   * Overrides of the Bot Framework endpoints; for sovereign clouds and for tests that stand up a
   * local OpenID metadata server. Leave unset in production.
   */
  openIdMetadataUrl?: string;
  tokenIssuer?: string;
  /** The Bot Framework user token service (BOT_OAUTH_URL); overridden only by tests. */
  oauthUrl?: string;
  /**
   * The Azure Bot OAuth connection (Graph delegated, Calendars.Read) through which an organiser signs
   * in so the notetaker checklist can offer their upcoming meetings; without it they paste the link.
   */
  oauthConnectionName?: string;
}

export interface AzureOpenAIConfig {
  endpoint: string;
  deployment: string;
  apiVersion: string;
  /** API key; when absent the bot uses its managed identity (AZURE_CLIENT_ID). */
  apiKey?: string;
  /** How long one answer may wait for the model before falling back to the offline answer. */
  timeoutMs: number;
}

export type StorageConfig =
  | { kind: 'local'; folder: string }
  | {
      kind: 'azure';
      /** Either a connection string (Azurite, or a key in Key Vault) or service URLs + managed identity. */
      connectionString?: string;
      blobServiceUrl?: string;
      tableServiceUrl?: string;
      containerName: string;
      tablePrefix: string;
    };

export interface GraphConfig {
  baseUrl: string;
  /** Optional SharePoint list used by the trust as its breach log. */
  breachLogSiteId?: string;
  breachLogListId?: string;
  /**
   * Entra group id of the DPO team. Graph addresses teams by group id, while Teams activities (and
   * DPO_TEAM_ID) carry the team's thread id; without it Graph is not used for the DPO channel.
   */
  dpoTeamGroupId?: string;
  /** SharePoint document library folder holding the policies, copied locally and indexed. */
  policyLibrary?: { siteId: string; driveId: string; folder: string; syncIntervalMs: number };
}

export interface PeopleConfig {
  /** The trust's Data Protection Officer, named in answers and checklists. */
  dpoName: string;
  dpoContact: string;
  /** DPO team and channel in Teams, where incident and DPIA cards go. */
  dpoTeamId?: string;
  dpoChannelId?: string;
  /** Members allowed to act on DPO cards when Graph is not available (offline mode). */
  dpoMembers: string[];
  dslName: string;
  dslContact: string;
  /** e.g. "Log it on CPOMS yourself; do not use AI to draft it." */
  cpomsInstruction?: string;
  examsOfficerName?: string;
  examsOfficerContact?: string;
  /** Entra object ids: alerts go to their personal chat with the bot (saved when they first talk to it). */
  dslAadObjectId?: string;
  examsOfficerAadObjectId?: string;
}

export interface Config {
  mode: 'offline' | 'tenant';
  port: number;
  host: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** A file or folder of policy documents (.txt, .md, .docx, .pdf). */
  policiesPath: string;
  /** YAML/JSON file that seeds the AI tool register. */
  toolRegisterPath: string;
  /** Trust-specific rules (citations for checklist stops etc.). */
  trustRulesPath: string;
  storage: StorageConfig;
  bot?: BotIdentityConfig;
  azureOpenAI?: AzureOpenAIConfig;
  /** Managed identity client id used for Azure OpenAI, Storage and Graph when no key is given. */
  managedIdentityClientId?: string;
  graph?: GraphConfig;
  people: PeopleConfig;
  /** How often the incident outbox is polled, in milliseconds. */
  outboxIntervalMs: number;
  /** How long an instance holds an outbox item while delivering it; a crashed instance's claim expires after this. */
  outboxLeaseMs: number;
}

export class ConfigError extends Error {
  readonly code = 'configuration' as const;
  constructor(
    readonly variable: string,
    readonly problem: string,
    readonly fix: string,
  ) {
    super(`Configuration error: ${variable} ${problem}. ${fix}`);
    this.name = 'ConfigError';
  }
}

export type Environment = Record<string, string | undefined>;

const projectRoot = path.resolve(
  __dirname,
  '..',
  __dirname.includes(`${path.sep}dist${path.sep}`) ? '..' : '',
);

/** Reads and validates every setting. Throws `ConfigError` naming the first bad variable. */
export function loadConfig(environment: Environment): Config {
  const read = (name: string): string | undefined => {
    const value = environment[name]?.trim();
    return value ? value : undefined;
  };
  const appId = read('MICROSOFT_APP_ID');
  const mode = appId ? 'tenant' : 'offline';

  const config: Config = {
    mode,
    port: readPort(read('PORT')),
    host: read('HOST') ?? '0.0.0.0',
    logLevel: readChoice('LOG_LEVEL', read('LOG_LEVEL') ?? 'info', [
      'debug',
      'info',
      'warn',
      'error',
    ] as const),
    policiesPath: resolvePath(read('POLICIES_PATH') ?? path.join('policies', 'example')),
    toolRegisterPath: resolvePath(
      read('TOOL_REGISTER_PATH') ?? path.join('config', 'tool-register.example.yaml'),
    ),
    trustRulesPath: resolvePath(read('TRUST_RULES_PATH') ?? path.join('config', 'trust-rules.example.yaml')),
    storage: readStorage(read),
    managedIdentityClientId: read('AZURE_CLIENT_ID'),
    people: {
      dpoName: read('DPO_NAME') ?? 'the Data Protection Officer',
      dpoContact: read('DPO_CONTACT') ?? 'dpo@example-trust.org.uk',
      dpoTeamId: read('DPO_TEAM_ID'),
      dpoChannelId: read('DPO_CHANNEL_ID'),
      dpoMembers: (read('DPO_MEMBERS') ?? '')
        .split(',')
        .map((member) => member.trim())
        .filter(Boolean),
      dslName: read('DSL_NAME') ?? 'the Designated Safeguarding Lead',
      dslContact: read('DSL_CONTACT') ?? 'in person, or by phone through the school office',
      cpomsInstruction: read('CPOMS_INSTRUCTION'),
      examsOfficerName: read('EXAMS_OFFICER_NAME'),
      examsOfficerContact: read('EXAMS_OFFICER_CONTACT'),
      dslAadObjectId: read('DSL_AAD_OBJECT_ID'),
      examsOfficerAadObjectId: read('EXAMS_OFFICER_AAD_OBJECT_ID'),
    },
    outboxIntervalMs: readPositiveInteger('OUTBOX_INTERVAL_MS', read('OUTBOX_INTERVAL_MS') ?? '2000'),
    outboxLeaseMs: readPositiveInteger('OUTBOX_LEASE_MS', read('OUTBOX_LEASE_MS') ?? '60000'),
  };

  config.azureOpenAI = readAzureOpenAI(read);
  if (mode === 'tenant') {
    config.bot = readBotIdentity(read, appId as string);
    config.graph = {
      baseUrl: readUrl('GRAPH_BASE_URL', read('GRAPH_BASE_URL') ?? 'https://graph.microsoft.com/v1.0'),
      breachLogSiteId: read('BREACH_LOG_SITE_ID'),
      breachLogListId: read('BREACH_LOG_LIST_ID'),
      dpoTeamGroupId: read('DPO_TEAM_GROUP_ID'),
      policyLibrary: readPolicyLibrary(read),
    };
  } else {
    for (const name of ['MICROSOFT_APP_PASSWORD', 'MICROSOFT_APP_TENANT_ID', 'ALLOWED_TENANT_ID']) {
      if (read(name)) {
        throw new ConfigError(
          name,
          'is set but MICROSOFT_APP_ID is not',
          'Set MICROSOFT_APP_ID to run in tenant mode, or remove the other bot settings to run offline.',
        );
      }
    }
  }
  return config;
}

function resolvePath(value: string): string {
  return path.isAbsolute(value) ? value : path.resolve(projectRoot, value);
}

function readPort(value: string | undefined): number {
  if (value === undefined) return 3978;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(
      'PORT',
      `is "${value}", not a port number`,
      'Use a whole number from 1 to 65535, e.g. PORT=3978.',
    );
  }
  return port;
}

function readPositiveInteger(name: string, value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) {
    throw new ConfigError(
      name,
      `is "${value}", not a positive whole number`,
      `Set ${name} to a number of milliseconds.`,
    );
  }
  return number;
}

function readChoice<T extends string>(name: string, value: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(name, `is "${value}"`, `Use one of: ${choices.join(', ')}.`);
}

function readUrl(name: string, value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('protocol');
    return value.replace(/\/+$/, '');
  } catch {
    throw new ConfigError(name, `is "${value}", not a URL`, `Set ${name} to a full https:// address.`);
  }
}

function readStorage(read: (name: string) => string | undefined): StorageConfig {
  const connectionString = read('AZURE_STORAGE_CONNECTION_STRING');
  const blobServiceUrl = read('AZURE_STORAGE_BLOB_URL');
  const tableServiceUrl = read('AZURE_STORAGE_TABLE_URL');
  if (!connectionString && !blobServiceUrl && !tableServiceUrl) {
    return { kind: 'local', folder: resolvePath(read('DATA_FOLDER') ?? '.data') };
  }
  if (!connectionString && (!blobServiceUrl || !tableServiceUrl)) {
    const missing = blobServiceUrl ? 'AZURE_STORAGE_TABLE_URL' : 'AZURE_STORAGE_BLOB_URL';
    throw new ConfigError(
      missing,
      'is missing',
      'With managed identity set both AZURE_STORAGE_BLOB_URL and AZURE_STORAGE_TABLE_URL (the storage account endpoints), or set AZURE_STORAGE_CONNECTION_STRING.',
    );
  }
  return {
    kind: 'azure',
    connectionString,
    blobServiceUrl: blobServiceUrl && readUrl('AZURE_STORAGE_BLOB_URL', blobServiceUrl),
    tableServiceUrl: tableServiceUrl && readUrl('AZURE_STORAGE_TABLE_URL', tableServiceUrl),
    containerName: read('AZURE_STORAGE_CONTAINER') ?? 'bot-state',
    tablePrefix: read('AZURE_STORAGE_TABLE_PREFIX') ?? 'policybot',
  };
}

function readAzureOpenAI(read: (name: string) => string | undefined): AzureOpenAIConfig | undefined {
  const endpoint = read('AZURE_OPENAI_ENDPOINT');
  const deployment = read('AZURE_OPENAI_DEPLOYMENT');
  if (!endpoint && !deployment) return undefined;
  if (!endpoint || !deployment) {
    throw new ConfigError(
      endpoint ? 'AZURE_OPENAI_DEPLOYMENT' : 'AZURE_OPENAI_ENDPOINT',
      'is missing',
      'Azure OpenAI needs both AZURE_OPENAI_ENDPOINT (https://<resource>.openai.azure.com) and AZURE_OPENAI_DEPLOYMENT (the model deployment name); unset both to answer offline.',
    );
  }
  return {
    endpoint: readUrl('AZURE_OPENAI_ENDPOINT', endpoint),
    deployment,
    apiVersion: read('AZURE_OPENAI_API_VERSION') ?? '2024-10-21',
    apiKey: read('AZURE_OPENAI_API_KEY'),
    timeoutMs: readPositiveInteger('AZURE_OPENAI_TIMEOUT_MS', read('AZURE_OPENAI_TIMEOUT_MS') ?? '8000'),
  };
}

function readPolicyLibrary(read: (name: string) => string | undefined): GraphConfig['policyLibrary'] {
  const names = ['POLICY_SHAREPOINT_SITE_ID', 'POLICY_SHAREPOINT_DRIVE_ID', 'POLICY_SHAREPOINT_FOLDER'];
  const values = names.map(read);
  if (values.every((value) => value === undefined)) return undefined;
  const missing = names.find((_name, index) => values[index] === undefined);
  if (missing) {
    throw new ConfigError(
      missing,
      'is missing',
      'Set all three of POLICY_SHAREPOINT_SITE_ID, POLICY_SHAREPOINT_DRIVE_ID and POLICY_SHAREPOINT_FOLDER to read policies from SharePoint, or none to read POLICIES_PATH.',
    );
  }
  const [siteId, driveId, folder] = values as string[];
  const syncIntervalMs = readPositiveInteger(
    'POLICY_SHAREPOINT_SYNC_INTERVAL_MS',
    read('POLICY_SHAREPOINT_SYNC_INTERVAL_MS') ?? '900000',
  );
  return { siteId, driveId, folder, syncIntervalMs };
}

function readBotIdentity(read: (name: string) => string | undefined, appId: string): BotIdentityConfig {
  const appType = readChoice('MICROSOFT_APP_TYPE', read('MICROSOFT_APP_TYPE') ?? 'SingleTenant', [
    'MultiTenant',
    'SingleTenant',
    'UserAssignedMSI',
  ] as const);
  const tenantId = read('MICROSOFT_APP_TENANT_ID');
  if (!tenantId) {
    throw new ConfigError(
      'MICROSOFT_APP_TENANT_ID',
      'is missing',
      "Set it to the trust's Microsoft Entra tenant id (a GUID); the bot only serves that tenant.",
    );
  }
  const appPassword = read('MICROSOFT_APP_PASSWORD');
  if (appType !== 'UserAssignedMSI' && !appPassword) {
    throw new ConfigError(
      'MICROSOFT_APP_PASSWORD',
      'is missing',
      'Set the bot app registration client secret, or set MICROSOFT_APP_TYPE=UserAssignedMSI with AZURE_CLIENT_ID to use a managed identity.',
    );
  }
  if (appType === 'UserAssignedMSI' && !read('AZURE_CLIENT_ID')) {
    throw new ConfigError(
      'AZURE_CLIENT_ID',
      'is missing',
      'With MICROSOFT_APP_TYPE=UserAssignedMSI set AZURE_CLIENT_ID to the client id of the managed identity.',
    );
  }
  return {
    appId,
    appType,
    appPassword,
    tenantId,
    allowedTenantId: read('ALLOWED_TENANT_ID') ?? tenantId,
    openIdMetadataUrl: read('BOT_OPENID_METADATA_URL'),
    tokenIssuer: read('BOT_TOKEN_ISSUER'),
    oauthUrl: read('BOT_OAUTH_URL') && readUrl('BOT_OAUTH_URL', read('BOT_OAUTH_URL') as string),
    oauthConnectionName: read('OAUTH_CONNECTION_NAME'),
  };
}

/** Environment variables the bot reads; the infrastructure test checks the Bicep app settings against it. */
export const knownEnvironmentVariables = [
  'PORT',
  'HOST',
  'LOG_LEVEL',
  'POLICIES_PATH',
  'TOOL_REGISTER_PATH',
  'TRUST_RULES_PATH',
  'DATA_FOLDER',
  'AZURE_STORAGE_CONNECTION_STRING',
  'AZURE_STORAGE_BLOB_URL',
  'AZURE_STORAGE_TABLE_URL',
  'AZURE_STORAGE_CONTAINER',
  'AZURE_STORAGE_TABLE_PREFIX',
  'AZURE_CLIENT_ID',
  'AZURE_OPENAI_ENDPOINT',
  'AZURE_OPENAI_DEPLOYMENT',
  'AZURE_OPENAI_API_VERSION',
  'AZURE_OPENAI_API_KEY',
  'AZURE_OPENAI_TIMEOUT_MS',
  'MICROSOFT_APP_ID',
  'MICROSOFT_APP_TYPE',
  'MICROSOFT_APP_PASSWORD',
  'MICROSOFT_APP_TENANT_ID',
  'ALLOWED_TENANT_ID',
  'BOT_OPENID_METADATA_URL',
  'BOT_TOKEN_ISSUER',
  'BOT_OAUTH_URL',
  'OAUTH_CONNECTION_NAME',
  'GRAPH_BASE_URL',
  'BREACH_LOG_SITE_ID',
  'BREACH_LOG_LIST_ID',
  'DPO_TEAM_GROUP_ID',
  'POLICY_SHAREPOINT_SITE_ID',
  'POLICY_SHAREPOINT_DRIVE_ID',
  'POLICY_SHAREPOINT_FOLDER',
  'POLICY_SHAREPOINT_SYNC_INTERVAL_MS',
  'DPO_NAME',
  'DPO_CONTACT',
  'DPO_TEAM_ID',
  'DPO_CHANNEL_ID',
  'DPO_MEMBERS',
  'DSL_NAME',
  'DSL_CONTACT',
  'CPOMS_INSTRUCTION',
  'EXAMS_OFFICER_NAME',
  'EXAMS_OFFICER_CONTACT',
  'DSL_AAD_OBJECT_ID',
  'EXAMS_OFFICER_AAD_OBJECT_ID',
  'OUTBOX_INTERVAL_MS',
  'OUTBOX_LEASE_MS',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
] as const;
