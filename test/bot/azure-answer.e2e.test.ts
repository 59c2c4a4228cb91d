/**
 * Policy questions answered by Azure OpenAI, end to end through the real bot: a Teams-shaped activity
 * in at /api/messages, the real teams-ai planner calling a local server that speaks the Azure OpenAI
 * chat-completions API over HTTPS, and the reply out through the real ConnectorClient to a local Bot
 * Connector. Every unusable model reply must leave the person with the offline extractive answer.
 */
import https from 'node:https';
import { loadConfig } from '../../src/config';
import { citationTitle, answerActivity } from '../../src/bot/qa-reply';
import { citationOf } from '../../src/qa/extractive-answerer';
import { createPolicyLibrary, type PolicyLibrary } from '../../src/qa/library';
import { stripPersonalData } from '../../src/qa/personal-data';
import { RecordingLogger } from '../../src/shared/logger';
import { systemClock } from '../../src/shared/clock';
import {
  startAzureOpenAiServer,
  type AzureOpenAiTestServer,
  type ScriptedReply,
} from '../support/azure-openai-server';
import { LocalBotConnector } from '../support/bot-connector';
import { removeTemporaryFolders, startBot, type RunningBot } from '../support/bot-harness';
import { messageActivity } from '../support/teams-activities';

const apiKey = 'e2e-test-key-0123456789';
const deployment = 'gpt-4o';
// Small enough that the slow-reply case stays quick, large enough for a loaded test machine.
const budgetMs = 4000;

// Every question retrieves passages from the bundled example policy, so the model is consulted.
const breachQuestion = 'Who should I tell about a data breach?';

interface RecordedEntity {
  additionalType?: string[];
  citation?: {
    '@type': string;
    position: number;
    appearance: { '@type': string; name: string; abstract: string; keywords?: string[] };
  }[];
}

let server: AzureOpenAiTestServer;
let connector: LocalBotConnector;
let bot: RunningBot;
let logger: RecordingLogger;
let library: PolicyLibrary;
let conversationCounter = 0;

beforeAll(async () => {
  server = await startAzureOpenAiServer({ apiKey, deployments: [deployment] });
  connector = await new LocalBotConnector().start();
  logger = new RecordingLogger();
  bot = await startBot({
    env: {
      AZURE_OPENAI_ENDPOINT: server.endpoint,
      AZURE_OPENAI_DEPLOYMENT: deployment,
      AZURE_OPENAI_API_KEY: apiKey,
      AZURE_OPENAI_TIMEOUT_MS: String(budgetMs),
    },
    overrides: {
      logger,
      azureOpenAIConnection: { httpAgent: new https.Agent({ ca: server.certificate, keepAlive: true }) },
    },
  });
  // The offline answerer over the same policies the bot reads: what every fallback must equal.
  library = await createPolicyLibrary({ paths: [loadConfig({}).policiesPath], clock: systemClock });
});

afterAll(async () => {
  await bot?.stop();
  await connector?.stop();
  await server?.close();
  removeTemporaryFolders();
});

beforeEach(() => server.reset());

/** Asks in a fresh personal chat and returns the answer the connector received. */
async function ask(question: string, ...replies: ScriptedReply[]) {
  server.script(...replies);
  const conversationId = `a:azure-e2e-${(conversationCounter += 1)}`;
  const activity = messageActivity(question, { serviceUrl: connector.serviceUrl, conversationId });
  const response = await bot.post(activity);
  expect(response.status).toBe(200);
  const sent = connector.sentTo(conversationId, { includeTyping: true });
  // The last message is the answer (the first turn of a conversation also gets the welcome card).
  const answer = sent.filter((recorded) => recorded.activity.type === 'message').at(-1);
  if (!answer) throw new Error(`no answer reached the connector for "${question}"`);
  return { activity, answer, sent };
}

/** What the offline answerer replies, with the personal-data notice the bot puts first. */
async function offlineText(question: string): Promise<string> {
  const guarded = stripPersonalData(question);
  const offline = await library.answerer.answer(guarded.cleaned);
  return (
    answerActivity(guarded.notice ? { ...offline, personalDataNotice: guarded.notice } : offline).text ?? ''
  );
}

