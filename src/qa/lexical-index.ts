import type { Passage, PolicyDocumentMeta } from './types';
import { SpellingCorrector, loadEnglishWords } from './spelling';
import { conceptPrefix, type AnalysedText, type TextAnalyzer } from './text-analysis';

/**
 * Own BM25F ranking rather than minisearch, decided by measurement (bench/qa, pooled index of the
 * five real policies, all 109 questions): minisearch given the same tokenizer, stemmer, thesaurus
 * and field boosts reached hit@3 0.74 / hit@1 0.50 against 0.90 / 0.59 for this index with the
 * retriever's scope checks. minisearch scores each field separately and adds them, so a word in
 * both heading and body counts twice; BM25F saturates the combined frequency once. It also cannot
 * say which of the question's words a passage matched, nor where (heading or body), which the
 * out-of-scope check needs (minisearch refused 0.17 of out-of-scope questions, this index 1.00).
 * On 1,000 generated policies (~48,000 passages) it builds in ~4 s and answers at p95 ~8 ms in
 * ~390 MB.
 */

export interface FieldWeights {
  heading: number;
  path: number;
  body: number;
  title: number;
}

export interface IndexOptions {
  fieldWeights: FieldWeights;
  k1: number;
  b: number;
  /**
   * Weight of a thesaurus concept relative to a word the question actually used. 0.9 rather than
   * 0.8 once the thesaurus grew: all dev sets (1,118 per-policy questions) hit@1 0.792 → 0.795,
   * hit@3 0.916 → 0.919; held-out totals 0.810 → 0.813 and 0.932 unchanged.
   */
  conceptWeight: number;
  /**
   * Weight of a concept the question only implied through a cue ("who" → a role holder): less than a
   * concept the question named. 0.7 rather than 0.5 measured best over all eight question sets
   * (592 per-policy questions: hit@1 0.863 → 0.867, hit@3 0.953 → 0.956, refusals unchanged).
   */
  cueWeight: number;
  /**
   * Factor for a concept the question names in its first `leadingWords` words, unless it only says
   * who or which AI the question is about (`contextConcepts` in the thesaurus data): a question
   * opens with what it asks for ("Who do I tell…", "Is it OK to put … into…"), and the rest is the
   * situation it asks about. 1.5 over the first 6 words measured best: generic questions asked of
   * every policy (staff-generic and -2, 276 pairs) hit@1 0.551 → 0.583, hit@3 0.764 → 0.783; the
   * held-out sets (352) 0.798 → 0.804 and 0.926 → 0.929, pooled hit@3 0.716 → 0.739; the older dev
   * sets (842) 0.846 → 0.842 and 0.944 unchanged.
   */
  leadingWeight: number;
  leadingWords: number;
}

export const defaultIndexOptions: IndexOptions = {
  fieldWeights: { heading: 2.5, path: 1.2, body: 1, title: 0.4 },
  k1: 1.2,
  b: 0.6,
  conceptWeight: 0.9,
  cueWeight: 0.7,
  leadingWeight: 1.5,
  leadingWords: 6,
};

/**
 * A question word found only through a thesaurus concept is weaker evidence than the word itself
 * ("SENCo" shares a concept with "special educational needs" but asks about a person, not a rule).
 */
const conceptCoverageCredit = 0.6;

const fieldCount = 4;
/** Term frequencies of the four fields are packed into one number, 8 bits each (capped at 255). */
const fieldBits = 8;
const fieldMask = 0xff;

/**
 * Table rows are stored as `Header: cell; Header: cell` so each reads on its own; for ranking, a
 * column header repeated on every row would count as many mentions, so repeats are dropped.
 */
export function withoutRepeatedLabels(text: string): string {
  const seen = new Set<string>();
  return text.replace(/(^|; )([^:;\n]{1,60}): /gm, (whole, start: string, label: string) => {
    if (!seen.has(label)) {
      seen.add(label);
      return whole;
    }
    return start;
  });
}

/**
 * Section numbers are not words of the heading: "5. Policy Principles" must not match "Year 5",
 * nor "3.1" a question about "3 pupils".
 */
function withoutNumber(label: string): string {
  return label.replace(/^\s*\d+(?:\.\d+)*\.?\s*/, '');
}

interface Entry {
  passage: Passage;
  meta: PolicyDocumentMeta;
  lengths: number[];
}

export interface ScoredEntry {
  index: number;
  passage: Passage;
  meta: PolicyDocumentMeta;
  score: number;
}

export interface SearchOutcome {
  results: ScoredEntry[];
  /** Share (by idf weight) of the question's informative words that the best passage covers. */
  coverage: number;
  /** Informative words in the question, after stopwords. */
  queryWordCount: number;
  /** The question names an anchor topic of AI policies. */
  anchored: boolean;
  /** The question's distinct informative words and the concepts they triggered. */
  query: QueryWords;
}

export interface QueryWords {
  words: string[];
  concepts: Map<string, string[]>;
  /** Concepts asked for through question cues only ("who" → a role holder). */
  cued: Set<string>;
  /** For each cued concept, the words of the cues that asked for it. */
  cueWords: Map<string, string[]>;
  /** The question names AI itself, not only a neighbouring topic. */
  namesAi: boolean;
}

