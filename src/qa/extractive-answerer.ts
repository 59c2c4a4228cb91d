import { splitSentences } from '../policies/passages';
import { defaultAskInstead } from '../policies/metadata';
import type { PolicyRetriever } from './retriever';
import type { TextAnalyzer } from './text-analysis';
import type {
  Answer,
  Citation,
  PolicyAnswerer,
  PolicyDocumentMeta,
  RetrievedPassage,
  Retriever,
} from './types';

export interface ExtractiveOptions {
  /** Passages considered for sentences. */
  passages: number;
  maxSentences: number;
  /** A further sentence must score at least this share of the best sentence. */
  sentenceCutoff: number;
  maxAnswerLength: number;
}

const defaults: ExtractiveOptions = {
  passages: 3,
  maxSentences: 4,
  sentenceCutoff: 0.55,
  maxAnswerLength: 700,
};

/** Longest list lead-in carried in front of each of its bullets. */
const maxLeadIn = 100;

interface Candidate {
  /** The sentence as quoted alone: a bullet carries its list's lead-in. */
  text: string;
  /** The sentence without the lead-in. */
  body: string;
  leadIn?: string;
  passageRank: number;
  position: number;
  score: number;
}

/**
 * Bullets of one list quoted together read as one statement under their lead-in ("All users must
 * report: data breaches; unsafe content") rather than repeating the lead-in before each.
 */
/** A list item without its own closing punctuation ("…tools;", "…by AI; and"). */
function listItem(body: string): string {
  return body.replace(/\s*(?:[.;,]\s*(?:and|or)?|\b(?:and|or))$/i, '');
}

function statementsOf(chosen: Candidate[]): { text: string; passageRank: number }[] {
  const statements: { text: string; passageRank: number; leadIn?: string; bodies: string[] }[] = [];
  for (const candidate of chosen) {
    const last = statements[statements.length - 1];
    if (
      last &&
      candidate.leadIn &&
      last.leadIn === candidate.leadIn &&
      last.passageRank === candidate.passageRank
    ) {
      last.bodies.push(listItem(candidate.body));
      continue;
    }
    statements.push({
      text: candidate.text,
      passageRank: candidate.passageRank,
      leadIn: candidate.leadIn,
      bodies: [listItem(candidate.body)],
    });
  }
  return statements.map((statement) => ({
    passageRank: statement.passageRank,
    text:
      statement.leadIn && statement.bodies.length > 1
        ? `${statement.leadIn} ${statement.bodies.join('; ')}`
        : statement.leadIn && standsAlone(statement.bodies[0])
          ? statement.bodies[0]
          : statement.text,
  }));
}

/**
 * A bullet with its own subject and verb ("Open AI such as ChatGPT should not be used…") reads
 * wrongly after its list's lead-in ("Under no circumstance must it be used for:"), so it is quoted
 * alone; an item that continues the lead-in ("Ensure a DPIA is completed", "Data breaches") keeps it.
 */
function standsAlone(bullet: string): boolean {
  // A subject of up to six words, then a modal verb: "AI must never…", "Open AI such as ChatGPT should…".
  return /^[A-Z][^\s;:]*(?:\s+[^\s;:]+){0,5}?\s+(?:should|must|will|may|can|cannot|shall)\b/.test(bullet);
}

/** The longest quote a citation carries (the `ask` contract and the Azure prompt's sources). */
export const maxQuoteLength = 1200;

export function truncateQuote(text: string, length = maxQuoteLength): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}

/** The one way a retrieved passage becomes a citation, for both answerers. */
export function citationOf(retrieved: RetrievedPassage): Citation {
  const { passage } = retrieved;
  return {
    source: passage.source,
    document: passage.document,
    section: passage.section,
    heading: passage.heading,
    quote: truncateQuote(passage.text),
  };
}

