import { LocalBotConnector } from '../support/bot-connector';
import { LocalBotFrameworkTokens } from '../support/bot-framework-tokens';
import {
  removeTemporaryFolders,
  startBot,
  tenantModeEnvironment,
  type RunningBot,
} from '../support/bot-harness';
import { messageActivity, testTenantId } from '../support/teams-activities';

const appId = '00000000-0000-0000-0000-0000000000a1';

/** Tenant mode: botbuilder's own JWT validation, against a local OpenID metadata server. */
describe('tenant mode only serves authenticated requests from the trust tenant', () => {
  let connector: LocalBotConnector;
  let tokens: LocalBotFrameworkTokens;
  let bot: RunningBot;

  beforeAll(async () => {
    connector = await new LocalBotConnector().start();
    tokens = await new LocalBotFrameworkTokens().start();
    bot = await startBot({
      env: {
        ...tenantModeEnvironment(appId, tokens.metadataUrl),
      },
    });
  });

  afterAll(async () => {
    await bot?.stop();
    await tokens?.stop();
    await connector?.stop();
    removeTemporaryFolders();
  });

  const activity = (conversationId: string, tenantId = testTenantId) =>
    messageActivity('help', { serviceUrl: connector.serviceUrl, conversationId, tenantId });

  it('refuses a request without a token with 401 and does not reply', async () => {
    const response = await bot.post(activity('a:no-token'));
    expect(response.status).toBe(401);
    expect(connector.sentTo('a:no-token')).toHaveLength(0);
  });

  it.each([
    ['signed for another bot', () => tokens.tokenFor('another-app-id', connector.serviceUrl)],
    ['issued for another service URL', () => tokens.tokenFor(appId, 'https://smba.trafficmanager.net/emea/')],
    [
      'expired an hour ago (beyond the five-minute clock tolerance)',
      () => tokens.tokenFor(appId, connector.serviceUrl, { expiresInSeconds: -3600 }),
    ],
    ['not a token at all', () => 'not-a-jwt'],
  ])('refuses a token %s with 401', async (_case, token) => {
    const response = await bot.post(activity('a:bad-token'), { authorization: `Bearer ${token()}` });
    expect(response.status).toBe(401);
    expect(connector.sentTo('a:bad-token')).toHaveLength(0);
  });

  it('refuses a valid token carrying an activity from another tenant with 403 and no reply', async () => {
    const response = await bot.post(activity('a:other-tenant', '99999999-9999-9999-9999-999999999999'), {
      authorization: `Bearer ${tokens.tokenFor(appId, connector.serviceUrl)}`,
    });
    expect(response.status).toBe(403);
    expect(connector.sentTo('a:other-tenant')).toHaveLength(0);
  });

  it('admits a valid token from the trust tenant', async () => {
    const update = {
      ...activity('a:admitted'),
      type: 'conversationUpdate',
      text: undefined,
      membersAdded: [{ id: '29:someone-else' }],
    };
    const response = await bot.post(update, {
      authorization: `Bearer ${tokens.tokenFor(appId, connector.serviceUrl)}`,
    });
    expect(response.status).toBe(200);
  });
});