function queryWordsOf(analysed: AnalysedText): QueryWords {
  return {
    words: [...new Set(analysed.terms.filter((term) => !term.startsWith(conceptPrefix)))],
    concepts: analysed.concepts,
    cued: analysed.cued,
    cueWords: analysed.cueWords,
    namesAi: analysed.namesAi,
  };
}

function better(score: number, index: number, other: { index: number; score: number }): boolean {
  return score > other.score || (score === other.score && index < other.index);
}

export class LexicalIndex {
  private readonly entries: Entry[] = [];
  /**
   * term → flattened postings [entryIndex, packed field frequencies, …], in increasing entry order
   * (entries are only appended), so membership is a binary search. Two small integers per posting
   * keep 1,000 policies (~50,000 passages) well inside the memory budget.
   */
  private readonly postings = new Map<string, number[]>();
  private scores = new Float64Array(0);
  private averageLengths = [1, 1, 1, 1];
  /** Rebuilt with the index: corrects question words against the words it holds. */
  private spelling: SpellingCorrector | undefined;
  private dirty = false;

  constructor(
    private readonly analyzer: TextAnalyzer,
    private readonly options: IndexOptions = defaultIndexOptions,
  ) {}

  get size(): number {
    return this.entries.length;
  }

  add(passage: Passage, meta: PolicyDocumentMeta): void {
    const ownHeading = passage.headingPath[passage.headingPath.length - 1] ?? passage.heading;
    const headingText = withoutNumber(
      /^\d/.test(passage.section) && ownHeading === passage.section ? passage.heading : ownHeading,
    );
    const ancestors = passage.headingPath.slice(0, -1).map(withoutNumber).join(' ');
    const fields = [
      this.analyzer.analyse(headingText).terms,
      this.analyzer.analyse(ancestors).terms,
      this.analyzer.analyse(withoutRepeatedLabels(passage.text)).terms,
      this.analyzer.analyse(`${meta.title} ${meta.trustName ?? ''}`).terms,
    ];
    const entryIndex = this.entries.length;
    const counts = new Map<string, number[]>();
    fields.forEach((terms, field) => {
      for (const term of terms) {
        let tf = counts.get(term);
        if (!tf) {
          tf = [0, 0, 0, 0];
          counts.set(term, tf);
        }
        tf[field] += 1;
      }
    });
    for (const [term, tf] of counts) {
      let list = this.postings.get(term);
      if (!list) {
        list = [];
        this.postings.set(term, list);
      }
      let packed = 0;
      for (let field = fieldCount - 1; field >= 0; field -= 1)
        packed = packed * (1 << fieldBits) + Math.min(tf[field], fieldMask);
      list.push(entryIndex, packed);
    }
    this.entries.push({ passage, meta, lengths: fields.map((terms) => terms.length) });
    this.dirty = true;
  }

  /**
   * Does now what the first question would otherwise wait for: field averages, the spelling
   * corrector and the English word list (~0.3 s), so a staff member's first question is as quick as
   * the rest.
   */
  prepare(): void {
    this.refresh();
    loadEnglishWords();
  }

  private refresh(): void {
    if (!this.dirty) return;
    const thesaurusStems = this.analyzer.thesaurusStems();
    this.spelling = new SpellingCorrector((stem) => this.postings.has(stem) || thesaurusStems.has(stem));
    const totals = [0, 0, 0, 0];
    for (const entry of this.entries) entry.lengths.forEach((length, field) => (totals[field] += length));
    this.averageLengths = totals.map((total) => Math.max(1, total / Math.max(1, this.entries.length)));
    this.dirty = false;
  }

  idf(term: string): number {
    const list = this.postings.get(term);
    const documentFrequency = list ? list.length / 2 : 0;
    const count = this.entries.length;
    return Math.log(1 + (count - documentFrequency + 0.5) / (documentFrequency + 0.5));
  }

