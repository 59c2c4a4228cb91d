/**
 * Answers with Azure OpenAI from retrieved passages, and falls back to the offline answerer whenever
 * the model's reply cannot be trusted or does not arrive in time.
 *
 * This file holds the decisions (what the model sees, which replies are accepted, when to retry) and
 * stays free of teams-ai: the model is injected as a `ChatModel`. The teams-ai implementation
 * (`ActionPlanner` + `OpenAIModel` configured for Azure, prompt in `prompts/answer/`) lives in
 * src/bot/azure-chat-model.ts.
 *
 * Why the model gets prompt variables rather than a finished system message: the system message is the
 * teams-ai prompt template `prompts/answer/skprompt.txt`, rendered by teams-ai's PromptManager, so the
 * prompt can be changed without touching code. This side supplies only what the template refers to.
 */
import { Clock, systemClock } from '../shared/clock';
import { Logger } from '../shared/logger';
import { stripPersonalData } from './personal-data';
import { citationOf, truncateQuote } from './extractive-answerer';
import { Answer, PolicyAnswerer, RetrievedPassage, Retriever } from './types';

/** The variables of the `answer` prompt: numbered sources and the (already cleaned) question. */
export interface AnswerPrompt {
  /** `[1] …`, `[2] …` blocks built by `formatSources`. */
  sources: string;
  question: string;
}

export type ChatCompletionResult =
  | { kind: 'ok'; text: string }
  /** Azure's content filter refused the prompt (HTTP 400 `content_filter`) or the completion. */
  | { kind: 'content-filtered' }
  | { kind: 'rate-limited'; retryAfterMs?: number }
  /** `detail` names the failure (status, error code); it never contains prompt text. */
  | { kind: 'failed'; status?: number; detail: string }
  | { kind: 'timed-out' };

export interface ChatModel {
  complete(prompt: AnswerPrompt, options: { timeoutMs: number }): Promise<ChatCompletionResult>;
}

/** The model replies exactly this when the sources do not answer the question (see skprompt.txt). */
export const notCoveredSentinel = 'NOT_COVERED';

export interface AzureAnswererOptions {
  retriever: Retriever;
  model: ChatModel;
  /** The offline extractive answerer; used whenever the model's reply is not usable. */
  fallback: PolicyAnswerer;
  logger: Logger;
  clock?: Clock;
  /** Waits before a retry after 429; injected so tests control it. */
  sleep?: (milliseconds: number) => Promise<void>;
  /** Total time allowed for model calls and waits. Teams gives a bot about 15 s; keep well inside it. */
  budgetMs?: number;
  /** A call (or retry) is only started with at least this much of the budget left. */
  minimumCallMs?: number;
  /** How many retrieved passages become numbered sources. */
  maxSources?: number;
}

export type FallbackReason =
  | 'no-passages'
  | 'not-covered'
  | 'no-citation'
  | 'unknown-citation'
  | 'empty-reply'
  | 'content-filtered'
  | 'rate-limited'
  | 'failed'
  | 'timed-out'
  | 'model-error';

export const defaultBudgetMs = 8000;

const realSleep = (milliseconds: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, milliseconds));

/** Numbered source blocks for the prompt; numbering is 1-based and follows retrieval order. */
export function formatSources(passages: RetrievedPassage[]): string {
  return passages
    .map((retrieved, index) => {
      const { passage } = retrieved;
      const where =
        passage.section && passage.section !== passage.heading
          ? `section ${passage.section}: ${passage.heading}`
          : passage.heading;
      return `[${index + 1}] ${passage.document} — ${where}\n${truncateQuote(passage.text)}`;
    })
    .join('\n\n');
}

const markerGroup = /\[(\d+(?:\s*,\s*\d+)*)\]/g;

export type CitationCheck =
  | { kind: 'accepted'; text: string; cited: number[] }
  | { kind: 'rejected'; reason: 'not-covered' | 'no-citation' | 'unknown-citation' | 'empty-reply' };

/**
 * Checks a model reply against the sources it was given and renumbers the markers so that `[1]` is
 * the first source the answer cites. `cited` holds the original source numbers in their new order.
 */
export function checkCitations(reply: string, sourceCount: number): CitationCheck {
  const text = reply.trim();
  if (text.length === 0) return { kind: 'rejected', reason: 'empty-reply' };
  if (text.includes(notCoveredSentinel)) return { kind: 'rejected', reason: 'not-covered' };
  const cited: number[] = [];
  for (const match of text.matchAll(markerGroup)) {
    for (const part of match[1].split(',')) {
      const number = Number(part.trim());
      if (number < 1 || number > sourceCount) return { kind: 'rejected', reason: 'unknown-citation' };
      if (!cited.includes(number)) cited.push(number);
    }
  }
  if (cited.length === 0) return { kind: 'rejected', reason: 'no-citation' };
  const renumbered = text.replace(markerGroup, (_whole, group: string) =>
    group
      .split(',')
      .map((part) => `[${cited.indexOf(Number(part.trim())) + 1}]`)
      .join(''),
  );
  return { kind: 'accepted', text: renumbered, cited };
}