/** The reply's paragraphs: notice, answer, and a review warning when the cited policy is overdue. */
function paragraphs(text: string | undefined): string[] {
  return (text ?? '').split('\n\n');
}

function modelMessages(): string {
  return server.requests.map((request) => request.rawBody).join('\n');
}

describe('a policy question answered by Azure OpenAI through the bot', () => {
  it('replies with the model answer, Teams citation entities for the sources it cited, the AI label and feedback buttons', async () => {
    const sources = library.retriever.search(breachQuestion, 5);
    expect(sources.length).toBeGreaterThan(1);
    const modelText =
      'Report it to the Data Protection Officer at once [2], and follow the breach procedure [1].';

    const { activity, answer } = await ask(breachQuestion, { kind: 'success', content: modelText });

    // The question reached "Azure" with the retrieved sources, once.
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0].deployment).toBe(deployment);
    expect(modelMessages()).toContain(breachQuestion);
    // Markers are renumbered in order of first citation: source 2 becomes [1], source 1 becomes [2].
    expect(paragraphs(answer.activity.text)[0]).toBe(
      'Report it to the Data Protection Officer at once [1], and follow the breach procedure [2].',
    );
    expect(answer.activityId).toBe(activity.id);
    expect(answer.activity.channelData).toEqual({ feedbackLoopEnabled: true });
    const [entity] = answer.activity.entities as RecordedEntity[];
    expect(entity.additionalType).toEqual(['AIGeneratedContent']);
    const expectedTitles = [sources[1], sources[0]].map((source) => citationTitle(citationOf(source)));
    expect(entity.citation?.map((citation) => citation.appearance.name)).toEqual(expectedTitles);
    expect(entity.citation?.length).toBeLessThanOrEqual(20);
    for (const citation of entity.citation ?? []) {
      expect(citation['@type']).toBe('Claim');
      expect(citation.appearance['@type']).toBe('DigitalDocument');
      expect(citation.appearance.name.length).toBeLessThanOrEqual(80);
      expect(citation.appearance.abstract.length).toBeLessThanOrEqual(160);
      expect(citation.appearance.abstract.length).toBeGreaterThan(0);
      expect(answer.activity.text).toContain(`[${citation.position}]`);
    }
  });

  it('honours a short retry-after from a 429 and then answers from the model', async () => {
    const { answer } = await ask(
      breachQuestion,
      { kind: 'rate-limited', retryAfterSeconds: 1, retryAfterMs: 50 },
      { kind: 'success', content: 'Tell the Data Protection Officer [1].' },
    );
    expect(server.requests.map((request) => request.status)).toEqual([429, 200]);
    expect(paragraphs(answer.activity.text)[0]).toBe('Tell the Data Protection Officer [1].');
  });

  // The statuses "Azure" answered with: 0 means the bot gave up and closed the request first.
  it.each<[string, ScriptedReply[], number[]]>([
    ['cites a source it was not given', [{ kind: 'success', content: 'Tell the DPO [7].' }], [200]],
    ['cites nothing', [{ kind: 'success', content: 'Tell the Data Protection Officer.' }], [200]],
    ['says the sources do not cover it', [{ kind: 'success', content: 'NOT_COVERED' }], [200]],
    ['is rate limited for longer than the budget', [{ kind: 'rate-limited', retryAfterSeconds: 60 }], [429]],
    ['fails with a 500', [{ kind: 'server-error' }], [500]],
    ['refuses the prompt (content filter)', [{ kind: 'prompt-filtered' }], [400]],
    ['filters its completion (content filter)', [{ kind: 'completion-filtered' }], [200]],
    [
      'replies after the time budget',
      [{ kind: 'slow', delayMs: budgetMs * 4, content: 'Too late [1].' }],
      [0],
    ],
  ])('falls back to the offline answer when the model %s', async (_case, replies, statuses) => {
    const { answer } = await ask(breachQuestion, ...replies);
    expect(server.requests.map((request) => request.status)).toEqual(statuses);
    expect(answer.activity.text).toBe(await offlineText(breachQuestion));
    // The offline answer is still a cited, labelled answer.
    const [entity] = answer.activity.entities as RecordedEntity[];
    expect(entity.additionalType).toEqual(['AIGeneratedContent']);
    expect(entity.citation?.length).toBeGreaterThan(0);
    expect(logger.entries.some((entry) => entry.event === 'qa.azure.fallback')).toBe(true);
  });

  it('shows a typing indicator while a slow model reply is awaited, before the answer', async () => {
    const { sent } = await ask(breachQuestion, {
      kind: 'slow',
      delayMs: 1200,
      content: 'Tell the Data Protection Officer [1].',
    });
    const types = sent.filter((recorded) => !recorded.activity.attachments).map((r) => r.activity.type);
    expect(types).toEqual(['typing', 'message']);
  });

  it('answers a question asked in a channel as a reply in its thread', async () => {
    server.script({ kind: 'success', content: 'Tell the Data Protection Officer [1].' });
    const threadId = '19:general@thread.tacv2;messageid=1700000000001';
    const question = messageActivity(breachQuestion, {
      serviceUrl: connector.serviceUrl,
      conversationId: threadId,
      kind: 'channel',
      channelId: '19:general@thread.tacv2',
    });
    await bot.post(question);
    const reply = connector
      .sentTo(threadId)
      .filter((recorded) => recorded.activity.entities)
      .at(-1);
    expect(reply?.conversationId).toBe(threadId);
    expect(reply?.activityId).toBe(question.id);
    expect(reply?.activity.replyToId).toBe(question.id);
    expect(paragraphs(reply?.activity.text)[0]).toBe('Tell the Data Protection Officer [1].');
  });
});

