/**
 * The Azure path over real HTTPS: AzureAnswerer → TeamsAiAzureChatModel (teams-ai ActionPlanner +
 * OpenAIModel) → a local server speaking the Azure OpenAI chat-completions API.
 */
import https from 'node:https';
import {
  azureChatModelFromConfig,
  AzureOpenAiSettings,
  TeamsAiAzureChatModel,
} from '../../src/bot/azure-chat-model';
import { AzureAnswerer, ChatCompletionResult } from '../../src/qa/azure-answerer';
import { Answer, PolicyAnswerer, PolicyDocumentMeta, RetrievedPassage, Retriever } from '../../src/qa/types';
import { RecordingLogger } from '../../src/shared/logger';
import { AzureOpenAiTestServer, ScriptedReply, startAzureOpenAiServer } from '../support/azure-openai-server';

const apiKey = 'test-key-0123456789';
const bearerToken = 'managed-identity-token';
const apiVersion = '2024-10-21';

// An invented policy: the real ones are never copied into the project.
const meta: PolicyDocumentMeta = { source: 'oakfield-ai-policy.md', title: 'Oakfield Trust AI Policy' };
const passages: RetrievedPassage[] = [
  {
    passage: {
      id: 'p1',
      source: meta.source,
      document: meta.title,
      section: '4.2',
      heading: 'Staff use of AI tools',
      headingPath: ['4. Using AI', '4.2 Staff use of AI tools'],
      text: 'Staff must not enter personal data about pupils, such as EHCPs, into any AI tool.',
    },
    score: 3.2,
    documentMeta: meta,
  },
  {
    passage: {
      id: 'p2',
      source: meta.source,
      document: meta.title,
      section: '6.1',
      heading: 'Reporting concerns',
      headingPath: ['6. Concerns', '6.1 Reporting concerns'],
      text: 'Report any misuse of AI tools to the Data Protection Officer.',
    },
    score: 2.1,
    documentMeta: meta,
  },
];

const retriever: Retriever = { search: (_question, limit) => passages.slice(0, limit) };

const offlineAnswer: Answer = {
  kind: 'answered',
  text: 'Staff must not enter personal data about pupils, such as EHCPs, into any AI tool. [1]',
  citations: [
    {
      source: meta.source,
      document: meta.title,
      section: '4.2',
      heading: 'Staff use of AI tools',
      quote: passages[0].passage.text,
    },
  ],
  generatedBy: 'extractive',
};

class RecordingFallback implements PolicyAnswerer {
  readonly questions: string[] = [];
  answer(question: string): Promise<Answer> {
    this.questions.push(question);
    return Promise.resolve(offlineAnswer);
  }
}

let server: AzureOpenAiTestServer;
let consoleLog: jest.SpyInstance;

