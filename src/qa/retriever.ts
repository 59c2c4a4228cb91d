import { LexicalIndex, defaultIndexOptions, type IndexOptions, type SearchOutcome } from './lexical-index';
import { TextAnalyzer, conceptPrefix, loadThesaurus, type ThesaurusData } from './text-analysis';
import type { Passage, PolicyDocumentMeta, RetrievedPassage, Retriever } from './types';

export interface ScopeOptions {
  /**
   * Below this share (by idf weight) of the question's informative words covered by the best
   * passage: out of scope. HR, timetable and general-knowledge questions share a word or two with a
   * policy ("staff", "report"), rarely most of their informative words.
   */
  minCoverage: number;
  /**
   * A question that covers less, but whose words name the best passage's own heading ("penalties"
   * → "Consequence of Misuse", "CPD" → "Training and Professional Development"), is asking about
   * that section's topic: in scope from this coverage when the heading share reaches `minHeadingCoverage`.
   */
  minCoverageWithHeading: number;
  minHeadingCoverage: number;
  /**
   * A question about "the policy" / "this policy" itself (what it follows, who it covers) asks the
   * assistant's own documents something, so less of it need be found; "the policy on parking" or
   * "the pay policy" is about another policy and does not count.
   */
  minCoverageAboutPolicy: number;
  /**
   * The same for questions naming an anchor topic (AI, notetakers, DPIA …), which may be worded
   * freely: staff ask an AI-policy assistant about AI, while HR and timetable questions almost never
   * name an anchor, so little of the rest of the question need appear in the policy.
   */
  minCoverageAnchored: number;
  /** How many of the best passages may show that the policy covers the question. */
  evidencePassages: number;
  /** Below this BM25F score for the best passage: out of scope. */
  minScore: number;
  /** Score factor for the title-page block when the question is not about the document itself. */
  documentInformationWeight: number;
  /**
   * Score factor for a definitions/glossary section unless the question asks what something is or
   * means: a glossary names every tool and term ("ChatGPT is owned by OpenAI"), so it matches
   * questions about those tools that its definitions do not answer.
   */
  glossaryWeight: number;
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
  minCoverageWithHeading: 0.4,
  minHeadingCoverage: 0.3,
  minCoverageAboutPolicy: 0.25,
  minCoverageAnchored: 0.05,
  evidencePassages: 3,
  minScore: 1.5,
  documentInformationWeight: 0.5,
  glossaryWeight: 0.8,
  relativeCutoff: 0.3,
  maxPerDocument: 1,
};

/** The metadata block of a title page (owner, dates, related policies) is not a policy section. */
export const documentInformationSection = 'Document information';

/** Candidates beyond the requested number that the re-ranking may lift into it. */
const rerankDepth = 4;

const aboutThisPolicy =
  /\b(?:this|the|our|your|trust's|school's)\s+(?:ai\s+|artificial intelligence\s+)?polic(?:y|ies)\b(?!\s+(?:on|for|about|regarding|covering)\b)/i;

const glossaryHeading = /^(definitions?|glossary|key terms|terminology|terms used)\b/i;
const definitionQuestion =
  /\b(what(?:'s| is| are| does| do)|meaning|means?|define|definitions?|stands? for|difference between)\b/i;

/** Thesaurus concepts that ask about the policy document itself rather than its rules. */
const documentConcepts = new Set([`${conceptPrefix}review-date`, `${conceptPrefix}policy-owner`]);

export interface SearchDiagnostics {
  coverage: number;
  headingCoverage: number;
  anchored: boolean;
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
    const outcome = this.searchIndex(question, Math.max(limit, 1) * 4);
    const top = outcome.results[0];
    const topScore = top?.score ?? 0;
    // A title page lists related policies (social media, code of conduct …) and matches questions
    // about them; only a question about the policy itself (review date, owner: anchors) may rest on it.
    // The evidence may come from any of the first few passages: the best-scoring one is not always
    // the one whose heading names the question's topic.
    const evidence = outcome.results
      .slice(0, this.scope.evidencePassages)
      .filter((result) => outcome.anchored || result.passage.section !== documentInformationSection);
    const { minCoverageAnchored, minCoverageWithHeading, minHeadingCoverage } = this.scope;
    const minCoverage = aboutThisPolicy.test(question)
      ? this.scope.minCoverageAboutPolicy
      : this.scope.minCoverage;
    let coverage = 0;
    let headingCoverage = 0;
    let covers = false;
    for (const result of evidence) {
      const passageCoverage = this.index.coverage(outcome.query, result.index);
      const passageHeadingCoverage = this.index.coverage(outcome.query, result.index, true);
      coverage = Math.max(coverage, passageCoverage);
      headingCoverage = Math.max(headingCoverage, passageHeadingCoverage);
      covers ||= outcome.anchored
        ? passageCoverage >= minCoverageAnchored
        : passageCoverage >= minCoverage ||
          (passageCoverage >= minCoverageWithHeading && passageHeadingCoverage >= minHeadingCoverage);
    }
    const inScope = top !== undefined && covers && topScore >= this.scope.minScore;
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
    return {
      passages,
      diagnostics: { coverage, headingCoverage, anchored: outcome.anchored, topScore, inScope },
    };
  }

  /**
   * The index's ranking with the title-page block demoted unless the question asks about the
   * policy document itself (its review date or owner): the block names the audience, committees
   * and related policies, so it shares words with many questions it does not answer.
   */
  private searchIndex(question: string, limit: number): SearchOutcome {
    const outcome = this.index.search(question, limit + rerankDepth);
    const aboutDocument = [...outcome.query.concepts.keys()].some((concept) => documentConcepts.has(concept));
    const { documentInformationWeight, glossaryWeight } = this.scope;
    const asksMeaning = definitionQuestion.test(question);
    outcome.results = outcome.results
      .map((result) => {
        let weight = 1;
        if (!aboutDocument && result.passage.section === documentInformationSection)
          weight = documentInformationWeight;
        else if (!asksMeaning && glossaryHeading.test(result.passage.heading)) weight = glossaryWeight;
        return weight === 1 ? result : { ...result, score: result.score * weight };
      })
      .sort((left, right) => right.score - left.score || left.index - right.index)
      .slice(0, limit);
    return outcome;
  }

  /** Ranking without the out-of-scope check: for the benchmark and the outline tool. */
  rank(question: string, limit: number): RetrievedPassage[] {
    return this.searchIndex(question, limit).results.map((result) => ({
      passage: result.passage,
      score: result.score,
      documentMeta: result.meta,
    }));
  }

  /** Inverse document frequency of an analysed term over the loaded passages. */
  termWeight(term: string): number {
    return this.index.idf(term);
  }

  get passageCount(): number {
    return this.index.size;
  }
}