describe('personal data in a question never reaches Azure OpenAI or the logs', () => {
  it.each<[string, string, string[]]>([
    ['an email address', 'Can I paste jamie.smith@example.org into an AI tool?', ['jamie.smith@example.org']],
    [
      'a phone number',
      'A parent on 07700 900123 called about AI notetakers; what do I tell them?',
      ['07700 900123'],
    ],
    ['a UPN', 'Can I put UPN A123456789012 into an AI tool to write a report?', ['A123456789012']],
    [
      'an NI number',
      'Can AI draft a letter for a colleague with NI number QQ 12 34 56 C?',
      ['QQ 12 34 56 C'],
    ],
    [
      'a date of birth',
      'A pupil born 12/03/2014 wants to use AI for homework; is that allowed?',
      ['12/03/2014'],
    ],
    ['a postcode', 'Who do I tell about a data breach at our SW1A 1AA site?', ['SW1A 1AA']],
    [
      'a named pupil with an EHCP',
      "Can I put Jamie Smith's EHCP into an AI tool to summarise it?",
      ['Jamie', 'Smith'],
    ],
  ])(
    'removes %s, tells the person why in one line, and answers the rest',
    async (_kind, question, secrets) => {
      const logged = logger.entries.length;
      const { answer } = await ask(question, {
        kind: 'success',
        content: 'Do not enter personal data into AI tools [1].',
      });

      expect(server.requests).toHaveLength(1);
      for (const secret of secrets) {
        expect(modelMessages()).not.toContain(secret);
        expect(JSON.stringify(logger.entries.slice(logged))).not.toContain(secret);
      }
      const [notice, modelAnswer] = paragraphs(answer.activity.text);
      expect(notice).toBe(stripPersonalData(question).notice);
      expect(notice).not.toContain('\n');
      expect(notice).toMatch(/personal data/i);
      expect(modelAnswer).toBe('Do not enter personal data into AI tools [1].');
    },
  );

  it('keeps the personal data out of a fallback and its logs too', async () => {
    const question =
      "Jamie Smith's EHCP was emailed to jamie.smith@example.org by mistake: who do I tell about a data breach?";
    const logged = logger.entries.length;
    const { answer } = await ask(question, { kind: 'server-error' });
    expect(server.requests).toHaveLength(1);
    for (const secret of ['Jamie', 'Smith', 'jamie.smith@example.org']) {
      expect(modelMessages()).not.toContain(secret);
      expect(JSON.stringify(logger.entries.slice(logged))).not.toContain(secret);
    }
    expect(answer.activity.text).toBe(await offlineText(question));
    expect(answer.activity.text).toContain(stripPersonalData(question).notice);
  });
});
