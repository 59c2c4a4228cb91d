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
  /**
   * A question of a kind no AI policy answers though it names AI (how to switch a product on, what it
   * costs, which is better: `offPolicyQuestions` in the thesaurus data) is in scope only when the
   * policy covers this much of it: "how do I turn on Copilot in Outlook?" shares "Copilot" with
   * every policy and nothing else.
   */
  minCoverageOffPolicy: number;
  /**
   * The same for a question that means AI through a word such as "software" or "a machine"
   * (`impliedAiWords` in the thesaurus data): between a question naming AI and one that does not.
   * 0.2 rather than 0.3: staff-blind-18 and -19 (200 questions) false refusals 0.085 → 0.045 and
   * hit@3 0.81 → 0.85. It let five product and how-to questions that say "app" or "system" through
   * (dev out-of-scope refused 0.978 → 0.968) until the off-policy kinds caught them (0.981).
   */
  minCoverageImpliedAi: number;
  /** How many of the best passages may show that the policy covers the question. */
  evidencePassages: number;
  /** Below this BM25F score for the best passage: out of scope. */
  minScore: number;
  /**
   * The same for a question that names AI itself (ChatGPT, Copilot, "AI"): staff asking an AI-policy
   * assistant about AI in loose words of their own ("break the AI rules") are asking something the
   * policy means to answer, and none of the out-of-scope questions staff ask (HR, timetables,
   * general knowledge) names AI, so only a near-empty match is refused.
   */
  minScoreNamingAi: number;
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
   * With several documents loaded, score factor for the passages of a policy the question names by
   * its trust or title ("Quantock", "ATLP"): staff who name their trust want its policy, not the one
   * that happens to use their words most.
   */
  namedDocumentWeight: number;
  /**
   * Score factor for a passage whose headings address pupils ("How pupils might use AI", "Use of AI
   * by Pupils") when a member of staff asks in the first person ("can I…", "my class"): they ask
   * about their own use, and the pupils' section shares their words (essays, feedback, homework).
   * 0.8 measured best over the dev sets (1,498 per-policy questions: hit@1 0.774 → 0.780); the
   * held-out sets rose too (690 questions: hit@1 0.743 → 0.748, pooled hit@3 0.646 → 0.649).
   */
  pupilSectionWeightForStaff: number;
  /**
   * With several documents loaded, at most this many returned passages come from one document, so
   * a question every policy answers shows each policy's own wording rather than three passages of one.
   */
  maxPerDocument: number;
  /**
   * Score factor for a passage that speaks of the kind of AI a question names (notetakers, emotion
   * recognition, AI detectors, agents): "software that reads pupils' faces" wants the clause on
   * emotion recognition, not the marking clause that shares "software" and "pupils". Measured at
   * 1, 1.3, 1.6, 2, 2.5 and 4: dev sets (3,418 questions) hit@1 0.785 → 0.789 and pooled hit@3
   * 0.687 → 0.695 at 2, the round-23 dev sets (640) 0.736 → 0.745; flat above 2.
   */
  topicWeight: number;
}

export const defaultScopeOptions: ScopeOptions = {
  minCoverage: 0.65,
  minCoverageWithHeading: 0.4,
  minHeadingCoverage: 0.3,
  minCoverageAboutPolicy: 0.25,
  minCoverageAnchored: 0.05,
  minCoverageOffPolicy: 0.75,
  minCoverageImpliedAi: 0.2,
  evidencePassages: 3,
  minScore: 1.5,
  minScoreNamingAi: 0.5,
  documentInformationWeight: 0.5,
  glossaryWeight: 0.8,
  relativeCutoff: 0.3,
  namedDocumentWeight: 2,
  pupilSectionWeightForStaff: 0.8,
  maxPerDocument: 1,
  topicWeight: 2,
};

/** The metadata block of a title page (owner, dates, related policies) is not a policy section. */
export const documentInformationSection = 'Document information';

/** Rounding room when a coverage is compared with its bar. */
const coverageTolerance = 1e-9;

/** Candidates beyond the requested number that the re-ranking may lift into it. */
const rerankDepth = 4;

