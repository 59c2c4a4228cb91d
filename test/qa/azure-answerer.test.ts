import {
  AnswerPrompt,
  AzureAnswerer,
  ChatCompletionResult,
  ChatModel,
  checkCitations,
  CitationCheck,
  formatSources,
} from '../../src/qa/azure-answerer';
import { Answer, PolicyAnswerer, PolicyDocumentMeta, RetrievedPassage, Retriever } from '../../src/qa/types';
import { ManualClock } from '../../src/shared/clock';
import { RecordingLogger } from '../../src/shared/logger';

// An invented trust and policy: the real policies are never copied into the project.
const aiPolicy: PolicyDocumentMeta = { source: 'oakfield-ai-policy.md', title: 'Oakfield Trust AI Policy' };
const oldPolicy: PolicyDocumentMeta = {
  source: 'oakfield-data-policy.md',
  title: 'Oakfield Trust Data Protection Policy',
  nextReview: '2023-09-01',
  pastReview: true,
};

function retrieved(
  meta: PolicyDocumentMeta,
  section: string,
  heading: string,
  text: string,
): RetrievedPassage {
  return {
    passage: {
      id: `${meta.source}#${section}`,
      source: meta.source,
      document: meta.title,
      section,
      heading,
      headingPath: [heading],
      text,
    },
    score: 1,
    documentMeta: meta,
  };
}

const passages: RetrievedPassage[] = [
  retrieved(
    aiPolicy,
    '4.2',
    'Staff use of AI tools',
    'Staff may use approved AI tools for planning. No pupil personal data may be entered into any AI tool.',
  ),
  retrieved(
    oldPolicy,
    '7.1',
    'Reporting a breach',
    'Report a suspected data breach to the Data Protection Officer on the day it is found.',
  ),
  retrieved(
    aiPolicy,
    'Appendix 1',
    'Approved tools',
    'Microsoft Copilot with the school account is approved. ' + 'Long text. '.repeat(200),
  ),
];

class FixedRetriever implements Retriever {
  readonly questions: string[] = [];
  constructor(private readonly result: RetrievedPassage[]) {}
  search(question: string, limit: number): RetrievedPassage[] {
    this.questions.push(question);
    return this.result.slice(0, limit);
  }
}

/** Replies from a script; optionally moves the manual clock to stand for time spent waiting on Azure. */
class ScriptedModel implements ChatModel {
  readonly calls: { prompt: AnswerPrompt; timeoutMs: number }[] = [];
  constructor(
    private readonly replies: (ChatCompletionResult | 'hang' | 'throw')[],
    private readonly clock?: ManualClock,
    private readonly millisecondsPerCall = 0,
  ) {}
  complete(prompt: AnswerPrompt, options: { timeoutMs: number }): Promise<ChatCompletionResult> {
    this.calls.push({ prompt, timeoutMs: options.timeoutMs });
    this.clock?.advance(this.millisecondsPerCall);
    const reply = this.replies.shift() ?? { kind: 'failed', detail: 'unscripted' };
    if (reply === 'hang') return new Promise(() => undefined);
    if (reply === 'throw') return Promise.reject(new TypeError('socket hang up'));
    return Promise.resolve(reply);
  }
}