/** One line telling staff that a cited policy is past its review date. */
export function reviewWarningFor(metas: PolicyDocumentMeta[]): string | undefined {
  const stale = metas.filter(
    (meta, position) =>
      meta.pastReview && metas.findIndex((other) => other.source === meta.source) === position,
  );
  if (stale.length === 0) return undefined;
  return stale
    .map((meta) => {
      const name = meta.trustName ? `${meta.title} (${meta.trustName})` : meta.title;
      return `${name} was due for review by ${meta.nextReview}, so it may be out of date: check with ${meta.owner ?? 'the policy owner'} that it still applies.`;
    })
    .join(' ');
}

/** Sentences whose analysed terms are kept; past it the cache starts again (a library is far smaller). */
const maxCachedSentences = 50_000;

/**
 * The offline answerer: lifts one to four sentences from the best passages, each followed by its
 * citation marker. Nothing is generated, so nothing can be invented; the same question always gets
 * the same answer.
 */
export class ExtractiveAnswerer implements PolicyAnswerer {
  private readonly options: ExtractiveOptions;
  /**
   * The analysed terms of each candidate sentence, by its text: passages do not change, and
   * analysing every sentence of three passages again for each question was most of an answer's cost.
   */
  private readonly sentenceTerms = new Map<string, Set<string>>();

  constructor(
    private readonly retriever: Retriever,
    private readonly analyzer: TextAnalyzer,
    private readonly askInstead: string = defaultAskInstead,
    options: Partial<ExtractiveOptions> = {},
    /** How much a shared term says about a sentence; by default every term counts the same. */
    private readonly termWeight: (term: string) => number = () => 1,
  ) {
    this.options = { ...defaults, ...options };
  }

  static fromRetriever(
    retriever: PolicyRetriever,
    askInstead?: string,
    options?: Partial<ExtractiveOptions>,
  ): ExtractiveAnswerer {
    return new ExtractiveAnswerer(retriever, retriever.analyzer, askInstead, options, (term) =>
      retriever.termWeight(term),
    );
  }

  async answer(question: string): Promise<Answer> {
    return this.answerSync(question);
  }

  answerSync(typedQuestion: string): Answer {
    const question = this.analyzer.readTextSpeak(typedQuestion);
    const retrieved = this.retriever.search(question, this.options.passages);
    if (retrieved.length === 0) return this.notCovered(question);
    return this.compose(question, retrieved);
  }

  /**
   * A question about working a tool, its price or which tool is better is not for the policy's
   * owner: it is pointed at whoever in school answers that kind, and at the policy owner only for
   * whether a tool may be used.
   */
  notCovered(question?: string): Answer {
    const offPolicy = question === undefined ? undefined : this.analyzer.offPolicyQuestion(question);
    const text =
      offPolicy === undefined
        ? `Our AI policy doesn't cover that, so I can't answer it from the policy. Please ask ${this.askInstead}.`
        : (offPolicy.reply ??
          `That is about ${offPolicy.name}, which our AI policy doesn't cover, so I can't answer it from the policy.` +
            (offPolicy.ask ? ` Please ask ${offPolicy.ask}; for` : ' For') +
            ` whether a tool may be used at all, ask ${this.askInstead}.`);
    return { kind: 'not-covered', text, askInstead: this.askInstead };
  }

  /**
   * The best sentence of the best passage, then the next best sentences overall while they score
   * close to it and the answer stays short.
   */
  private choose(candidates: Candidate[]): Candidate[] {
    const ranked = [...candidates].sort(
      (left, right) =>
        right.score - left.score || left.passageRank - right.passageRank || left.position - right.position,
    );
    const fromTop = ranked.find((candidate) => candidate.passageRank === 0) ?? ranked[0];
    if (!fromTop) return [];
    const chosen: Candidate[] = [fromTop];
    let length = fromTop.text.length;
    for (const candidate of ranked) {
      if (chosen.length >= this.options.maxSentences) break;
      if (chosen.includes(candidate) || candidate.score <= 0) continue;
      if (candidate.score < fromTop.score * this.options.sentenceCutoff) break;
      if (length + candidate.text.length > this.options.maxAnswerLength) continue;
      if (chosen.some((other) => other.text === candidate.text)) continue;
      chosen.push(candidate);
      length += candidate.text.length;
    }
    return chosen;
  }

