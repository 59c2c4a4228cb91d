import { LexicalIndex, defaultIndexOptions, type IndexOptions } from './lexical-index';
import { TextAnalyzer, loadThesaurus, type ThesaurusData } from './text-analysis';
import type { Passage, PolicyDocumentMeta, RetrievedPassage, Retriever } from './types';

export interface ScopeOptions {
  /**
   * Below this share (by idf weight) of the question's informative words covered by the best
   * passage: out of scope. HR, timetable and general-knowledge questions share a word or two with a
   * policy ("staff", "report"), rarely most of their informative words.
   */
  minCoverage: number;
  /** The same for questions naming an anchor topic (AI, notetakers, DPIA …), which may be worded freely. */
  minCoverageAnchored: number;
  /** Below this BM25F score for the best passage: out of scope. */
  minScore: number;
  /** Passages scoring under this fraction of the best are not returned (they would be noise). */
  relativeCutoff: number;
  /**
   * With several documents loaded, at most this many returned passages come from one document, so
   * a question every policy answers shows each policy's own wording rather than three passages of one.
   */
  maxPerDocument: number;
}

export const defaultScopeOptions: ScopeOptions = {
  minCoverage: 0.65,
  minCoverageAnchored: 0.2,
  minScore: 1.5,
  relativeCutoff: 0.3,
  maxPerDocument: 2,
};

export interface SearchDiagnostics {
  coverage: number;
  topScore: number;
  inScope: boolean;
}

/** Section-level lexical retrieval over every loaded policy, with out-of-scope detection. */
export class PolicyRetriever implements Retriever {
  private readonly index: LexicalIndex;

  constructor(
    documents: { meta: PolicyDocumentMeta; passages: Passage[] }[],
    options: { thesaurus?: ThesaurusData; index?: IndexOptions; scope?: Partial<ScopeOptions> } = {},
    readonly analyzer: TextAnalyzer = new TextAnalyzer(options.thesaurus ?? loadThesaurus()),
  ) {
    this.index = new LexicalIndex(analyzer, options.index ?? defaultIndexOptions);
    this.scope = { ...defaultScopeOptions, ...options.scope };
    for (const document of documents)
      for (const passage of document.passages) this.index.add(passage, document.meta);
    this.documentCount = documents.length;
  }

  private readonly documentCount: number;

  private readonly scope: ScopeOptions;

  search(question: string, limit: number): RetrievedPassage[] {
    return this.searchWithDiagnostics(question, limit).passages;
  }

  searchWithDiagnostics(
    question: string,
    limit: number,
  ): { passages: RetrievedPassage[]; diagnostics: SearchDiagnostics } {
    const outcome = this.index.search(question, Math.max(limit, 1) * 4);
    const top = outcome.results[0];
    const topScore = top?.score ?? 0;
    const minCoverage = outcome.anchored ? this.scope.minCoverageAnchored : this.scope.minCoverage;
    const inScope = top !== undefined && outcome.coverage >= minCoverage && topScore >= this.scope.minScore;
    const perDocument = new Map<string, number>();
    const passages: RetrievedPassage[] = [];
    if (inScope) {
      for (const result of outcome.results) {
        if (passages.length >= limit || result.score < topScore * this.scope.relativeCutoff) break;
        const count = perDocument.get(result.passage.source) ?? 0;
        if (this.documentCount > 1 && count >= this.scope.maxPerDocument) continue;
        perDocument.set(result.passage.source, count + 1);
        passages.push({ passage: result.passage, score: result.score, documentMeta: result.meta });
      }
    }
    return { passages, diagnostics: { coverage: outcome.coverage, topScore, inScope } };
  }

  /** Ranking without the out-of-scope check: for the benchmark and the outline tool. */
  rank(question: string, limit: number): RetrievedPassage[] {
    return this.index
      .search(question, limit)
      .results.map((result) => ({ passage: result.passage, score: result.score, documentMeta: result.meta }));
  }

  get passageCount(): number {
    return this.index.size;
  }
}