/**
 * Staff also say "this" for the document they are asking about ("does this apply to supply staff?",
 * "have my team read this?", "when's this due for review?", "what legislation underpins this?") and
 * call it "the rules" or "the guidance"; "the rules for trips" is another document and does not count.
 */
const aboutThisPolicy = new RegExp(
  [
    String.raw`^\s*(?:is|was|does)\s+(?:this|the|our)\s+(?:ai\s+)?polic(?:y|ies)\s+(?:about|for|meant|supposed|designed|intended|trying)\b`,
    String.raw`\b(?:does|do|would|will)\s+(?:this|it)\s+(?:still\s+|also\s+|really\s+|even\s+)?(?:cover|apply)\b`,
    String.raw`\bwho\s+(?:is|does)\s+(?:this|it)\s+(?:for|cover|apply)\b`,
    // "this whole document", "the AI rules" — but not "the policy on trips".
    String.raw`\b(?:this|the|our|your|trust's|school's|these)\s+(?:whole\s+|entire\s+|actual\s+|new\s+)?(?:ai\s+|artificial intelligence\s+)?(?:polic(?:y|ies)|rules|guidance|guidelines|document)\b(?!\s+(?:on|for|about|regarding|covering|of)\b)`,
    String.raw`\b(?:read|follow|apply|applies|cover|covers|stick to|comply with|adhere to|abide by)\s+this\b(?!\s+\w+\s+(?:polic|rule))`,
    String.raw`\bthis one\b`,
    // "How this gets rolled out", "this being used safely", "governance of this at trust level".
    String.raw`\bthis (?:gets|got|being|is being|will be|should be|is (?:updated|reviewed|changed|revised))\b`,
    String.raw`\bthis (?:at|across|in|within) (?:trust|school|the trust|the school|our|my|a)\b`,
    String.raw`\b(?:on|about|with|for) this (?:and|or|but)\b`,
    // "Where do we stand on letting it grade quizzes?", "what's our stance on deepfakes?"
    String.raw`\bwhere do (?:we|i|staff|teachers) stand\b`,
    String.raw`\bwhat(?:'s| is) (?:our|the trust's|the school's|the policy's|the) (?:stance|position|line|view)\b`,
    // "Do I follow it when working from home?"
    String.raw`\b(?:do|must|should|would) (?:i|we|staff|they) (?:still |also )?(?:follow|apply) it\b`,
    String.raw`^\s*when(?:'s| is| does| will| was)\s+this\b`,
    String.raw`^\s*when (?:this|it) (?:gets?|is|was|will be) (?:looked at|reviewed|updated|renewed|checked|revised)\b`,
    // "Does any of this apply to me?", "with all this".
    String.raw`\b(?:any|all|none|some|most) of this\b`,
    String.raw`\b(?:with )?all this\b`,
    // "Which laws is it based on?", "what does this take into account?", "which laws this sits under".
    String.raw`\b(?:is|was|are) (?:all )?(?:this|it|the policy|our policy|the ai policy) (?:\w+ )?(?:based|built) on\b`,
    String.raw`\bpolic(?:y|ies) (?:is|are|was) (?:\w+ )?(?:based|built) on\b`,
    String.raw`\b(?:basing|building) (?:this|it) on\b`,
    // "The five principles that we follow", "that the trust says it follows".
    String.raw`\bthat (?:we|the trust|our trust|the school) (?:says it )?follows?\b`,
    String.raw`\b(?:it|this)(?:'s| is) (?:based|built) on\b`,
    String.raw`\bthis (?:sits|comes|falls) under\b`,
    String.raw`\bdoes (?:this|it) (?:take|follow|link|sit|mention|include|expect)\b`,
    // "this" standing alone: "what legislation underpins this?", "if I get this wrong".
    String.raw`\bthis\s*[?.!]*\s*$`,
    String.raw`\bthis(?=\s*(?:[?,.!—–]|\s-\s|$)|\s+(?:is all|all|wrong|properly)\b)`,
    String.raw`\bpolic(?:y|ies) for\s*[?.!]*\s*$`,
  ].join('|'),
  'i',
);

