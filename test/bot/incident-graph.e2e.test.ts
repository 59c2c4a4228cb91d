import { LocalBotConnector } from '../support/bot-connector';
import { LocalBotFrameworkTokens, primeOutgoingBotToken } from '../support/bot-framework-tokens';
import {
  removeTemporaryFolders,
  startBot,
  tenantModeEnvironment,
  type RunningBot,
} from '../support/bot-harness';
import { LocalGraphServer } from '../support/graph-server';
import {
  cardOf,
  dpoChannelId,
  dpoOfficer,
  dpoTeamId,
  eventually,
  fact,
  outsider,
  postedCards,
  referencePattern,
  reportData,
  type CardJson,
  dpoChannelOptions,
} from '../support/incident-e2e';
import {
  cardExecuteActivity,
  cardSubmitActivity,
  installActivity,
  staffMember,
  type Person,
} from '../support/teams-activities';
import type { Incident } from '../../src/incidents/types';
import type { OutboxItem } from '../../src/incidents/outbox';
import { RecordingLogger } from '../../src/shared/logger';

/**
 * The real bot in tenant mode (Bot Framework tokens checked), the local Bot Connector for Teams and
 * the local Graph server for Microsoft 365: a report reaches the DPO channel as a card posted by the
 * bot, the DPO channel's members get an activity-feed notice, the SharePoint breach log gets a row,
 * and who may act on the card is decided by the channel's membership in Graph.
 */

const appId = '00000000-0000-0000-0000-0000000000a2';
const dpoTeamGroupId = '6f0c1a52-5c1e-4a61-9d7c-2b1f3f0e4a10';
const site =
  'contoso.sharepoint.com,11111111-aaaa-bbbb-cccc-000000000001,22222222-aaaa-bbbb-cccc-000000000002';
const breachList = '33333333-aaaa-bbbb-cccc-000000000003';
const membersPath = /\/channels\/.+\/members$/;