  search(question: string, limit: number, filter?: (passage: Passage) => boolean): SearchOutcome {
    this.refresh();
    const analysed = this.analyzer.analyse(question, true, this.spelling);
    const weights = new Map<string, number>();
    for (const term of analysed.terms)
      weights.set(term, Math.max(weights.get(term) ?? 0, this.queryWeight(term, analysed)));
    const { fieldWeights, k1, b } = this.options;
    const fieldWeightList = [fieldWeights.heading, fieldWeights.path, fieldWeights.body, fieldWeights.title];
    if (this.scores.length !== this.entries.length) this.scores = new Float64Array(this.entries.length);
    const scores = this.scores;
    const touched: number[] = [];
    for (const [term, queryWeight] of weights) {
      const list = this.postings.get(term);
      if (!list) continue;
      const idf = this.idf(term);
      for (let offset = 0; offset < list.length; offset += 2) {
        const entryIndex = list[offset];
        let packed = list[offset + 1];
        const lengths = this.entries[entryIndex].lengths;
        let combined = 0;
        for (let field = 0; field < fieldCount; field += 1) {
          const tf = packed % (1 << fieldBits);
          packed = Math.floor(packed / (1 << fieldBits));
          if (tf === 0) continue;
          const norm = 1 - b + (b * lengths[field]) / this.averageLengths[field];
          combined += (fieldWeightList[field] * tf) / norm;
        }
        if (scores[entryIndex] === 0) touched.push(entryIndex);
        scores[entryIndex] += queryWeight * idf * ((combined * (k1 + 1)) / (k1 + combined));
      }
    }
    // Keep only the best `limit` while scanning: sorting every touched passage costs more than the
    // scoring itself on a large library.
    const best: { index: number; score: number }[] = [];
    for (const entryIndex of touched) {
      const score = scores[entryIndex];
      scores[entryIndex] = 0;
      if (filter && !filter(this.entries[entryIndex].passage)) continue;
      if (best.length === limit && !better(score, entryIndex, best[best.length - 1])) continue;
      let position = best.length === limit ? best.length - 1 : best.length;
      while (position > 0 && better(score, entryIndex, best[position - 1])) {
        best[position] = best[position - 1];
        position -= 1;
      }
      best[position] = { index: entryIndex, score };
    }
    const results: ScoredEntry[] = best.map(({ index, score }) => ({
      index,
      passage: this.entries[index].passage,
      meta: this.entries[index].meta,
      score,
    }));
    const query = queryWordsOf(analysed);
    const words = query.words;
    const coverage = results.length > 0 ? this.coverage(query, results[0].index) : 0;
    return { results, coverage, queryWordCount: words.length, anchored: analysed.anchored, query };
  }

  /** The informative words and concepts of a text read as a question, without ranking anything. */
  queryWords(text: string): QueryWords {
    this.refresh();
    return queryWordsOf(this.analyzer.analyse(text, true, this.spelling));
  }

  /**
   * How much a term of the question counts: a word it used 1, a concept found through the thesaurus
   * less, a concept asked for only through a cue less still, and a concept it opens with more.
   */
  private queryWeight(term: string, analysed: AnalysedText): number {
    if (!term.startsWith(conceptPrefix)) return 1;
    if (!analysed.concepts.has(term)) return this.options.cueWeight;
    const opensWith =
      (analysed.firstPositions.get(term) ?? Infinity) < this.options.leadingWords &&
      !this.analyzer.isContext(term);
    return this.options.conceptWeight * (opensWith ? this.options.leadingWeight : 1);
  }

  /**
   * Share (by idf weight) of the question's words that a passage contains, directly or through a
   * thesaurus concept they triggered: used to judge how much of a question a passage really answers.
   * With `headingOnly`, only the passage's own heading and heading path count, which tells a section
   * about the question's topic from one that merely mentions its words.
   */
  coverage(query: QueryWords, entryIndex: number, headingOnly = false): number {
    const present = (term: string): boolean => {
      const packed = this.packedAt(term, entryIndex);
      return headingOnly ? packed % (1 << (2 * fieldBits)) > 0 : packed > 0;
    };
    // Whether a concept this word triggered (as a thesaurus phrase or a question cue) is present.
    const foundThrough = (triggersOf: Map<string, string[]>, word: string): boolean => {
      for (const [concept, triggers] of triggersOf)
        if (triggers.includes(word) && present(concept)) return true;
      return false;
    };
    let total = 0;
    let covered = 0;
    for (const concept of query.cued) {
      if (!this.analyzer.isAboutThePolicy(concept) || query.concepts.has(concept)) continue;
      const weight = this.idf(concept);
      total += weight;
      if (present(concept)) covered += weight;
    }
    // A concept written only in stopwords ("in a way they shouldn't" → misuse) is part of the
    // question though none of its words is counted below.
    for (const [concept, triggers] of query.concepts) {
      if (triggers.some((word) => query.words.includes(word))) continue;
      const weight = this.idf(concept);
      total += weight;
      if (present(concept)) covered += weight;
    }
    for (const word of query.words) {
      const weight = this.idf(word);
      total += weight;
      if (present(word)) {
        covered += weight;
        continue;
      }
      if (foundThrough(query.concepts, word) || foundThrough(query.cueWords, word))
        covered += weight * conceptCoverageCredit;
    }
    return total === 0 ? 0 : covered / total;
  }

  /** Whether a passage contains a term (a word or a thesaurus concept) in any field. */
  contains(term: string, entryIndex: number): boolean {
    return this.packedAt(term, entryIndex) > 0;
  }

  /** Packed field frequencies of a term in one passage; 0 when the passage lacks it. */
  private packedAt(term: string, entryIndex: number): number {
    const list = this.postings.get(term);
    if (!list) return 0;
    let low = 0;
    let high = list.length / 2 - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const value = list[middle * 2];
      if (value === entryIndex) return list[middle * 2 + 1];
      if (value < entryIndex) low = middle + 1;
      else high = middle - 1;
    }
    return 0;
  }

  entryAt(index: number): { passage: Passage; meta: PolicyDocumentMeta } {
    return this.entries[index];
  }
}
