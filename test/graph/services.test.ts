import type { AccessToken, TokenCredential } from '@azure/identity';
import { loadConfig, ConfigError } from '../../src/config';
import {
  createGraphServices,
  CredentialTokenProvider,
  GraphRequestError,
  graphScope,
  graphTokenProviderFromConfig,
  type GraphConnection,
} from '../../src/graph';
import { ManualClock } from '../../src/shared/clock';
import { ConversationDirectory } from '../../src/shared/conversation-directory';
import { RecordingLogger, silentLogger } from '../../src/shared/logger';
import { InMemoryStore } from '../../src/storage/in-memory-store';
import { removeTemporaryFolders, startBot, temporaryFolder } from '../support/bot-harness';
import { LocalBotFrameworkTokens } from '../support/bot-framework-tokens';
import { LocalGraphServer } from '../support/graph-server';
import { eventually } from '../support/incident-e2e';
import { testTenantId } from '../support/teams-activities';
import { RecordedSleeps } from './helpers';

const tenantEnvironment = {
  MICROSOFT_APP_ID: '00000000-0000-0000-0000-0000000000a3',
  MICROSOFT_APP_PASSWORD: 'test-secret-not-used',
  MICROSOFT_APP_TENANT_ID: testTenantId,
};
const groupId = '6f0c1a52-5c1e-4a61-9d7c-2b1f3f0e4a10';
const channelId = '19:dpo-channel@thread.tacv2';
const dpo = { id: 'x', aadObjectId: 'aad-dpo-1' };
const configuredOnly = { id: 'y', aadObjectId: 'aad-configured-1' };
const membersPath = /\/members$/;

class FakeCredential implements TokenCredential {
  calls = 0;
  constructor(private readonly issue: () => AccessToken | null | Promise<never>) {}
  async getToken(): Promise<AccessToken | null> {
    this.calls += 1;
    return this.issue();
  }
}

describe('Graph tokens for the bot identity', () => {
  it('reuses a token until five minutes before it expires, and fetches a new one after a 401', async () => {
    const clock = new ManualClock('2025-03-28T10:00:00Z');
    let counter = 0;
    const credential = new FakeCredential(() => ({
      token: `token-${++counter}`,
      expiresOnTimestamp: clock.now().getTime() + 60 * 60_000,
    }));
    const provider = new CredentialTokenProvider(credential, 'https://graph.microsoft.com/.default', clock);
    expect(await provider.token()).toBe('token-1');
    clock.advance(54 * 60_000);
    expect(await provider.token()).toBe('token-1');
    clock.advance(2 * 60_000);
    expect(await provider.token()).toBe('token-2');
    provider.invalidate();
    expect(await provider.token()).toBe('token-3');
    expect(credential.calls).toBe(3);
  });

  it.each([
    ['no token', () => null],
    ['an identity error', () => Promise.reject(new Error('AADSTS7000215: Invalid client secret provided.'))],
  ])('turns %s into a typed "unauthorized" error', async (_case, issue) => {
    const provider = new CredentialTokenProvider(
      new FakeCredential(issue as () => null),
      'scope',
      new ManualClock('2025-03-28T10:00:00Z'),
    );
    const failure = await provider.token().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(GraphRequestError);
    expect(failure).toMatchObject({ reason: 'unauthorized', code: 'forbidden' });
  });

  it('asks for the .default scope of the configured Graph cloud', () => {
    expect(graphScope('https://graph.microsoft.com/v1.0')).toBe('https://graph.microsoft.com/.default');
    expect(graphScope('https://graph.microsoft.us/v1.0')).toBe('https://graph.microsoft.us/.default');
  });

  it('has a token source in tenant mode only', () => {
    const clock = new ManualClock('2025-03-28T10:00:00Z');
    expect(graphTokenProviderFromConfig(loadConfig({}), clock)).toBeUndefined();
    expect(graphTokenProviderFromConfig(loadConfig(tenantEnvironment), clock)).toBeInstanceOf(
      CredentialTokenProvider,
    );
  });
});

describe('SharePoint policy settings', () => {
  it('need all three values or none', () => {
    expect(() =>
      loadConfig({
        ...tenantEnvironment,
        POLICY_SHAREPOINT_SITE_ID: 'site',
        POLICY_SHAREPOINT_DRIVE_ID: 'drive',
      }),
    ).toThrow(ConfigError);
    expect(() =>
      loadConfig({
        ...tenantEnvironment,
        POLICY_SHAREPOINT_SITE_ID: 'site',
        POLICY_SHAREPOINT_DRIVE_ID: 'drive',
      }),
    ).toThrow(/POLICY_SHAREPOINT_FOLDER/);
    expect(loadConfig(tenantEnvironment).graph?.policyLibrary).toBeUndefined();
  });
});