  private termsOf(sentence: string): Set<string> {
    let terms = this.sentenceTerms.get(sentence);
    if (terms === undefined) {
      if (this.sentenceTerms.size >= maxCachedSentences) this.sentenceTerms.clear();
      terms = new Set(this.analyzer.analyse(sentence).terms);
      this.sentenceTerms.set(sentence, terms);
    }
    return terms;
  }

  compose(question: string, retrieved: RetrievedPassage[]): Answer {
    const query = this.analyzer.analyse(question, true);
    const queryTerms = new Set(query.terms);
    const candidates: Candidate[] = [];
    retrieved.slice(0, this.options.passages).forEach((item, passageRank) => {
      const scored = (body: string, position: number, leadIn?: string): Candidate => {
        const terms = this.termsOf(leadIn ? `${leadIn} ${body}` : body);
        // Shared rare words count for more than shared common ones ("Otter" over "staff").
        let score = 0;
        for (const term of terms) if (queryTerms.has(term)) score += this.termWeight(term);
        // Prefer the best passage.
        score *= passageRank === 0 ? 1.25 : 1 / (1 + 0.3 * passageRank);
        const text = leadIn ? `${leadIn} ${body}` : body;
        return { text, body, leadIn, passageRank, position, score };
      };
      let position = 0;
      let leadIn: string | undefined;
      const leadIns: Candidate[] = [];
      const before = candidates.length;
      for (const line of item.passage.text.split('\n')) {
        const isBullet = /^-\s/.test(line);
        if (!isBullet) leadIn = undefined;
        for (const sentence of splitSentences(line)) {
          position += 1;
          // A list's lead-in ("All users must report:") says nothing alone; it is carried by its bullets.
          if (/:$/.test(sentence)) {
            leadIn = sentence.length <= maxLeadIn ? sentence : undefined;
            leadIns.push(scored(sentence, position));
            continue;
          }
          const body = sentence.replace(/^-\s+/, '');
          // A line of bare web addresses is a reference, not a statement.
          if (!/[a-z]{2,}/i.test(body.replace(/\bhttps?:\/\/\S+/g, ''))) continue;
          candidates.push(scored(body, position, isBullet ? leadIn : undefined));
        }
      }
      // A passage that is only a lead-in (its list fell into the next passage) is quoted as it is.
      if (candidates.length === before) candidates.push(...leadIns);
    });
    const chosen = this.choose(candidates);
    if (chosen.length === 0) return this.notCovered(question);
    chosen.sort((left, right) => left.passageRank - right.passageRank || left.position - right.position);
    // Citations are every passage the retriever returned, best first, and each marker is its
    // passage's rank: the answer quotes only what is close to the question, while the sources list
    // still shows the other sections (often another policy's) that address it.
    const citations = retrieved.slice(0, this.options.passages).map(citationOf);
    const text = statementsOf(chosen)
      .map(({ text: statement, passageRank }) => {
        // A list item keeps its own ending ("…AI Lead;", "…policy; and"): close it as a sentence.
        const trimmed = statement.replace(/\s*(?:[;,]\s*(?:and|or)?|\b(?:and|or))$/i, '');
        const sentence = /[.!?:]$/.test(trimmed) ? trimmed : `${trimmed}.`;
        return `${sentence} [${passageRank + 1}]`;
      })
      .join(' ');
    const reviewWarning = reviewWarningFor(
      retrieved.slice(0, citations.length).map((item) => item.documentMeta),
    );
    const answer: Answer = { kind: 'answered', text, citations, generatedBy: 'extractive' };
    if (reviewWarning) answer.reviewWarning = reviewWarning;
    return answer;
  }
}