beforeAll(async () => {
  server = await startAzureOpenAiServer({ apiKey, bearerToken });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.reset();
  // teams-ai's OpenAIModel prints every HTTP error with console.log; keep the test output readable,
  // and keep the calls so a test can check nothing personal was printed either.
  consoleLog = jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => consoleLog.mockRestore());

function settings(overrides: Partial<AzureOpenAiSettings> = {}): AzureOpenAiSettings {
  return {
    endpoint: server.endpoint,
    deployment: 'gpt-4o',
    apiVersion,
    apiKey,
    httpAgent: new https.Agent({ ca: server.certificate }),
    ...overrides,
  };
}

function answererWith(options: { budgetMs?: number; settings?: Partial<AzureOpenAiSettings> } = {}) {
  const logger = new RecordingLogger();
  const fallback = new RecordingFallback();
  const answerer = new AzureAnswerer({
    retriever,
    model: new TeamsAiAzureChatModel(settings(options.settings), logger),
    fallback,
    logger,
    budgetMs: options.budgetMs ?? 8000,
    minimumCallMs: 500,
  });
  return { answerer, fallback, logger };
}

const fallbackReasons = (logger: RecordingLogger): unknown[] =>
  logger.entries.filter((entry) => entry.event === 'qa.azure.fallback').map((entry) => entry.fields?.reason);

describe('the teams-ai chat model classifies what Azure said', () => {
  const cases: { name: string; reply: ScriptedReply; expected: ChatCompletionResult }[] = [
    {
      name: 'success',
      reply: { kind: 'success', content: 'Yes [1].' },
      expected: { kind: 'ok', text: 'Yes [1].' },
    },
    {
      name: '429 with retry-after-ms',
      reply: { kind: 'rate-limited', retryAfterSeconds: 1, retryAfterMs: 250 },
      expected: { kind: 'rate-limited', retryAfterMs: 250 },
    },
    {
      name: '429 with retry-after only',
      reply: { kind: 'rate-limited', retryAfterSeconds: 2 },
      expected: { kind: 'rate-limited', retryAfterMs: 2000 },
    },
    {
      name: '500',
      reply: { kind: 'server-error' },
      expected: { kind: 'failed', status: 500, detail: 'HTTP 500 InternalServerError' },
    },
    {
      name: '400 content_filter',
      reply: { kind: 'prompt-filtered' },
      expected: { kind: 'content-filtered' },
    },
    {
      name: 'finish_reason content_filter',
      reply: { kind: 'completion-filtered' },
      expected: { kind: 'content-filtered' },
    },
    {
      name: 'slow',
      reply: { kind: 'slow', delayMs: 20_000, content: 'Late [1].' },
      expected: { kind: 'timed-out' },
    },
  ];

  test.each(cases)('$name', async ({ reply, expected }) => {
    server.script(reply);
    const model = new TeamsAiAzureChatModel(settings(), new RecordingLogger());
    expect(await model.complete({ sources: '[1] A — b\nc', question: 'Q?' }, { timeoutMs: 400 })).toEqual(
      expected,
    );
    expect(server.requests).toHaveLength(1);
  });
});

describe('Azure OpenAI over HTTPS through teams-ai', () => {
  test('a cited reply becomes the answer; the request follows the Azure API and carries the prompt', async () => {
    server.script({
      kind: 'success',
      content: 'No: staff must not put EHCPs into AI tools [1]. Report misuse to the DPO [2].',
    });
    const { answerer, fallback } = answererWith();

    const answer = await answerer.answer('Can I put an EHCP into Copilot?');

    expect(answer).toEqual({
      kind: 'answered',
      text: 'No: staff must not put EHCPs into AI tools [1]. Report misuse to the DPO [2].',
      citations: [
        {
          source: meta.source,
          document: meta.title,
          section: '4.2',
          heading: 'Staff use of AI tools',
          quote: passages[0].passage.text,
        },
        {
          source: meta.source,
          document: meta.title,
          section: '6.1',
          heading: 'Reporting concerns',
          quote: passages[1].passage.text,
        },
      ],
      generatedBy: 'azure-openai',
    });
    expect(fallback.questions).toEqual([]);
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'POST', deployment: 'gpt-4o', apiVersion, apiKey, status: 200 });
    const messages = request.body?.messages ?? [];
    expect(messages.map((message) => message.role)).toEqual(['system', 'user']);
    expect(messages[0].content).toContain('reply with exactly NOT_COVERED');
    expect(messages[0].content).toContain(
      '[1] Oakfield Trust AI Policy — section 4.2: Staff use of AI tools\nStaff must not enter personal data about pupils',
    );
    expect(messages[0].content).toContain('[2] Oakfield Trust AI Policy — section 6.1: Reporting concerns');
    expect(messages[1].content).toBe('Can I put an EHCP into Copilot?');
    // From prompts/answer/config.json.
    expect(request.body).toMatchObject({ temperature: 0, max_tokens: 400 });
  });

  test('built from the bot configuration with an API key', async () => {
    server.script({ kind: 'success', content: 'No [1].' });
    const logger = new RecordingLogger();
    const model = azureChatModelFromConfig(
      { endpoint: server.endpoint, deployment: 'gpt-4o', apiVersion, apiKey, timeoutMs: 8000 },
      undefined,
      logger,
      { httpAgent: new https.Agent({ ca: server.certificate }) },
    );
    expect(await model.complete({ sources: '[1] A — b\nc', question: 'Q?' }, { timeoutMs: 5000 })).toEqual({
      kind: 'ok',
      text: 'No [1].',
    });
    expect(server.requests[0]).toMatchObject({ apiKey, apiVersion, deployment: 'gpt-4o', status: 200 });
  });

  test('managed identity: the token goes in the Authorization header and no api-key is sent', async () => {
    server.script({ kind: 'success', content: 'No [1].' });
    const { answerer } = answererWith({
      settings: { apiKey: undefined, tokenProvider: () => Promise.resolve(bearerToken) },
    });
    const answer = await answerer.answer('Can I put an EHCP into Copilot?');
    expect(answer.kind === 'answered' && answer.generatedBy).toBe('azure-openai');
    expect(server.requests[0]).toMatchObject({
      authorization: `Bearer ${bearerToken}`,
      apiKey: undefined,
      status: 200,
    });
  });

  test('429 with a short retry-after: waits, retries once, and answers', async () => {
    server.script(
      { kind: 'rate-limited', retryAfterSeconds: 1, retryAfterMs: 50 },
      { kind: 'success', content: 'No [1].' },
    );
    const { answerer, logger } = answererWith();
    const answer = await answerer.answer('Can I put an EHCP into Copilot?');
    expect(answer).toMatchObject({ kind: 'answered', text: 'No [1].', generatedBy: 'azure-openai' });
    expect(server.requests.map((request) => request.status)).toEqual([429, 200]);
    expect(logger.entries).toContainEqual({
      level: 'info',
      event: 'qa.azure.retry-after',
      fields: { waitMs: 50 },
    });
  });

  test('429 with a retry-after longer than the budget: falls back at once without retrying', async () => {
    server.script({ kind: 'rate-limited', retryAfterSeconds: 30 }, { kind: 'success', content: 'No [1].' });
    const { answerer, logger, fallback } = answererWith();
    expect(await answerer.answer('Can I put an EHCP into Copilot?')).toEqual(offlineAnswer);
    expect(server.requests.map((request) => request.status)).toEqual([429]);
    expect(fallback.questions).toHaveLength(1);
    expect(fallbackReasons(logger)).toEqual(['rate-limited']);
  });

  const fallbackCases: { name: string; reply: ScriptedReply; reason: string; status: number }[] = [
    { name: '500', reply: { kind: 'server-error' }, reason: 'failed', status: 500 },
    { name: '503', reply: { kind: 'server-error', status: 503 }, reason: 'failed', status: 503 },
    {
      name: 'content filter on the prompt (400 content_filter)',
      reply: { kind: 'prompt-filtered' },
      reason: 'content-filtered',
      status: 400,
    },
    {
      name: 'content filter on the completion',
      reply: { kind: 'completion-filtered' },
      reason: 'content-filtered',
      status: 200,
    },
    {
      name: 'a reply citing a source it was not given',
      reply: { kind: 'success', content: 'Yes [3].' },
      reason: 'unknown-citation',
      status: 200,
    },
    {
      name: 'a reply without citations',
      reply: { kind: 'success', content: 'Yes, that is fine.' },
      reason: 'no-citation',
      status: 200,
    },
    {
      name: 'NOT_COVERED',
      reply: { kind: 'success', content: 'NOT_COVERED' },
      reason: 'not-covered',
      status: 200,
    },
  ];

  test.each(fallbackCases)('$name falls back to the offline answer', async ({ reply, reason, status }) => {
    server.script(reply);
    const { answerer, fallback, logger } = answererWith();
    expect(await answerer.answer('Can I put an EHCP into Copilot?')).toEqual(offlineAnswer);
    expect(fallback.questions).toEqual(['Can I put an EHCP into Copilot?']);
    expect(fallbackReasons(logger)).toEqual([reason]);
    expect(server.requests.map((request) => request.status)).toEqual([status]);
  });

  test('a slow reply is abandoned within the budget: the request is cancelled and the offline answer given', async () => {
    server.script({ kind: 'slow', delayMs: 20_000, content: 'Too late [1].' });
    const { answerer, fallback, logger } = answererWith({ budgetMs: 800 });
    expect(await answerer.answer('Can I put an EHCP into Copilot?')).toEqual(offlineAnswer);
    expect(fallback.questions).toHaveLength(1);
    expect(fallbackReasons(logger)).toEqual(['timed-out']);
    // Status 0: the client went away before the server replied.
    await waitFor(() => server.requests.length === 1 && server.requests[0].status === 0);
  });

  test('a wrong key: 401, logged as an error for the operator, offline answer given', async () => {
    const { answerer, fallback, logger } = answererWith({ settings: { apiKey: 'wrong-key' } });
    expect(await answerer.answer('Can I put an EHCP into Copilot?')).toEqual(offlineAnswer);
    expect(fallback.questions).toHaveLength(1);
    expect(server.requests.map((request) => request.status)).toEqual([401]);
    expect(logger.entries).toContainEqual({
      level: 'error',
      event: 'azure-openai.unauthorised',
      fields: { status: 401 },
    });
    expect(logger.text()).not.toContain('wrong-key');
  });

  test('an unknown deployment: 404, offline answer given', async () => {
    const { answerer, logger } = answererWith({ settings: { deployment: 'gpt-9' } });
    expect(await answerer.answer('Can I put an EHCP into Copilot?')).toEqual(offlineAnswer);
    expect(server.requests.map((request) => request.status)).toEqual([404]);
    expect(logger.entries).toContainEqual({
      level: 'warn',
      event: 'azure-openai.http-error',
      fields: { status: 404, code: 'DeploymentNotFound' },
    });
  });

  test('personal data never reaches Azure, nor the logs, whatever Azure replies', async () => {
    const personal = [
      'Jamie',
      'Smith',
      '12/06/2015',
      'A123456789012',
      '07700 900123',
      'SW1A 1AA',
      'jamie@example.com',
    ];
    const question =
      "Can I paste Jamie Smith's EHCP into Copilot? DOB 12/06/2015, UPN A123456789012, mum on 07700 900123, lives SW1A 1AA, jamie@example.com";
    server.script(
      { kind: 'success', content: 'No [1].' },
      { kind: 'server-error' },
      { kind: 'rate-limited', retryAfterSeconds: 1, retryAfterMs: 10 },
      { kind: 'prompt-filtered' },
    );
    const { answerer, fallback, logger } = answererWith();
    const answers = [];
    for (let round = 0; round < 3; round++) answers.push(await answerer.answer(question));

    expect(server.requests).toHaveLength(4);
    const everything =
      server.requests.map((request) => request.rawBody).join('\n') +
      logger.text() +
      JSON.stringify(consoleLog.mock.calls) +
      fallback.questions.join('\n');
    for (const item of personal) expect(everything).not.toContain(item);
    expect(server.requests[0].body?.messages[1].content).toBe(
      "Can I paste [a pupil's] EHCP into Copilot? DOB [a date of birth], UPN [a UPN], mum on [a phone number], lives [a postcode], [an email address]",
    );
    for (const answer of answers) {
      expect(answer.personalDataNotice).toBe(
        'I removed a name, a date of birth, a UPN, a phone number, a postcode and an email address before answering: the policy says not to put personal data into AI tools.',
      );
    }
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 100 && !condition(); attempt++)
    await new Promise((resolve) => setTimeout(resolve, 20));
  expect(condition()).toBe(true);
}