describe('Graph services built from configuration', () => {
  let server: LocalGraphServer;
  const connection = (): GraphConnection => ({
    tokens: { token: async () => server.appToken },
    agent: server.agent(),
    sleep: new RecordedSleeps().sleep,
  });

  beforeAll(async () => {
    server = await new LocalGraphServer().start();
    server.channelMembers.set(`${groupId}/${channelId}`, [{ userId: dpo.aadObjectId, displayName: 'Dee' }]);
  });
  afterAll(() => server.stop());
  beforeEach(() => server.reset());

  const services = (
    environment: Record<string, string>,
    directory = new ConversationDirectory(new InMemoryStore()),
  ) =>
    createGraphServices({
      config: loadConfig({
        ...tenantEnvironment,
        GRAPH_BASE_URL: server.baseUrl,
        DPO_MEMBERS: configuredOnly.aadObjectId,
        ...environment,
      }),
      clock: new ManualClock('2025-03-28T10:00:00Z'),
      logger: silentLogger,
      directory,
      connection: connection(),
    });

  it('are absent offline', () => {
    expect(
      createGraphServices({
        config: loadConfig({}),
        clock: new ManualClock('2025-03-28T10:00:00Z'),
        logger: silentLogger,
        directory: new ConversationDirectory(new InMemoryStore()),
      }),
    ).toBeUndefined();
  });

  it.each([
    ['DPO_TEAM_GROUP_ID and DPO_CHANNEL_ID', { DPO_TEAM_GROUP_ID: groupId, DPO_CHANNEL_ID: channelId }],
    ['a GUID in DPO_TEAM_ID', { DPO_TEAM_ID: groupId, DPO_CHANNEL_ID: channelId }],
  ])('ask Graph for the DPO channel members given %s', async (_case, environment) => {
    const graph = services(environment);
    expect(await graph?.members.isMember(dpo)).toBe(true);
    expect(await graph?.members.isMember(configuredOnly)).toBe(false);
    expect(server.callsTo(membersPath)[0].path).toBe(`/v1.0/teams/${groupId}/channels/${channelId}/members`);
  });

  it('use the channel saved when the app was installed in the DPO team', async () => {
    const directory = new ConversationDirectory(new InMemoryStore());
    const graph = services(
      { DPO_TEAM_ID: '19:dpo-team@thread.tacv2', DPO_TEAM_GROUP_ID: groupId },
      directory,
    );
    // Not installed yet: the configured members answer and Graph is not asked.
    expect(await graph?.members.isMember(configuredOnly)).toBe(true);
    expect(server.calls).toHaveLength(0);
    await directory.rememberPlace('dpo-channel', {
      serviceUrl: 'https://smba.trafficmanager.net/uk/',
      conversationId: `${channelId};messageid=1700000000000`,
      channelId: 'msteams',
      teamId: '19:dpo-team@thread.tacv2',
    });
    expect(await graph?.members.isMember(dpo)).toBe(true);
    expect(server.callsTo(membersPath)).toHaveLength(1);
  });

  it('fall back to DPO_MEMBERS when Graph cannot address the team (thread id only)', async () => {
    const graph = services({ DPO_TEAM_ID: '19:dpo-team@thread.tacv2', DPO_CHANNEL_ID: channelId });
    expect(await graph?.members.isMember(configuredOnly)).toBe(true);
    expect(server.calls).toHaveLength(0);
  });
});

