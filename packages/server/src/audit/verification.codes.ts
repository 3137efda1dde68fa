/**
 * Exit codes of `flagward audit verify` (online and offline), one per kind of failure, so scripts can
 * tell a damaged file from a forged checkpoint from a rewritten history.
 */
export const VERIFY_EXIT = {
  /** Everything verified. */
  ok: 0,
  /** Unreadable input: a missing or malformed file, key, checkpoint note, entry line or proof. */
  malformed: 2,
  /** The checkpoint is not signed by the key, or its signature does not verify. */
  signature: 3,
  /** The hash chain is broken: a seq is missing, repeated or out of order, a prevHash or hash is wrong. */
  chain: 4,
  /** The tree disagrees with a checkpoint: another root, a checkpoint larger than the log, a bad proof. */
  tree: 5,
} as const;

const CHAIN_PROBLEMS = new Set(['seq-gap', 'prev-hash-mismatch', 'hash-mismatch', 'seq-out-of-order']);
const TREE_PROBLEMS = new Set([
  'log-truncated',
  'checkpoint-root-mismatch',
  'inclusion-proof-invalid',
  'checkpoint-mismatch',
  'head-mismatch',
]);
const SIGNATURE_PROBLEMS = new Set([
  'signature-missing',
  'signature-invalid',
  'checkpoint-signature-invalid',
]);

/** The exit code of a verification problem (0 when there is none). */
export function exitCodeOf(problem: string | undefined): number {
  if (problem === undefined) return VERIFY_EXIT.ok;
  if (CHAIN_PROBLEMS.has(problem)) return VERIFY_EXIT.chain;
  if (TREE_PROBLEMS.has(problem)) return VERIFY_EXIT.tree;
  if (SIGNATURE_PROBLEMS.has(problem)) return VERIFY_EXIT.signature;
  return VERIFY_EXIT.malformed;
}

/** The exit codes as `flagward audit verify --help` and the README list them. */
export const VERIFY_EXIT_HELP = `Exit codes:
  0  verified: the chain, the tree and every checkpoint signature
  2  malformed input: unreadable file, key, checkpoint note, entry line or proof
  3  bad signature: the checkpoint is not signed by the key, or the signature does not verify
  4  broken chain: a seq is missing, repeated or out of order, or a prevHash or hash is wrong
  5  inconsistent tree: a root differs from the checkpoint's, the checkpoint is larger than the log,
     or an inclusion proof does not lead to the checkpoint root`;
