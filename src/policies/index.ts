export {
  parsePolicyText,
  readPolicyText,
  listPolicyFiles,
  loadPolicyDocuments,
  supportedExtensions,
} from './reader';
export { maxPassageLength, splitSentences } from './passages';
export { findDate, findTrustName, defaultAskInstead } from './metadata';
export type { PolicyDocument, PolicySection } from './types';