describe('policies from SharePoint at start-up (tenant mode)', () => {
  let server: LocalGraphServer;
  let tokens: LocalBotFrameworkTokens;
  const site = 'contoso.sharepoint.com,aaaa,bbbb';
  const policyText: Record<string, string> = {
    'ai-policy.md': '# Use of AI\n\n## 1. Purpose\n\nStaff may use approved AI tools for lesson planning.\n',
    'exams.txt': 'EXAMS POLICY\n\n1. Coursework\n\nAI may not write coursework.\n',
  };
  const drive = 'b!policies';

  beforeAll(async () => {
    server = await new LocalGraphServer().start();
    tokens = await new LocalBotFrameworkTokens().start();
    server.putFiles(
      site,
      drive,
      'Policies',
      Object.entries(policyText).map(([name, content]) => ({ name, content })),
    );
  });
  afterAll(async () => {
    await server.stop();
    await tokens.stop();
    removeTemporaryFolders();
  });

  const environment = () => ({
    ...tenantEnvironment,
    BOT_OPENID_METADATA_URL: tokens.metadataUrl,
    GRAPH_BASE_URL: server.baseUrl,
    POLICY_SHAREPOINT_SITE_ID: site,
    POLICY_SHAREPOINT_DRIVE_ID: drive,
    POLICY_SHAREPOINT_FOLDER: 'Policies',
  });
  const graph = (): GraphConnection => ({
    tokens: { token: async () => server.appToken },
    agent: server.agent(),
    sleep: new RecordedSleeps().sleep,
  });

  it('indexes the library, and keeps the last copy when SharePoint is down at the next start', async () => {
    const dataFolder = temporaryFolder('sharepoint-start-');
    const first = await startBot({ env: environment(), dataFolder, overrides: { graph: graph() } });
    try {
      expect((await first.runtime.health()).checks.policies.detail).toMatch(/^2 policy document\(s\)/);
    } finally {
      await first.stop();
    }

    server.inject({ status: 503, times: 20 });
    const logger = new RecordingLogger();
    const second = await startBot({ env: environment(), dataFolder, overrides: { graph: graph(), logger } });
    try {
      expect((await second.runtime.health()).checks.policies.detail).toMatch(/^2 policy document\(s\)/);
      expect(logger.entries.map((entry) => entry.event)).toContain(
        'graph.policies.sync-failed-using-last-copy',
      );
    } finally {
      await second.stop();
    }
  });

  it('re-indexes while running when a policy is added, and reports a failed sync in the health check', async () => {
    server.reset();
    const bot = await startBot({
      env: { ...environment(), POLICY_SHAREPOINT_SYNC_INTERVAL_MS: '50' },
      dataFolder: temporaryFolder('sharepoint-refresh-'),
      overrides: { graph: graph() },
    });
    try {
      server.putFiles(site, drive, 'Policies', [
        ...['ai-policy.md', 'exams.txt'].map((name) => ({ name, content: policyText[name] })),
        {
          name: 'online-safety.txt',
          content: 'ONLINE SAFETY\n\n1. Filtering\n\nAI chat sites are filtered.\n',
        },
      ]);
      await eventually(
        async () => /^3 policy document\(s\)/.test((await bot.runtime.health()).checks.policies.detail),
        'the new policy to be indexed',
      );
      server.inject({ match: /children$/, status: 403, times: 1000 });
      await eventually(
        async () => (await bot.runtime.health()).checks['sharepoint-policies']?.ok === false,
        'the failed sync to show',
      );
      const health = await bot.runtime.health();
      expect(health.status).toBe('degraded');
      expect(health.checks.policies.detail).toMatch(/^3 policy document\(s\)/);
    } finally {
      await bot.stop();
      server.reset();
    }
  });

  it('keeps answering from the last good copy when a policy is replaced by a file that cannot be read', async () => {
    server.reset();
    server.putFiles(
      site,
      drive,
      'Policies',
      Object.entries(policyText).map(([name, content]) => ({ name, content })),
    );
    const bot = await startBot({
      env: { ...environment(), POLICY_SHAREPOINT_SYNC_INTERVAL_MS: '50' },
      dataFolder: temporaryFolder('sharepoint-damaged-'),
      overrides: { graph: graph() },
    });
    try {
      const policies = async () => (await bot.runtime.health()).checks.policies.detail;
      const readable = await policies();
      expect(readable).toMatch(/^2 policy document\(s\), \d+ passages$/);
      // Someone saves over the exams policy with a file that has no text left in it.
      server.putFiles(site, drive, 'Policies', [
        { name: 'ai-policy.md', content: policyText['ai-policy.md'] },
        { name: 'exams.txt', content: '   \n' },
      ]);
      await eventually(
        async () => (await bot.runtime.health()).checks['sharepoint-policies']?.ok === false,
        'the unreadable policy to show in the health check',
      );
      expect((await bot.runtime.health()).checks['sharepoint-policies'].detail).toMatch(
        /could not read exams\.txt/,
      );
      // Still the library with both policies readable, not the one without the exams policy.
      expect(await policies()).toBe(readable);
    } finally {
      await bot.stop();
      server.reset();
    }
  });

  it('refuses to start without any copy when SharePoint refuses the bot', async () => {
    server.reset();
    server.inject({ status: 401 });
    await expect(
      startBot({
        env: environment(),
        dataFolder: temporaryFolder('sharepoint-none-'),
        overrides: { graph: graph() },
      }),
    ).rejects.toMatchObject({ code: 'configuration', message: expect.stringMatching(/SharePoint/) });
  });
});