const glossaryHeading = /^(definitions?|glossary|key terms|terminology|terms used)\b/i;
const definitionQuestion =
  /\b(what(?:'s| is| are| does| do)|meaning|means?|define|definitions?|stands? for|difference between|counts? as|class(?:ed|ified) as)\b/i;

/** A question passed on from someone else: "a governor asked if these rules apply to volunteers". */
const relayedQuestion =
  /\b(?:asked|asks|asking|ask|wants to know|wanted to know|wondering|wonders)\s+(?:me\s+|us\s+)?((?:if|whether|when|what|which|who|how|why)\b.+)$/i;

/**
 * The sentences of a longer message that ask its question ("Which laws is this built on? Need them
 * for a paper.", "I'm on supply till Easter — does this apply to me?") and any question it passes on
 * from someone else; empty for a single question with nothing around it.
 */
export function askingSentences(message: string): string[] {
  const sentences = message
    .split(/(?<=[?.!:])\s+|\s+[—–-]\s+/)
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence.length > 0);
  const asking = sentences.length > 1 ? sentences.filter((sentence) => sentence.endsWith('?')) : [];
  for (const sentence of sentences) {
    const relayed = relayedQuestion.exec(sentence)?.[1];
    if (relayed !== undefined) asking.push(relayed);
  }
  return asking;
}

/**
 * Informative words and concepts an asking sentence needs to be judged on its own, unless it names
 * the policy: "who do I contact?" or "is there training?" say too little without their context.
 */
const minAskingTerms = 3;

/** A member of staff asking about their own use ("can I…", "my class"), not about what pupils may do. */
const firstPersonQuestion = /\b(?:i|i'm|i've|my|me)\b/i;
const asksAboutPupils = /^\s*(?:can|could|should|do|are|may)\s+(?:pupils|students|kids|children|learners)\b/i;

/** Thesaurus concepts that ask about the policy document itself rather than its rules. */
const documentConcepts = new Set([
  `${conceptPrefix}review-date`,
  `${conceptPrefix}policy-owner`,
  `${conceptPrefix}related-policies`,
]);

/** Words of trust names and titles that say nothing about which trust is meant. */
const genericNameWords = new Set(
  `the of and for a an ai artificial intelligence policy policies trust trusts academy academies school schools
learning partners partnership education educational multi mat group federation college`.split(/\s+/),
);

/**
 * For each loaded document, a pattern for the words of its trust name and title that no other loaded
 * document shares, written as a name (capitalised, or an acronym): "Creative Learning Partnership"
 * names a trust, "creative writing" does not. With one document there is nothing to tell apart.
 */
export function documentNamePatterns(metas: PolicyDocumentMeta[]): Map<string, RegExp> {
  const patterns = new Map<string, RegExp>();
  if (metas.length < 2) return patterns;
  const wordsOf = (meta: PolicyDocumentMeta): string[] => [
    ...new Set(
      `${meta.trustName ?? ''} ${meta.title}`
        .split(/[^A-Za-z0-9']+/)
        .filter(
          (word) => /^[A-Z]/.test(word) && word.length >= 3 && !genericNameWords.has(word.toLowerCase()),
        ),
    ),
  ];
  const named = metas.map((meta) => ({ source: meta.source, words: wordsOf(meta) }));
  for (const { source, words } of named) {
    const own = words.filter((word) =>
      named.every((other) => other.source === source || !other.words.includes(word)),
    );
    if (own.length === 0) continue;
    // An acronym names a trust anywhere; a capitalised word not as the first of a sentence
    // ("Creative writing with AI?" is not the Creative Learning Partnership).
    const acronyms = own.filter((word) => /^[A-Z0-9]+$/.test(word));
    const names = own.filter((word) => !acronyms.includes(word));
    const alternatives = [
      ...(acronyms.length > 0 ? [`\\b(?:${acronyms.join('|')})\\b`] : []),
      ...(names.length > 0 ? [`(?<!(?:^|[.?!])\\s*)\\b(?:${names.join('|')})\\b`] : []),
    ];
    patterns.set(source, new RegExp(alternatives.join('|')));
  }
  return patterns;
}

export interface SearchDiagnostics {
  coverage: number;
  headingCoverage: number;
  anchored: boolean;
  topScore: number;
  inScope: boolean;
  /** The off-policy kind of question this is, when it is one. */
  offPolicy?: string;
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
    this.index.prepare();
    this.documentCount = documents.length;
    this.documentNames = documentNamePatterns(documents.map((document) => document.meta));
  }

  /** Per source: the distinctive words of its trust name and title, as a question would write them. */
  private readonly documentNames: Map<string, RegExp>;

  private readonly documentCount: number;

  private readonly scope: ScopeOptions;

  search(question: string, limit: number): RetrievedPassage[] {
    return this.searchWithDiagnostics(question, limit).passages;
  }

  searchWithDiagnostics(
    typedQuestion: string,
    limit: number,
  ): { passages: RetrievedPassage[]; diagnostics: SearchDiagnostics } {
    const question = this.analyzer.readTextSpeak(typedQuestion);
    const { outcome, aboutDocument } = this.searchIndex(question, Math.max(limit, 1) * 4);
    const top = outcome.results[0];
    const topScore = top?.score ?? 0;
    // A title page lists related policies (social media, code of conduct …) and matches questions
    // about them; only a question about the policy itself (review date, owner: named or asked for
    // through a cue such as "how often") may rest on it.
    // The evidence may come from any of the first few passages: the best-scoring one is not always
    // the one whose heading names the question's topic.
    const asksAboutDocument = outcome.anchored || aboutDocument;
    const evidence = outcome.results
      .slice(0, this.scope.evidencePassages)
      .filter((result) => asksAboutDocument || result.passage.section !== documentInformationSection);
    const { minCoverageAnchored, minCoverageWithHeading, minHeadingCoverage } = this.scope;
    const aboutPolicy = aboutThisPolicy.test(question);
    // The most lenient bar the question earns: about the policy, meaning AI, or neither.
    const minCoverage = Math.min(
      this.scope.minCoverage,
      aboutPolicy ? this.scope.minCoverageAboutPolicy : 1,
      this.analyzer.impliesAi(question) ? this.scope.minCoverageImpliedAi : 1,
    );
    // A kind of AI such as notetakers is answered only by a passage that speaks of it: a policy that
    // never mentions notetakers must say it does not cover them, not quote its scope section.
    const topics = this.analyzer.aiTopics(outcome.query.concepts.keys());
    // Staff often add context around the question itself ("…? Need it for the governors' paper"):
    // the sentence that asks may be covered though the whole message is not.
    // It must say enough on its own: "who do I contact?" after a message about a projector does not.
    const queries = [outcome.query];
    for (const asking of askingSentences(question)) {
      const askingQuery = this.index.queryWords(asking);
      if (
        aboutThisPolicy.test(asking) ||
        askingQuery.words.length + askingQuery.concepts.size >= minAskingTerms
      )
        queries.push(askingQuery);
    }
    let coverage = 0;
    let wholeCoverage = 0;
    let headingCoverage = 0;
    let covers = false;
    for (const result of evidence) {
      const coverages = queries.map((query) => this.index.coverage(query, result.index));
      const passageCoverage = Math.max(...coverages);
      wholeCoverage = Math.max(wholeCoverage, coverages[0]);
      const passageHeadingCoverage = Math.max(
        ...queries.map((query) => this.index.coverage(query, result.index, true)),
      );
      coverage = Math.max(coverage, passageCoverage);
      headingCoverage = Math.max(headingCoverage, passageHeadingCoverage);
      const anchoredHere =
        outcome.anchored &&
        (topics.length === 0 || topics.some((topic) => this.index.contains(topic, result.index)));
      // Coverage is a sum of fractions: 0.2 may come out as 0.19999999999999998.
      const found = passageCoverage + coverageTolerance;
      covers ||= anchoredHere
        ? found >= minCoverageAnchored
        : found >= minCoverage ||
          (found >= minCoverageWithHeading &&
            passageHeadingCoverage + coverageTolerance >= minHeadingCoverage);
    }
    // A question about the policy itself ("what is this document trying to achieve?", "how often is it
    // updated?") asks the assistant's own documents, as a question naming AI does.
    const minScore =
      outcome.query.namesAi || asksAboutDocument || aboutPolicy
        ? this.scope.minScoreNamingAi
        : this.scope.minScore;
    const offPolicyKind = this.analyzer.offPolicyQuestion(question);
    const offPolicy = offPolicyKind?.name;
    // The whole message must be covered to outweigh its kind: its asking sentence alone ("how long do we
    // have to respond?") says too little.
    if (offPolicyKind && (offPolicyKind.always || wholeCoverage < this.scope.minCoverageOffPolicy))
      covers = false;
    const inScope = top !== undefined && covers && topScore >= minScore;
    const perDocument = new Map<string, number>();
    const sections = new Set<string>();
    const passages: RetrievedPassage[] = [];
    if (inScope) {
      for (const result of outcome.results) {
        if (passages.length >= limit || result.score < topScore * this.scope.relativeCutoff) break;
        const count = perDocument.get(result.passage.source) ?? 0;
        if (this.documentCount > 1 && count >= this.scope.maxPerDocument) continue;
        // A long section split into several passages is cited once, by its best passage: the other
        // places go to other sections, which are often the ones a differently worded question meant.
        const sectionKey = `${result.passage.source}\u0000${result.passage.section}`;
        if (sections.has(sectionKey)) continue;
        sections.add(sectionKey);
        perDocument.set(result.passage.source, count + 1);
        passages.push({ passage: result.passage, score: result.score, documentMeta: result.meta });
      }
    }
    return {
      passages,
      diagnostics: { coverage, headingCoverage, anchored: outcome.anchored, topScore, inScope, offPolicy },
    };
  }

  /**
   * The index's ranking with the title-page block demoted unless the question asks about the
   * policy document itself (its review date, owner or related policies): the block names the
   * audience, committees and related policies, so it shares words with many questions it does not
   * answer. Also says whether the question asks about the document, which the scope check needs too.
   */
  private searchIndex(question: string, limit: number): { outcome: SearchOutcome; aboutDocument: boolean } {
    const outcome = this.index.search(question, limit + rerankDepth);
    const aboutDocument = this.asksAboutDocument(outcome);
    const { documentInformationWeight, glossaryWeight } = this.scope;
    const asksMeaning = definitionQuestion.test(question);
    const named = new Set<string>();
    for (const [source, pattern] of this.documentNames) if (pattern.test(question)) named.add(source);
    const staffAsking = firstPersonQuestion.test(question) && !asksAboutPupils.test(question);
    const topics = this.analyzer.aiTopics(outcome.query.concepts.keys());
    outcome.results = outcome.results
      .map((result) => {
        let weight = 1;
        if (!aboutDocument && result.passage.section === documentInformationSection)
          weight = documentInformationWeight;
        else if (!asksMeaning && glossaryHeading.test(result.passage.heading)) weight = glossaryWeight;
        if (topics.length > 0 && topics.some((topic) => this.index.contains(topic, result.index)))
          weight *= this.scope.topicWeight;
        if (named.has(result.passage.source)) weight *= this.scope.namedDocumentWeight;
        if (staffAsking && this.addressesPupils(result.passage))
          weight *= this.scope.pupilSectionWeightForStaff;
        return weight === 1 ? result : { ...result, score: result.score * weight };
      })
      .sort((left, right) => right.score - left.score || left.index - right.index)
      .slice(0, limit);
    return { outcome, aboutDocument };
  }

  private readonly pupilHeadings = new Map<string, boolean>();

  /** Whether a passage's headings name pupils and not staff (cached: headings repeat across passages). */
  private addressesPupils(passage: Passage): boolean {
    const headings = [...passage.headingPath, passage.heading].join(' ');
    let addresses = this.pupilHeadings.get(headings);
    if (addresses === undefined) {
      const terms = this.analyzer.analyse(headings).terms;
      addresses = terms.includes(`${conceptPrefix}pupil`) && !terms.includes(`${conceptPrefix}staff`);
      this.pupilHeadings.set(headings, addresses);
    }
    return addresses;
  }

  /** Whether the question asks about the policy document itself (its review date, owner or related policies). */
  private asksAboutDocument(outcome: SearchOutcome): boolean {
    return [...outcome.query.concepts.keys(), ...outcome.query.cued].some((concept) =>
      documentConcepts.has(concept),
    );
  }

  /** Ranking without the out-of-scope check: for the benchmark and the outline tool. */
  rank(question: string, limit: number): RetrievedPassage[] {
    return this.searchIndex(question, limit).outcome.results.map((result) => ({
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