const offlineAnswer: Answer = {
  kind: 'answered',
  text: 'No pupil personal data may be entered into any AI tool. [1]',
  citations: [
    {
      source: aiPolicy.source,
      document: aiPolicy.title,
      section: '4.2',
      heading: 'Staff use of AI tools',
      quote: 'No pupil personal data may be entered into any AI tool.',
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

function setUp(
  replies: (ChatCompletionResult | 'hang' | 'throw')[],
  overrides: { result?: RetrievedPassage[]; budgetMs?: number; millisecondsPerCall?: number } = {},
) {
  const clock = new ManualClock('2025-03-10T09:00:00Z');
  const model = new ScriptedModel(replies, clock, overrides.millisecondsPerCall ?? 0);
  const retriever = new FixedRetriever(overrides.result ?? passages);
  const fallback = new RecordingFallback();
  const logger = new RecordingLogger();
  const waits: number[] = [];
  const answerer = new AzureAnswerer({
    retriever,
    model,
    fallback,
    logger,
    clock,
    sleep: (milliseconds) => {
      waits.push(milliseconds);
      clock.advance(milliseconds);
      return Promise.resolve();
    },
    budgetMs: overrides.budgetMs ?? 8000,
    minimumCallMs: 1500,
  });
  return { answerer, model, retriever, fallback, logger, waits };
}

const fallbackReasons = (logger: RecordingLogger): unknown[] =>
  logger.entries.filter((entry) => entry.event === 'qa.azure.fallback').map((entry) => entry.fields?.reason);

describe('checking the citations in a reply', () => {
  const cases: { reply: string; sources: number; expected: CitationCheck }[] = [
    {
      reply: 'Use approved tools only [3]. Report breaches the same day [2].',
      sources: 3,
      expected: {
        kind: 'accepted',
        text: 'Use approved tools only [1]. Report breaches the same day [2].',
        cited: [3, 2],
      },
    },
    {
      reply: 'Copilot is approved but no pupil data may go in [1, 3].',
      sources: 3,
      expected: {
        kind: 'accepted',
        text: 'Copilot is approved but no pupil data may go in [1][2].',
        cited: [1, 3],
      },
    },
    { reply: 'Yes [2][2].', sources: 2, expected: { kind: 'accepted', text: 'Yes [1][1].', cited: [2] } },
    {
      reply: 'See the guidance [4].',
      sources: 3,
      expected: { kind: 'rejected', reason: 'unknown-citation' },
    },
    {
      reply: 'See the guidance [1] and [0].',
      sources: 3,
      expected: { kind: 'rejected', reason: 'unknown-citation' },
    },
    {
      reply: 'Yes, staff may use Copilot.',
      sources: 3,
      expected: { kind: 'rejected', reason: 'no-citation' },
    },
    { reply: 'Yes (source 1).', sources: 3, expected: { kind: 'rejected', reason: 'no-citation' } },
    { reply: 'NOT_COVERED', sources: 3, expected: { kind: 'rejected', reason: 'not-covered' } },
    { reply: 'NOT_COVERED [1]', sources: 3, expected: { kind: 'rejected', reason: 'not-covered' } },
    { reply: '   \n', sources: 3, expected: { kind: 'rejected', reason: 'empty-reply' } },
  ];
  test.each(cases)('$reply with $sources sources', ({ reply, sources, expected }) => {
    expect(checkCitations(reply, sources)).toEqual(expected);
  });
});

describe('the sources the model sees', () => {
  test('are numbered from 1 in retrieval order, with document, section and heading, each at most 1,200 characters', () => {
    const text = formatSources(passages);
    const blocks = text.split('\n\n');
    expect(blocks).toHaveLength(3);
    expect(blocks[0]).toBe(
      '[1] Oakfield Trust AI Policy — section 4.2: Staff use of AI tools\nStaff may use approved AI tools for planning. No pupil personal data may be entered into any AI tool.',
    );
    expect(
      blocks[1].startsWith('[2] Oakfield Trust Data Protection Policy — section 7.1: Reporting a breach\n'),
    ).toBe(true);
    expect(blocks[2].split('\n')[1].length).toBeLessThanOrEqual(1200);
  });
});

describe('Azure answerer: which replies are used and which fall back to the offline answer', () => {
  const cases: { name: string; reply: ChatCompletionResult | 'throw'; reason?: string }[] = [
    {
      name: 'a cited answer is used',
      reply: { kind: 'ok', text: 'Only approved tools [3], and no pupil data [1].' },
    },
    {
      name: 'a citation to a source it was not given',
      reply: { kind: 'ok', text: 'Yes [7].' },
      reason: 'unknown-citation',
    },
    {
      name: 'an answer without any citation',
      reply: { kind: 'ok', text: 'Yes, that is fine.' },
      reason: 'no-citation',
    },
    {
      name: 'NOT_COVERED although the retriever found passages',
      reply: { kind: 'ok', text: 'NOT_COVERED' },
      reason: 'not-covered',
    },
    { name: 'an empty reply', reply: { kind: 'ok', text: '' }, reason: 'empty-reply' },
    { name: 'a content-filter refusal', reply: { kind: 'content-filtered' }, reason: 'content-filtered' },
    { name: 'a server error', reply: { kind: 'failed', status: 500, detail: 'HTTP 500' }, reason: 'failed' },
    { name: 'a timeout', reply: { kind: 'timed-out' }, reason: 'timed-out' },
    { name: '429 without a retry-after', reply: { kind: 'rate-limited' }, reason: 'rate-limited' },
    { name: 'a model that throws', reply: 'throw', reason: 'failed' },
  ];

  test.each(cases)('$name', async ({ reply, reason }) => {
    const { answerer, fallback, logger } = setUp([reply]);
    const answer = await answerer.answer('Can I use Copilot for planning?');
    if (reason === undefined) {
      expect(answer).toEqual({
        kind: 'answered',
        text: 'Only approved tools [1], and no pupil data [2].',
        citations: [
          expect.objectContaining({
            section: 'Appendix 1',
            heading: 'Approved tools',
            source: 'oakfield-ai-policy.md',
          }),
          {
            source: 'oakfield-ai-policy.md',
            document: 'Oakfield Trust AI Policy',
            section: '4.2',
            heading: 'Staff use of AI tools',
            quote: passages[0].passage.text,
          },
        ],
        generatedBy: 'azure-openai',
      });
      expect(answer.kind === 'answered' && answer.citations[0].quote.length).toBeLessThanOrEqual(1200);
      expect(fallback.questions).toEqual([]);
    } else {
      expect(answer).toEqual(offlineAnswer);
      expect(fallback.questions).toEqual(['Can I use Copilot for planning?']);
      expect(fallbackReasons(logger)).toEqual([reason]);
    }
  });

  test('an out-of-scope question never reaches the model', async () => {
    const { answerer, model, fallback, logger } = setUp([], { result: [] });
    expect(await answerer.answer('When is the next INSET day?')).toEqual(offlineAnswer);
    expect(model.calls).toHaveLength(0);
    expect(fallback.questions).toEqual(['When is the next INSET day?']);
    expect(fallbackReasons(logger)).toEqual(['no-passages']);
  });

  test('an answer citing a policy past its review date says so', async () => {
    const { answerer } = setUp([{ kind: 'ok', text: 'Tell the DPO the same day [2].' }]);
    const answer = await answerer.answer('Who do I tell about a data breach?');
    expect(answer.kind === 'answered' && answer.reviewWarning).toBe(
      'This answer cites Oakfield Trust Data Protection Policy (review was due 2023-09-01), which is past its review date: check with the policy owner that it still applies.',
    );
  });

  test('a model that never answers is abandoned at the budget', async () => {
    const { answerer, fallback, logger } = setUp(['hang'], { budgetMs: 100 });
    expect(await answerer.answer('Can I use Copilot?')).toEqual(offlineAnswer);
    expect(fallback.questions).toHaveLength(1);
    expect(fallbackReasons(logger)).toEqual(['timed-out']);
  });
});

describe('Azure answerer: 429 and the time budget', () => {
  test('retries once after the retry-after wait when it fits, with the time left as the timeout', async () => {
    const { answerer, model, waits } = setUp(
      [
        { kind: 'rate-limited', retryAfterMs: 1000 },
        { kind: 'ok', text: 'Yes [1].' },
      ],
      { millisecondsPerCall: 2000 },
    );
    const answer = await answerer.answer('Can I use Copilot?');
    expect(answer.kind === 'answered' && answer.generatedBy).toBe('azure-openai');
    expect(waits).toEqual([1000]);
    expect(model.calls.map((call) => call.timeoutMs)).toEqual([8000, 5000]);
  });

  test('does not wait when the retry-after would not leave time for a useful call', async () => {
    const { answerer, model, waits, logger } = setUp([{ kind: 'rate-limited', retryAfterMs: 6000 }], {
      millisecondsPerCall: 1000,
    });
    expect(await answerer.answer('Can I use Copilot?')).toEqual(offlineAnswer);
    expect(waits).toEqual([]);
    expect(model.calls).toHaveLength(1);
    expect(fallbackReasons(logger)).toEqual(['rate-limited']);
  });

  test('retries only once', async () => {
    const { answerer, model, waits, logger } = setUp([
      { kind: 'rate-limited', retryAfterMs: 100 },
      { kind: 'rate-limited', retryAfterMs: 100 },
      { kind: 'ok', text: 'Yes [1].' },
    ]);
    expect(await answerer.answer('Can I use Copilot?')).toEqual(offlineAnswer);
    expect(waits).toEqual([100]);
    expect(model.calls).toHaveLength(2);
    expect(fallbackReasons(logger)).toEqual(['rate-limited']);
  });
});

describe('Azure answerer: personal data', () => {
  const question =
    "Can I put Jamie Smith's EHCP into Copilot? His DOB is 04/05/2016 and mum's email is k.smith@example.com";

  test('is removed before the retriever, the model and the fallback see the question, and the answer says why', async () => {
    const { answerer, model, retriever, fallback, logger } = setUp([
      { kind: 'ok', text: 'No [1].' },
      { kind: 'ok', text: 'No.' },
    ]);
    const first = await answerer.answer(question);
    const second = await answerer.answer(question);

    const cleaned =
      "Can I put [a pupil's] EHCP into Copilot? His DOB is [a date of birth] and mum's email is [an email address]";
    expect(model.calls.map((call) => call.prompt.question)).toEqual([cleaned, cleaned]);
    expect(retriever.questions).toEqual([cleaned, cleaned]);
    expect(fallback.questions).toEqual([cleaned]);
    const notice =
      'I removed a name, a date of birth and an email address before answering: the policy says not to put personal data into AI tools.';
    expect(first).toMatchObject({
      kind: 'answered',
      generatedBy: 'azure-openai',
      personalDataNotice: notice,
    });
    expect(second).toEqual({ ...offlineAnswer, personalDataNotice: notice });

    const everything = JSON.stringify(model.calls) + logger.text();
    for (const personal of ['Jamie', 'Smith', '04/05/2016', 'k.smith@example.com'])
      expect(everything).not.toContain(personal);
    expect(logger.entries).toContainEqual({
      level: 'info',
      event: 'qa.personal-data.removed',
      fields: { kinds: 'name,date-of-birth,email' },
    });
  });

  test('a question without personal data carries no notice', async () => {
    const { answerer } = setUp([{ kind: 'ok', text: 'Yes [1].' }]);
    const answer = await answerer.answer('Can I use Copilot for lesson planning?');
    expect(answer).not.toHaveProperty('personalDataNotice');
  });
});