describe('incident reports in tenant mode, with Microsoft Graph', () => {
  let connector: LocalBotConnector;
  let tokens: LocalBotFrameworkTokens;
  let graph: LocalGraphServer;
  let bot: RunningBot;
  const logger = new RecordingLogger();
  const graphWaits: number[] = [];

  const auth = () => ({ authorization: `Bearer ${tokens.tokenFor(appId, connector.serviceUrl)}` });
  const personalChat = (person: Person) => `a:personal-${person.aadObjectId}`;
  const channel = (from: Person, replyToId?: string) =>
    dpoChannelOptions(connector.serviceUrl, from, replyToId);

  beforeAll(async () => {
    connector = await new LocalBotConnector().start();
    tokens = await new LocalBotFrameworkTokens().start();
    graph = await new LocalGraphServer().start();
    graph.teams.add(dpoTeamGroupId);
    graph.lists.set(`${site}/${breachList}`, []);
    graph.channelMembers.set(`${dpoTeamGroupId}/${dpoChannelId}`, [
      { userId: dpoOfficer.aadObjectId, displayName: dpoOfficer.name, roles: ['owner'] },
    ]);
    primeOutgoingBotToken(appId);
    bot = await startBot({
      env: {
        ...tenantModeEnvironment(appId, tokens.metadataUrl),
        GRAPH_BASE_URL: graph.baseUrl,
        DPO_TEAM_ID: dpoTeamId,
        DPO_TEAM_GROUP_ID: dpoTeamGroupId,
        // Configured but not consulted once the channel is known: Graph decides, so this outsider is refused.
        DPO_MEMBERS: outsider.aadObjectId,
        BREACH_LOG_SITE_ID: site,
        BREACH_LOG_LIST_ID: breachList,
        OUTBOX_INTERVAL_MS: '50',
        OUTBOX_LEASE_MS: '1500',
      },
      overrides: {
        logger,
        graph: {
          tokens: { token: async () => graph.appToken },
          agent: graph.agent(),
          sleep: async (milliseconds) => {
            graphWaits.push(milliseconds);
          },
        },
      },
    });
    const installed = await bot.post(installActivity(channel(dpoOfficer)), auth());
    expect(installed.status).toBe(200);
  });

  afterAll(async () => {
    await bot?.stop();
    await graph?.stop();
    await tokens?.stop();
    await connector?.stop();
    removeTemporaryFolders();
  });

  async function report(data: Record<string, string>, from: Person = staffMember): Promise<string> {
    const before = connector.sentTo(personalChat(from)).length;
    const response = await bot.post(
      cardSubmitActivity(data, {
        serviceUrl: connector.serviceUrl,
        conversationId: personalChat(from),
        from,
      }),
      auth(),
    );
    expect(response.status).toBe(200);
    const reply = connector.sentTo(personalChat(from)).slice(before).at(-1)?.activity.text as string;
    return reply;
  }

  async function incident(reference: string): Promise<Incident | undefined> {
    return (await bot.runtime.records.get<Incident>('incidents', reference))?.value;
  }

  async function execute(verb: string, data: Record<string, unknown>, from: Person, cardId: string) {
    const response = await bot.post(cardExecuteActivity(verb, data, channel(from, cardId)), auth());
    expect(response.status).toBe(200);
    return JSON.parse(response.body) as { statusCode: number; type: string; value: CardJson | string };
  }

  let reference: string;
  let cardId: string;

  it('records the report, posts the card as the bot, notifies the DPO channel and writes the breach log', async () => {
    const reply = await report(reportData({ school: 'Oak Primary' }));
    reference = referencePattern.exec(reply)?.[0] as string;
    expect(reference).toMatch(referencePattern);

    await eventually(async () => {
      const item = (await bot.runtime.records.get<OutboxItem>('outbox', `incident-card:${reference}`))?.value;
      return item?.state === 'delivered' && item.followUpDone === true;
    }, 'the DPO channel card');
    const cards = postedCards(connector, reference);
    expect(cards).toHaveLength(1);
    cardId = cards[0].assignedId as string;
    // Posted through the Bot Connector with the bot's own token, not through Graph.
    expect(cards[0].authorization).toBe('Bearer local-outgoing-token');

    expect(graph.notifications).toHaveLength(1);
    const notice = graph.notifications[0];
    expect(notice.teamId).toBe(dpoTeamGroupId);
    expect(notice.body).toMatchObject({
      activityType: 'incidentReported',
      topic: { source: 'entityUrl', value: `${graph.baseUrl}/teams/${dpoTeamGroupId}` },
      recipient: {
        '@odata.type': 'microsoft.graph.channelMembersNotificationRecipient',
        teamId: dpoTeamGroupId,
        channelId: dpoChannelId,
      },
      templateParameters: [
        { name: 'reference', value: reference },
        { name: 'deadline', value: expect.stringMatching(/2025, 09:00 GMT$/) },
      ],
    });
    const items = graph.lists.get(`${site}/${breachList}`) ?? [];
    expect(items).toHaveLength(1);
    expect(items[0].fields).toMatchObject({
      Title: reference,
      IncidentType: 'Personal data breach',
      School: 'Oak Primary',
      Discovered: '2025-01-01T09:00:00.000Z',
      IcoDeadline: '2025-01-04T09:00:00.000Z',
    });
    for (const call of graph.calls) expect(call.authorization).toBe(`Bearer ${graph.appToken}`);
  });

  it('answers a DPO action with a clear message when Graph cannot say who is in the channel, changing nothing', async () => {
    const before = await incident(reference);
    graph.inject({ match: /\/members$/, status: 503, times: 4 });
    const response = await execute('incident.acknowledge', { reference, version: 1 }, dpoOfficer, cardId);
    expect(response.type).toBe('application/vnd.microsoft.activity.message');
    expect(String(response.value)).toMatch(/nothing was changed|try again/i);
    expect(await incident(reference)).toEqual(before);
  });

  it('refuses a card action from someone Graph does not list in the DPO channel, changing nothing', async () => {
    const before = await incident(reference);
    const response = await execute('incident.acknowledge', { reference, version: 1 }, outsider, cardId);
    expect(response.type).toBe('application/vnd.microsoft.activity.message');
    expect(String(response.value)).toMatch(/Only members of the DPO channel/);
    expect(await incident(reference)).toEqual(before);
    expect(graph.callsTo(membersPath).at(-1)?.path).toBe(
      `/v1.0/teams/${dpoTeamGroupId}/channels/${dpoChannelId}/members`,
    );
  });

  it('lets a DPO-channel member (per Graph) acknowledge, the card updating in place', async () => {
    const response = await execute('incident.acknowledge', { reference, version: 1 }, dpoOfficer, cardId);
    expect(response.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(fact(response.value as CardJson, 'Status')).toBe('Acknowledged');
    expect(await incident(reference)).toMatchObject({ status: 'acknowledged', version: 2 });
    await connector.waitFor(
      (recorded) =>
        recorded.method === 'PUT' &&
        recorded.activityId === cardId &&
        fact(cardOf(recorded), 'Status') === 'Acknowledged',
    );
  });

  it('still delivers the feed notice and the breach-log row through 429 Retry-After and a 503 burst', async () => {
    graph.inject({ match: /\/sendActivityNotification$/, status: 429, retryAfterSeconds: 2 });
    graph.inject({ match: /\/lists\/.+\/items$/, status: 503, times: 2 });
    const notificationsBefore = graph.notifications.length;
    const itemsBefore = graph.lists.get(`${site}/${breachList}`)?.length ?? 0;
    const reply = await report(reportData());
    const second = referencePattern.exec(reply)?.[0];
    // The feed notice and the breach-log row follow the card's delivery, outside the reporter's turn.
    await eventually(async () => {
      const item = (await bot.runtime.records.get<OutboxItem>('outbox', `incident-card:${second}`))?.value;
      return item?.state === 'delivered' && item.followUpDone === true;
    }, 'the card and its notifications');
    expect(graph.notifications.length).toBe(notificationsBefore + 1);
    expect(graph.notifications.at(-1)?.body).toMatchObject({
      templateParameters: [{ name: 'reference', value: second }, expect.anything()],
    });
    expect(graph.lists.get(`${site}/${breachList}`)?.length).toBe(itemsBefore + 1);
    expect(graphWaits).toContain(2000);
  });

  it('sends nothing to Graph for a safeguarding concern', async () => {
    const callsBefore = graph.calls.length;
    const reply = await report(
      reportData({ type: 'safeguarding', whatHappened: 'A pupil told me something worrying at lunch.' }),
    );
    expect(reply).toMatch(/Dee|safeguarding/i);
    expect(graph.calls.length).toBe(callsBefore);
    expect(JSON.stringify(graph.calls)).not.toContain('worrying');
    expect(JSON.stringify(logger.entries)).not.toContain('worrying');
  });
});