function reviewWarningFor(cited: RetrievedPassage[]): string | undefined {
  const stale = new Map<string, string | undefined>();
  for (const { documentMeta } of cited) {
    if (documentMeta.pastReview) stale.set(documentMeta.title, documentMeta.nextReview);
  }
  if (stale.size === 0) return undefined;
  const parts = [...stale].map(([title, due]) => (due ? `${title} (review was due ${due})` : title));
  return `This answer cites ${parts.join(' and ')}, which is past its review date: check with the policy owner that it still applies.`;
}

export class AzureAnswerer implements PolicyAnswerer {
  private readonly clock: Clock;
  private readonly sleep: (milliseconds: number) => Promise<void>;
  private readonly budgetMs: number;
  private readonly minimumCallMs: number;
  private readonly maxSources: number;

  constructor(private readonly options: AzureAnswererOptions) {
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? realSleep;
    this.budgetMs = options.budgetMs ?? defaultBudgetMs;
    this.minimumCallMs = options.minimumCallMs ?? 1500;
    this.maxSources = options.maxSources ?? 5;
  }

  async answer(question: string): Promise<Answer> {
    // The guard runs before anything else sees the question: nothing below, nor the model, nor the
    // fallback, receives what it removed. Only the kinds are logged.
    const guarded = stripPersonalData(question);
    if (guarded.found.length > 0) {
      this.options.logger.log('info', 'qa.personal-data.removed', { kinds: guarded.found.join(',') });
    }
    const answer = await this.answerCleaned(guarded.cleaned);
    return guarded.notice ? { ...answer, personalDataNotice: guarded.notice } : answer;
  }

  private async answerCleaned(question: string): Promise<Answer> {
    const passages = this.options.retriever.search(question, this.maxSources);
    // The retriever returns nothing for out-of-scope questions; the offline answerer owns the wording
    // of "not covered" and who to ask, so the model is not consulted at all.
    if (passages.length === 0) return this.fallBack(question, 'no-passages');

    const prompt: AnswerPrompt = { sources: formatSources(passages), question };
    const result = await this.callWithinBudget(prompt);
    if (result.kind !== 'ok') {
      return this.fallBack(question, result.kind, result.kind === 'failed' ? result.status : undefined);
    }
    const check = checkCitations(result.text, passages.length);
    // NOT_COVERED is never accepted here: the retriever judged the question in scope (it returned
    // passages), so a refusal means the model missed what the offline answerer can still quote.
    if (check.kind === 'rejected') return this.fallBack(question, check.reason);

    const cited = check.cited.map((number) => passages[number - 1]);
    this.options.logger.log('info', 'qa.azure.answered', { sources: passages.length, cited: cited.length });
    const reviewWarning = reviewWarningFor(cited);
    return {
      kind: 'answered',
      text: check.text,
      citations: cited.map(citationOf),
      ...(reviewWarning ? { reviewWarning } : {}),
      generatedBy: 'azure-openai',
    };
  }

  private async callWithinBudget(prompt: AnswerPrompt): Promise<ChatCompletionResult> {
    const started = this.clock.now().getTime();
    const remaining = (): number => this.budgetMs - (this.clock.now().getTime() - started);
    const first = await this.callOnce(prompt, remaining());
    if (first.kind !== 'rate-limited' || first.retryAfterMs === undefined) return first;
    // One retry only, and only when the wait plus a useful call still fit the budget.
    if (first.retryAfterMs + this.minimumCallMs > remaining()) return first;
    this.options.logger.log('info', 'qa.azure.retry-after', { waitMs: first.retryAfterMs });
    await this.sleep(first.retryAfterMs);
    return this.callOnce(prompt, remaining());
  }

  private async callOnce(prompt: AnswerPrompt, timeoutMs: number): Promise<ChatCompletionResult> {
    if (timeoutMs <= 0) return { kind: 'timed-out' };
    let timer: NodeJS.Timeout | undefined;
    // The model is asked to honour timeoutMs itself (and cancel its request); this guard is for an
    // implementation that does not, so the budget holds regardless.
    const deadline = new Promise<ChatCompletionResult>((resolve) => {
      timer = setTimeout(() => resolve({ kind: 'timed-out' }), timeoutMs + 250);
    });
    try {
      return await Promise.race([
        this.options.model.complete(prompt, { timeoutMs }).catch((error: unknown): ChatCompletionResult => ({
          kind: 'failed',
          detail: error instanceof Error ? error.name : 'unknown error',
        })),
        deadline,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async fallBack(question: string, reason: FallbackReason, status?: number): Promise<Answer> {
    this.options.logger.log(reason === 'no-passages' ? 'info' : 'warn', 'qa.azure.fallback', {
      reason,
      ...(status !== undefined ? { status } : {}),
    });
    return this.options.fallback.answer(question);
  }
}
