import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RecordingLogger } from '../../src/shared/logger';
import { LocalBotConnector } from '../support/bot-connector';
import { removeTemporaryFolders, startBot, type RunningBot } from '../support/bot-harness';
import { installActivity, invokeActivity, messageActivity, staffMember } from '../support/teams-activities';

/**
 * The foundation journeys over real HTTP: Teams-shaped activities in at /api/messages, the bot's
 * replies out through the real botbuilder ConnectorClient to a local Bot Connector.
 */
describe('a member of staff talking to the bot (offline mode)', () => {
  let connector: LocalBotConnector;
  let bot: RunningBot;

  beforeAll(async () => {
    connector = await new LocalBotConnector().start();
    // The offline answer is instant, so the bot's delayed typing indicator would not show; 0 sends it
    // first, as for a slow answer (test/bot/azure-answer.e2e.test.ts proves the delay itself).
    bot = await startBot({ overrides: { typingDelayMs: 0 } });
  });

  afterAll(async () => {
    await bot?.stop();
    await connector?.stop();
    removeTemporaryFolders();
  });

  const personal = (conversationId: string) => ({ serviceUrl: connector.serviceUrl, conversationId });

  it('welcomes a person who installs it with a card listing what it does as buttons', async () => {
    const response = await bot.post(installActivity(personal('a:welcome')));
    expect(response.status).toBe(200);
    const [welcome] = connector.sentTo('a:welcome');
    const card = welcome.activity.attachments[0];
    expect(card.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(card.content.actions.map((action: { title: string }) => action.title)).toEqual([
      'Ask about the policy',
      'Notetaker consent',
      'Start a DPIA',
      'Report an incident',
    ]);
  });

  it('answers "help" with what it can do', async () => {
    await bot.post(messageActivity('help', personal('a:help')));
    const replies = connector.sentTo('a:help');
    expect(replies.at(-1)?.activity.text).toMatch(/notetaker consent/);
    expect(replies.at(-1)?.activity.text).toMatch(/report an incident/);
  });

  it('answers a policy question with a typing indicator, citations that reach Teams intact and the AI label', async () => {
    const question = messageActivity('Who should I tell about a data breach?', personal('a:question'));
    await bot.post(question);
    const sent = connector.sentTo('a:question', { includeTyping: true });
    expect(sent.map((recorded) => recorded.activity.type)).toContain('typing');
    const answer = sent.filter((recorded) => recorded.activity.entities).at(-1);
    expect(answer).toBeDefined();
    const entity = answer?.activity.entities[0];
    expect(entity.additionalType).toEqual(['AIGeneratedContent']);
    expect(entity.citation.length).toBeGreaterThan(0);
    // botframework-connector 4.23.3 strips every entity field but `type`; the pin to 4.23.2 keeps them.
    for (const citation of entity.citation) {
      expect(citation['@type']).toBe('Claim');
      expect(citation.appearance.name.length).toBeLessThanOrEqual(80);
      expect(citation.appearance.abstract.length).toBeLessThanOrEqual(160);
      expect(answer?.activity.text).toContain(`[${citation.position}]`);
    }
    expect(answer?.activity.channelData).toEqual({ feedbackLoopEnabled: true });
    expect(answer?.activityId).toBe(question.id);
  });

  it('replies in the thread when asked in a channel', async () => {
    const threadId = '19:general@thread.tacv2;messageid=1700000000000';
    const question = messageActivity('Can staff use AI tools to mark work?', {
      serviceUrl: connector.serviceUrl,
      conversationId: threadId,
      kind: 'channel',
      channelId: '19:general@thread.tacv2',
    });
    await bot.post(question);
    const reply = connector.sentTo(threadId).at(-1);
    expect(reply?.activityId).toBe(question.id);
    expect(reply?.activity.text).toBeTruthy();
  });

  it('stores thumbs up/down feedback without the person who gave it', async () => {
    const response = await bot.post(
      invokeActivity(
        'message/submitAction',
        { actionName: 'feedback', actionValue: { reaction: 'like', feedback: '{"feedbackText":"clear"}' } },
        { ...personal('a:feedback'), replyToId: 'answer-activity-1' },
      ),
    );
    expect(response.status).toBe(200);
    const stored = await bot.runtime.records.list<Record<string, unknown>>('answer-feedback');
    expect(stored).toHaveLength(1);
    expect(stored[0].value).toMatchObject({ reaction: 'like', answerActivityId: 'answer-activity-1' });
    expect(JSON.stringify(stored[0].value)).not.toContain(staffMember.aadObjectId);
    expect(JSON.stringify(stored[0].value)).not.toContain(staffMember.name);
  });

  it('reports its health', async () => {
    const response = await fetch(`${bot.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', mode: 'offline' });
  });
});

describe('a bot whose policy folder has no readable text', () => {
  it('reports itself unhealthy and logs why, so the IT lead sees it before staff get only "not covered"', async () => {
    const policies = fs.mkdtempSync(path.join(os.tmpdir(), 'policies-scanned-'));
    // A policy exported without its text (PDF.js does not load in jest's VM; the ask CLI test reads
    // a real scanned PDF).
    fs.writeFileSync(path.join(policies, 'policy.txt'), '\n\n   \n');
    const logger = new RecordingLogger();
    const bot = await startBot({ env: { POLICIES_PATH: policies }, overrides: { logger } });
    try {
      const response = await fetch(`${bot.url}/healthz`);
      expect(response.status).toBe(503);
      expect(logger.entries).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          event: 'policies.unreadable',
          fields: expect.objectContaining({
            source: 'policy.txt',
            warning: expect.stringMatching(/^No text found/),
          }),
        }),
      );
    } finally {
      await bot.stop();
      fs.rmSync(policies, { recursive: true, force: true });
    }
  });
});

describe('bad input never crashes the bot or leaks a stack trace', () => {
  let connector: LocalBotConnector;
  let bot: RunningBot;

  beforeAll(async () => {
    connector = await new LocalBotConnector().start();
    bot = await startBot();
  });

  afterAll(async () => {
    await bot?.stop();
    await connector?.stop();
    removeTemporaryFolders();
  });

  const valid = () =>
    messageActivity('hello', { serviceUrl: connector.serviceUrl, conversationId: 'a:bad-input' });

  it.each<[string, () => string, number]>([
    ['malformed JSON', () => '{"type": "message", ', 400],
    ['a JSON array', () => '[]', 400],
    ['no activity type', () => JSON.stringify({ ...valid(), type: undefined }), 400],
    ['an unknown activity type', () => JSON.stringify({ ...valid(), type: 'somethingElse' }), 400],
    ['no conversation', () => JSON.stringify({ ...valid(), conversation: undefined }), 400],
    ['no serviceUrl', () => JSON.stringify({ ...valid(), serviceUrl: undefined }), 400],
    ['a serviceUrl that is not a URL', () => JSON.stringify({ ...valid(), serviceUrl: 'not a url' }), 400],
    ['text that is not a string', () => JSON.stringify({ ...valid(), text: { evil: true } }), 400],
    ['a 1 MB message', () => JSON.stringify({ ...valid(), text: 'x'.repeat(1024 * 1024) }), 413],
  ])('answers %s with a clear 4xx', async (_case, body, status) => {
    const response = await bot.post(body());
    expect(response.status).toBe(status);
    expect(response.body).not.toMatch(/\bat .*\.(js|ts):\d+/);
    expect(JSON.parse(response.body)).toHaveProperty('error');
  });

  it('politely refuses an over-long question instead of processing it', async () => {
    const response = await bot.post(
      messageActivity('Can I '.repeat(1000), { serviceUrl: connector.serviceUrl, conversationId: 'a:long' }),
    );
    expect(response.status).toBe(200);
    expect(connector.sentTo('a:long').at(-1)?.activity.text).toMatch(/shorter question/);
  });

  it('asks for text when a message has none (e.g. only an attachment)', async () => {
    const activity = { ...valid(), conversation: { id: 'a:empty' }, text: '' };
    const response = await bot.post(activity);
    expect(response.status).toBe(200);
    expect(connector.sentTo('a:empty').at(-1)?.activity.text).toMatch(/typed text/);
  });

  it('still answers normally after all of that', async () => {
    await bot.post(messageActivity('help', { serviceUrl: connector.serviceUrl, conversationId: 'a:after' }));
    expect(connector.sentTo('a:after').at(-1)?.activity.text).toMatch(/Here is what I can do/);
  });
});

describe('conversation state survives a restart', () => {
  afterAll(() => removeTemporaryFolders());

  it('does not welcome the same conversation twice across a restart', async () => {
    const connector = await new LocalBotConnector().start();
    try {
      const first = await startBot();
      const options = { serviceUrl: connector.serviceUrl, conversationId: 'a:restart' };
      await first.post(messageActivity('Can I use AI to write reports?', options));
      await first.stop();
      const second = await startBot({ dataFolder: first.dataFolder });
      await second.post(messageActivity('Can I use AI to plan lessons?', options));
      await second.stop();
      const cards = connector
        .sentTo('a:restart')
        .filter(
          (recorded) =>
            recorded.activity.attachments?.[0]?.contentType === 'application/vnd.microsoft.card.adaptive',
        );
      expect(cards).toHaveLength(1);
    } finally {
      await connector.stop();
    }
  });
});
