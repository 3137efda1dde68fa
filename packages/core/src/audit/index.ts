export { base64ToBytes, bytesEqual, bytesToBase64, bytesToHex, hexToBytes } from './byte-encoding';
export {
  asciiEquals,
  type CanonicalEntryBytesScan,
  scanCanonicalEntryBytes,
} from './canonical-entry-bytes';
export { type CanonicalEntryScan, scanCanonicalEntry } from './canonical-entry-text';
export { canonicalJson } from './canonical-json';
export {
  AuditChainVerifier,
  type AuditChainVerifierOptions,
  type AuditProblem,
  type AuditVerification,
  auditProblems,
  type CheckpointCheck,
} from './chain-verifier';
export {
  type Checkpoint,
  type CheckpointFailure,
  type CheckpointVerification,
  generateSignerKey,
  type NoteSignature,
  type ParsedCheckpoint,
  parseCheckpoint,
  parseVerifierKey,
  signCheckpoint,
  signNote,
  type VerifierKey,
  verifyCheckpoint,
  vkeyFromSkey,
} from './checkpoint-note';
export { hashEntry, isEntryHash, sealEntry, ZERO_HASH } from './entry-hash';
export {
  type EntryProofsVerification,
  EntryProofVerifier,
  type EntryWithProof,
  verifyEntriesWithProofs,
} from './entry-proofs';
export {
  type ConsistencyProofInput,
  consistencyProof,
  type InclusionProofInput,
  inclusionProof,
  type LeafHashReader,
  verifyConsistency,
  verifyInclusion,
} from './merkle-proof';
export { compactRange, compactRangeRoots, type PerfectSubtree, segmentedRange } from './merkle-range';
export {
  emptyRoot,
  HASH_SIZE,
  leafHash,
  MerkleFrontier,
  type MerkleFrontierJson,
  nodeHash,
  rootOfLeaves,
} from './merkle-tree';
