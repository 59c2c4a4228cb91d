import type { Clock } from '../shared/clock';
import { loadPolicyDocuments } from '../policies/reader';
import { defaultAskInstead } from '../policies/metadata';
import type { PolicyDocument } from '../policies/types';
import { ExtractiveAnswerer } from './extractive-answerer';
import type { IndexOptions } from './lexical-index';
import { PolicyRetriever, type ScopeOptions } from './retriever';
import { TextAnalyzer, loadThesaurus, type ThesaurusData } from './text-analysis';
import type { Passage } from './types';

export interface PolicyLibrary {
  documents: PolicyDocument[];
  passages: Passage[];
  retriever: PolicyRetriever;
  answerer: ExtractiveAnswerer;
  /** Who to ask when the policies don't cover a question. */
  askInstead: string;
}

export interface LibraryOptions {
  thesaurus?: ThesaurusData;
  index?: IndexOptions;
  scope?: Partial<ScopeOptions>;
  /** Overrides who to ask; by default the policy's owner/DPO when one policy is loaded. */
  askInstead?: string;
}

/** Builds the retriever and offline answerer over already-parsed documents. */
export function buildPolicyLibrary(documents: PolicyDocument[], options: LibraryOptions = {}): PolicyLibrary {
  const analyzer = new TextAnalyzer(options.thesaurus ?? loadThesaurus());
  const retriever = new PolicyRetriever(documents, { index: options.index, scope: options.scope }, analyzer);
  const askInstead =
    options.askInstead ??
    (documents.length === 1 ? (documents[0].meta.askInstead ?? defaultAskInstead) : defaultAskInstead);
  return {
    documents,
    passages: documents.flatMap((document) => document.passages),
    retriever,
    answerer: ExtractiveAnswerer.fromRetriever(retriever, askInstead),
    askInstead,
  };
}

/** Reads policy files/folders (.txt, .md, .docx, .pdf) and builds the library. */
export async function createPolicyLibrary(
  input: { paths: string[]; clock: Clock } & LibraryOptions,
): Promise<PolicyLibrary> {
  const documents = await loadPolicyDocuments({ paths: input.paths, clock: input.clock });
  return buildPolicyLibrary(documents, input);
}
