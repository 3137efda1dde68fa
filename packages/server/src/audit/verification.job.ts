import { HASH_SIZE, scanCanonicalEntry } from '@flagward/core';
import type { ByteRange } from './ndjson.chunks';

/** Where a worker reads the stored log from: its own read-only connection to the configured store. */
export type StoredLogSource = { dialect: 'sqlite'; file: string } | { dialect: 'postgres'; url: string };

/** One range of a log for a worker: stored bodies with `afterSeq < seq <= uptoSeq`, or lines of an export. */
export type VerificationJob =
  | { kind: 'stored'; source: StoredLogSource; orgId: string; afterSeq: number; uptoSeq: number }
  | { kind: 'export'; file: string; range: ByteRange };

/**
 * What a worker proved about its range: the longest prefix of its entries that passes every check of
 * `AuditChainVerifier.pushText`'s fast path that does not depend on the entries before the range
 * (canonical text, recomputed hash equal to the stored one, consecutive seqs, each prevHash the
 * previous hash), with their hashes. The main thread links the prefix to the verified log with
 * `pushVerifiedRun` and feeds the rest of the range, if any, through `pushText`.
 */
export interface ProvenRun {
  /** Entries in the range. */
  total: number;
  /** Entries of the proven prefix. */
  count: number;
  /** The first entry's seq and prevHash (meaningless when count is 0). */
  firstSeq: number;
  firstPrevHash: string;
  /** `count` hashes of 32 bytes (the buffer may be longer). */
  leafHashes: ArrayBuffer;
}

/** The proven prefix of a range of entry texts (see {@link ProvenRun}). */
export function proveRun(texts: readonly string[]): ProvenRun {
  const leafHashes = new ArrayBuffer(texts.length * HASH_SIZE);
  const leaves = Buffer.from(leafHashes);
  let count = 0;
  let firstSeq = 0;
  let firstPrevHash = '';
  let previous = '';
  for (const text of texts) {
    const scan = scanCanonicalEntry(text);
    if (scan === undefined || scan.computed !== scan.hash) break;
    if (count === 0) {
      firstSeq = scan.seq;
      firstPrevHash = scan.prevHash;
    } else if (scan.seq !== firstSeq + count || scan.prevHash !== previous) {
      break;
    }
    leaves.write(scan.computed, count * HASH_SIZE, 'hex');
    previous = scan.computed;
    count += 1;
  }
  return { total: texts.length, count, firstSeq, firstPrevHash, leafHashes };
}

/** Messages between the main thread and a verification worker. */
export type JobRequest = { id: number; job: VerificationJob };
export type JobReply = { id: number; run: ProvenRun } | { id: number; error: string };
