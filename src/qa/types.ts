/** Shapes shared by the policy reader, the retriever and the answerers. */

export interface PolicyDocumentMeta {
  /** File name the document was read from, e.g. `001_x.txt`. */
  source: string;
  title: string;
  trustName?: string;
  approvedOn?: string;
  /** ISO date (yyyy-mm-dd) or the policy's own words when only a season/year is given. */
  nextReview?: string;
  /** True when the next review date has passed, judged against the injected clock. */
  pastReview?: boolean;
  /** ISO date of the last day of the stated review period (`May 2027` → 2027-05-31). */
  reviewDueBy?: string;
  /** Policy owner or responsible officer as the title page names them. */
  owner?: string;
  /** Who staff should ask when this policy does not cover a question. */
  askInstead?: string;
}

export interface Passage {
  id: string;
  source: string;
  document: string;
  /** Section id such as `3.5`, `Appendix 1`, or the heading text where sections are unnumbered. */
  section: string;
  heading: string;
  /** Heading path from the document root, e.g. ["6. Data protection", "6.2 Staff"]. */
  headingPath: string[];
  text: string;
}

export interface Citation {
  source: string;
  document: string;
  section: string;
  heading: string;
  /** The passage cited, at most 1,200 characters. */
  quote: string;
}

export type Answer =
  | {
      kind: 'answered';
      /** Plain text with citation markers `[1]`, `[2]` … that index into `citations` (1-based). */
      text: string;
      citations: Citation[];
      /** Set when an answer cites a policy past its review date. */
      reviewWarning?: string;
      /** One line telling the user personal data was removed before processing. */
      personalDataNotice?: string;
      generatedBy: 'extractive' | 'azure-openai';
    }
  | {
      kind: 'not-covered';
      text: string;
      /** Who to ask instead, from the policy or configuration. */
      askInstead: string;
      personalDataNotice?: string;
    };

/** Answers a staff question from the loaded policies. */
export interface PolicyAnswerer {
  answer(question: string): Promise<Answer>;
}

/** One passage returned by a retriever, best first. */
export interface RetrievedPassage {
  passage: Passage;
  /** Ranking score; only comparable within one search. */
  score: number;
  /** Metadata of the document the passage came from (title, review state …). */
  documentMeta: PolicyDocumentMeta;
}

/**
 * Finds the passages that address a question. `search` returns an empty list when the question is
 * out of scope (nothing in the policies addresses it), so callers can answer "not covered".
 */
export interface Retriever {
  search(question: string, limit: number): RetrievedPassage[];
}
