import type { Passage, PolicyDocumentMeta } from '../qa/types';

/** One section of a policy as parsed: numbered clause, numbered heading, appendix or unnumbered heading. */
export interface PolicySection {
  /** `3.5`, `Appendix 1`, or the heading text where the section is unnumbered. */
  id: string;
  heading: string;
  headingPath: string[];
  /** 1 for top-level sections; deeper numbering or sub-headings go deeper. */
  level: number;
  /** Body units in order: paragraphs, bullets (`- …`) and table rows that read on their own. */
  units: string[];
  /** True for the document information block before the first section (title page, approval table). */
  frontMatter: boolean;
}

export interface PolicyDocument {
  meta: PolicyDocumentMeta;
  sections: PolicySection[];
  passages: Passage[];
  /** Things an IT lead should check before the policy goes live (no sections found, no review date …). */
  warnings: string[];
}
