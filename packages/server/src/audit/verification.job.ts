import {
  asciiEquals,
  compactRangeRoots,
  HASH_SIZE,
  scanCanonicalEntry,
  scanCanonicalEntryBytes,
} from '@flagward/core';
import type { ByteRange } from './ndjson.chunks';

/** Where a worker reads the stored log from: its own read-only connection to the configured store. */
export type StoredLogSource = { dialect: 'sqlite'; file: string } | { dialect: 'postgres'; url: string };

/**
 * One range of a log for a prover: stored bodies with `afterSeq < seq <= uptoSeq`, or lines of an
 * export. `cuts` are the checkpoint sizes the verifier captures roots at: the prover cuts the tree of
 * its range there (see `compactRangeRoots`).
 */
export type VerificationJob =
  | {
      kind: 'stored';
      source: StoredLogSource;
      orgId: string;
      afterSeq: number;
      uptoSeq: number;
      cuts: readonly number[];
    }
  | { kind: 'export'; file: string; range: ByteRange; cuts: readonly number[] };

/**
 * What a prover proved about its range: the longest prefix of its entries that passes every check of
 * `AuditChainVerifier.pushText`'s fast path that does not depend on the entries before the range
 * (canonical text, recomputed hash equal to the stored one, consecutive seqs, each prevHash the
 * previous hash), with their hashes and the roots of their part of the tree. The main thread links
 * the prefix to the verified log with `pushVerifiedRun` and feeds the rest of the range, if any,
 * through `pushText`.
 */
export interface ProvenRun {
  /** Whether the prefix is the whole range (otherwise the main thread reads the rest). */
  complete: boolean;
  /** Entries of the proven prefix. */
  count: number;
  /** The first entry's seq and prevHash (meaningless when count is 0). */
  firstSeq: number;
  firstPrevHash: string;
  /** `count` hashes of 32 bytes (the buffer may be longer). */
  leafHashes: ArrayBuffer;
  /** `compactRangeRoots(firstSeq - 1, leafHashes, cuts)` of the prefix. */
  roots: ArrayBuffer;
}

/** Entries as byte ranges of one buffer: entry i is `bytes[starts[i], ends[i])`. */
export interface EntryBytes {
  bytes: Buffer;
  starts: readonly number[];
  ends: readonly number[];
}

/** Accumulates the proven prefix of a range, entry by entry. */
class RunBuilder {
  readonly #leaves: Buffer;
  count = 0;
  firstSeq = 0;
  firstPrevHash = '';
  /** The hash of the last entry added. */
  previous = '';

  constructor(capacity: number) {
    this.#leaves = Buffer.alloc(capacity * HASH_SIZE);
  }

  add(computed: string): void {
    this.#leaves.write(computed, this.count * HASH_SIZE, HASH_SIZE, 'hex');
    this.previous = computed;
    this.count += 1;
  }

  finish(total: number, cuts: readonly number[]): ProvenRun {
    const leaves = this.#leaves.subarray(0, this.count * HASH_SIZE);
    const roots =
      this.count === 0 ? new ArrayBuffer(0) : ownBuffer(compactRangeRoots(this.firstSeq - 1, leaves, cuts));
    return {
      complete: this.count === total,
      count: this.count,
      firstSeq: this.firstSeq,
      firstPrevHash: this.firstPrevHash,
      leafHashes: ownBuffer(this.#leaves),
      roots,
    };
  }
}

/** The ArrayBuffer behind a buffer made for it (transferable), or a copy of a pooled one's bytes. */
function ownBuffer(buffer: Buffer): ArrayBuffer {
  if (buffer.byteOffset === 0 && buffer.byteLength === buffer.buffer.byteLength) {
    return buffer.buffer as ArrayBuffer;
  }
  return new Uint8Array(buffer).buffer;
}

/** The proven prefix of a range of entries given as UTF-8 bytes (see {@link ProvenRun}). */
export function proveEntryBytes(entries: EntryBytes, cuts: readonly number[]): ProvenRun {
  const { bytes, starts, ends } = entries;
  const run = new RunBuilder(starts.length);
  for (let i = 0; i < starts.length; i++) {
    const scan = scanCanonicalEntryBytes(bytes, starts[i], ends[i]);
    if (scan === undefined || !asciiEquals(bytes, scan.hashAt, scan.computed)) break;
    if (run.count === 0) {
      if (scan.seq < 1) break;
      run.firstSeq = scan.seq;
      run.firstPrevHash = bytes.toString('latin1', scan.prevHashAt, scan.prevHashAt + 64);
    } else if (scan.seq !== run.firstSeq + run.count || !asciiEquals(bytes, scan.prevHashAt, run.previous)) {
      break;
    }
    run.add(scan.computed);
  }
  return run.finish(starts.length, cuts);
}

/** The proven prefix of a range of entry texts (see {@link ProvenRun}). */
export function proveTexts(texts: readonly string[], cuts: readonly number[]): ProvenRun {
  const run = new RunBuilder(texts.length);
  for (const text of texts) {
    const scan = scanCanonicalEntry(text);
    if (scan === undefined || scan.computed !== scan.hash) break;
    if (run.count === 0) {
      // The verifier wants the next seq, a positive integer; anything else is its to report.
      if (!Number.isSafeInteger(scan.seq) || scan.seq < 1) break;
      run.firstSeq = scan.seq;
      run.firstPrevHash = scan.prevHash;
    } else if (scan.seq !== run.firstSeq + run.count || scan.prevHash !== run.previous) {
      break;
    }
    run.add(scan.computed);
  }
  return run.finish(texts.length, cuts);
}

/** Messages between the main thread and a verification worker. */
export type JobRequest = { id: number; job: VerificationJob };
export type JobReply = { id: number; run: ProvenRun } | { id: number; error: string };
