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

interface Candidate {
  text: string;
  passageRank: number;
  position: number;
  score: number;
}

export function citationOf(retrieved: RetrievedPassage): Citation {
  const { passage } = retrieved;
  return {
    source: passage.source,
    document: passage.document,
    section: passage.section,
    heading: passage.heading,
    quote: passage.text.slice(0, 1200),
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

/**
 * The offline answerer: lifts one to four sentences from the best passages, each followed by its
 * citation marker. Nothing is generated, so nothing can be invented; the same question always gets
 * the same answer.
 */
export class ExtractiveAnswerer implements PolicyAnswerer {
  private readonly options: ExtractiveOptions;

  constructor(
    private readonly retriever: Retriever,
    private readonly analyzer: TextAnalyzer,
    private readonly askInstead: string = defaultAskInstead,
    options: Partial<ExtractiveOptions> = {},
  ) {
    this.options = { ...defaults, ...options };
  }

  static fromRetriever(
    retriever: PolicyRetriever,
    askInstead?: string,
    options?: Partial<ExtractiveOptions>,
  ): ExtractiveAnswerer {
    return new ExtractiveAnswerer(retriever, retriever.analyzer, askInstead, options);
  }

  async answer(question: string): Promise<Answer> {
    return this.answerSync(question);
  }

  answerSync(question: string): Answer {
    const retrieved = this.retriever.search(question, this.options.passages);
    if (retrieved.length === 0) return this.notCovered();
    return this.compose(question, retrieved);
  }

  notCovered(): Answer {
    return {
      kind: 'not-covered',
      text: `Our AI policy doesn't cover that, so I can't answer it from the policy. Please ask ${this.askInstead}.`,
      askInstead: this.askInstead,
    };
  }

  compose(question: string, retrieved: RetrievedPassage[]): Answer {
    const query = this.analyzer.analyse(question);
    const queryTerms = new Set(query.terms);
    const candidates: Candidate[] = [];
    retrieved.slice(0, this.options.passages).forEach((item, passageRank) => {
      let position = 0;
      let leadIn: string | undefined;
      for (const line of item.passage.text.split('\n')) {
        const isBullet = /^-\s/.test(line);
        if (!isBullet) leadIn = undefined;
        for (const sentence of splitSentences(line)) {
          position += 1;
          // A list's lead-in ("All users must report:") says nothing alone; it is carried by its bullets.
          if (/:$/.test(sentence)) {
            leadIn = sentence.length <= 140 ? sentence : undefined;
            continue;
          }
          const terms = new Set(this.analyzer.analyse(sentence).terms);
          let score = 0;
          for (const term of terms) if (queryTerms.has(term)) score += 1;
          // Prefer the best passage.
          score *= passageRank === 0 ? 1.25 : 1 / (1 + 0.3 * passageRank);
          const body = sentence.replace(/^-\s+/, '');
          const text = isBullet && leadIn ? `${leadIn} ${body}` : body;
          candidates.push({ text, passageRank, position, score });
        }
      }
    });
    const ranked = [...candidates].sort(
      (left, right) =>
        right.score - left.score || left.passageRank - right.passageRank || left.position - right.position,
    );
    const fromTop = ranked.find((candidate) => candidate.passageRank === 0) ?? ranked[0];
    if (!fromTop) return this.notCovered();
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
    chosen.sort((left, right) => left.passageRank - right.passageRank || left.position - right.position);
    const citedRanks = [...new Set(chosen.map((candidate) => candidate.passageRank))].sort(
      (left, right) => left - right,
    );
    const citations = citedRanks.map((rank) => citationOf(retrieved[rank]));
    const text = chosen
      .map((candidate) => {
        const marker = citedRanks.indexOf(candidate.passageRank) + 1;
        const sentence = /[.!?:]$/.test(candidate.text) ? candidate.text : `${candidate.text}.`;
        return `${sentence} [${marker}]`;
      })
      .join(' ');
    const reviewWarning = reviewWarningFor(citedRanks.map((rank) => retrieved[rank].documentMeta));
    const answer: Answer = { kind: 'answered', text, citations, generatedBy: 'extractive' };
    if (reviewWarning) answer.reviewWarning = reviewWarning;
    return answer;
  }
}
