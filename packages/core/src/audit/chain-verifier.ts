import { FlagwardError } from '../errors/flagward-error';
import { bytesEqual, bytesToBase64 } from './byte-encoding';
import { scanCanonicalEntry } from './canonical-entry-text';
import { hashEntry, isEntryHash, ZERO_HASH } from './entry-hash';
import { segmentedRange } from './merkle-range';
import { emptyRoot, HASH_SIZE, MerkleFrontier } from './merkle-tree';

/** The closed set of integrity problems audit verification reports. */
export const auditProblems = [
  /** Not an object, or `seq`/`prevHash`/`hash` missing or ill-typed, or a value with no JSON meaning. */
  'malformed-entry',
  /** The entry at a position does not carry the next `seq` (missing, repeated or reordered entries). */
  'seq-gap',
  /** `prevHash` is not the previous entry's `hash` (64 zeros for seq 1). */
  'prev-hash-mismatch',
  /** The recomputed hash of the entry's content is not its stored `hash`: the entry was altered. */
  'hash-mismatch',
  /** A signed checkpoint covers more entries than the log holds: its tail was removed. */
  'log-truncated',
  /** The tree of the first `size` entries does not have the signed root: history was rewritten. */
  'checkpoint-root-mismatch',
  /** A filtered export lists entries out of ascending `seq` order or twice. */
  'seq-out-of-order',
  /** A filtered export's proof is missing or ill-formed. */
  'malformed-proof',
  /** An inclusion proof does not prove the entry against the checkpoint. */
  'inclusion-proof-invalid',
] as const;

export type AuditProblem = (typeof auditProblems)[number];

/** Outcome of verifying a log. `size` and `root` describe the verified prefix. */
export interface AuditVerification {
  ok: boolean;
  /** Entries verified (all of them when ok; those before `firstBadSeq` otherwise). */
  size: number;
  /** Base64 RFC 6962 root of the verified entries. */
  root: string;
  /** The first position at which the log is wrong; absent when it cannot be pinned to one entry. */
  firstBadSeq?: number;
  problem?: AuditProblem;
  message?: string;
}

/** Outcome of {@link AuditChainVerifier.checkCheckpoint}. */
export type CheckpointCheck =
  | { ok: true }
  | { ok: false; problem: AuditProblem; message: string; firstBadSeq?: number };

export interface AuditChainVerifierOptions {
  /**
   * Keep every leaf hash (32 bytes per entry, about 32 MB per million) so that a checkpoint of any
   * size at or below the verified size can be checked afterwards.
   */
  keepLeafHashes?: boolean;
  /** Checkpoint sizes known in advance: their roots are captured on the way, without keeping leaves. */
  checkpointSizes?: Iterable<number>;
}

const SNAPSHOT_INTERVAL = 4096;

interface Failure {
  firstBadSeq?: number;
  problem: AuditProblem;
  message: string;
}

/**
 * Streaming verifier of one organization's audit log, shared by the server's online verify and the
 * offline CLI. Feed every entry in `seq` order; it checks that `seq` runs 1, 2, 3… without gaps,
 * that each `prevHash` is the previous `hash` (64 zeros for seq 1), that each `hash` is the hash of
 * the entry's content, and builds the RFC 6962 tree of the hashes. It stops at the first problem.
 * Then check the signed checkpoints against it (after the whole log has been fed: a checkpoint larger
 * than what was fed counts as a truncated log).
 *
 * @example
 * const verifier = new AuditChainVerifier({ checkpointSizes: [checkpoint.size] });
 * for (const entry of entries) if (!verifier.push(entry)) break;
 * verifier.checkCheckpoint(checkpoint);
 * verifier.result(); // { ok: true, size: 1200, root: 'q6yr…' } or { ok: false, firstBadSeq: 17, problem: 'hash-mismatch', … }
 */
export class AuditChainVerifier {
  readonly #frontier = new MerkleFrontier();
  #lastHash = ZERO_HASH;
  #failure: Failure | undefined;
  #leaves: Buffer | undefined;
  // With kept leaves: a frontier every SNAPSHOT_INTERVAL leaves, so the root of any earlier size costs
  // at most SNAPSHOT_INTERVAL appends instead of a pass over the whole log per checkpoint.
  readonly #snapshots: MerkleFrontier[] = [];
  readonly #rootsAt = new Map<number, Buffer | undefined>();

  constructor(options: AuditChainVerifierOptions = {}) {
    if (options.keepLeafHashes) this.#leaves = Buffer.allocUnsafe(1024 * HASH_SIZE);
    for (const size of options.checkpointSizes ?? []) this.#rootsAt.set(size, undefined);
  }

  /** Number of entries verified so far. */
  get size(): number {
    return this.#frontier.size;
  }

  /**
   * The sizes announced in `checkpointSizes`, ascending: where whoever computes a run's part of the
   * tree for {@link pushVerifiedRun} must cut it.
   *
   * @example
   * const cuts = verifier.checkpointSizes.filter((size) => size > afterSeq && size < uptoSeq);
   */
  get checkpointSizes(): number[] {
    return [...this.#rootsAt.keys()].sort((a, b) => a - b);
  }

  /**
   * Verifies the next entry: the complete stored object (`seq`, `prevHash`, `hash` and the rest).
   * Anything may be passed (a line that failed to parse becomes a `malformed-entry` at the next
   * position). Returns false once a problem has been found; later entries are then ignored.
   *
   * @example
   * if (!verifier.push(JSON.parse(line))) break;
   */
  push(entry: unknown): boolean {
    if (this.#failure !== undefined) return false;
    const expected = this.#frontier.size + 1;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      return this.#fail(expected, 'malformed-entry', `the entry at seq ${expected} is not a JSON object`);
    }
    const { seq, prevHash, hash } = entry as { seq?: unknown; prevHash?: unknown; hash?: unknown };
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) {
      return this.#fail(expected, 'malformed-entry', `the entry at seq ${expected} has no valid seq`);
    }
    if (seq !== expected) {
      const message =
        seq > expected
          ? `seq ${expected} is missing: seq ${seq} follows seq ${expected - 1}`
          : `seq ${seq} appears again where seq ${expected} was expected`;
      return this.#fail(expected, 'seq-gap', message);
    }
    // Equality with a known-good hash implies the format, so the format is only examined on failure.
    if (prevHash !== this.#lastHash) {
      if (!isEntryHash(prevHash)) return this.#malformedHashes(seq);
      const message =
        seq === 1
          ? 'seq 1: prevHash must be 64 zeros'
          : `seq ${seq}: prevHash is not the hash of seq ${seq - 1} (an entry before it was removed or rewritten)`;
      return this.#fail(expected, 'prev-hash-mismatch', message);
    }
    let computed: string;
    try {
      computed = hashEntry(entry);
    } catch (error) {
      if (!(error instanceof FlagwardError)) throw error;
      return this.#fail(expected, 'malformed-entry', `seq ${seq}: ${error.message}`);
    }
    if (computed !== hash) {
      if (!isEntryHash(hash)) return this.#malformedHashes(seq);
      return this.#fail(
        expected,
        'hash-mismatch',
        `seq ${seq}: the content does not match its hash (the entry was altered after it was written)`,
      );
    }
    this.#append(computed);
    return true;
  }

  /**
   * Verifies the next entry from its stored text (a stored `body` or an exported line): exactly
   * `push(JSON.parse(text))` (a text that is not JSON becomes a `malformed-entry`), but when the text
   * is provably canonical JSON the entry hash is computed from the text itself, without parsing and
   * re-serializing it (about 1.6× faster). Same results, problems and messages as {@link push}.
   *
   * @example
   * for (const row of rows) if (!verifier.pushText(row.body)) break;
   */
  pushText(text: string): boolean {
    if (this.#failure !== undefined) return false;
    const scan = scanCanonicalEntry(text);
    if (
      scan !== undefined &&
      scan.seq === this.#frontier.size + 1 &&
      scan.prevHash === this.#lastHash &&
      scan.computed === scan.hash
    ) {
      this.#append(scan.computed);
      return true;
    }
    // Anything unusual (not canonical, or any check failing) takes the reference path, which also
    // produces the exact problem and message.
    let entry: unknown;
    try {
      entry = JSON.parse(text);
    } catch {
      entry = text;
    }
    return this.push(entry);
  }

  /**
   * Appends a run of consecutive entries whose {@link pushText} fast-path checks were already made
   * elsewhere, e.g. by worker threads running `scanCanonicalEntry` over ranges of a large log: each
   * text of the run was proven canonical, its recomputed hash equals its stored `hash`, entry i has
   * seq `firstSeq + i`, and each entry after the first has the previous one's hash as `prevHash`.
   * `leafHashes` holds their hashes, 32 bytes each, in order. What links the run to the entries
   * verified so far is checked here: `firstSeq` must be the next seq and `firstPrevHash` the last
   * hash. Returns false and changes nothing otherwise (or once a problem has been found); feeding the
   * run's first text to {@link pushText} then yields the exact problem. The same state as pushing
   * the run's texts one by one, for a fraction of the work (the Merkle frontier only).
   *
   * @example
   * `subtrees`, when given, is the run's part of the tree computed by whoever hashed it:
   * `compactRangeRoots(firstSeq - 1, leafHashes, cuts)`. It is used instead of the leaves when `cuts`
   * include every checkpoint size announced in `checkpointSizes` that lies inside the run (so their
   * roots can still be captured) and leaf hashes are not kept; otherwise the leaves are appended.
   *
   * @example
   * const run = { firstSeq: 8193, firstPrevHash: scans[0].prevHash, leafHashes }; // from a worker
   * if (!verifier.pushVerifiedRun(run)) verifier.pushText(texts[0]);
   */
  pushVerifiedRun(run: {
    firstSeq: number;
    firstPrevHash: string;
    leafHashes: Uint8Array;
    subtrees?: { cuts: readonly number[]; roots: Uint8Array } | undefined;
  }): boolean {
    const { firstSeq, firstPrevHash, leafHashes } = run;
    if (leafHashes.length % HASH_SIZE !== 0) {
      throw FlagwardError.validation([
        { path: 'leafHashes', message: `must hold whole ${HASH_SIZE}-byte hashes` },
      ]);
    }
    if (this.#failure !== undefined) return false;
    if (leafHashes.length === 0) return true;
    if (firstSeq !== this.#frontier.size + 1 || firstPrevHash !== this.#lastHash) return false;
    const bytes = Buffer.from(leafHashes.buffer, leafHashes.byteOffset, leafHashes.byteLength);
    if (!(run.subtrees && this.#appendSubtrees(bytes.length / HASH_SIZE, run.subtrees))) {
      for (let offset = 0; offset < bytes.length; offset += HASH_SIZE) {
        this.#appendLeaf(bytes.subarray(offset, offset + HASH_SIZE));
      }
    }
    this.#lastHash = bytes.toString('hex', bytes.length - HASH_SIZE);
    return true;
  }

  /**
   * Checks a (signature-verified) checkpoint against what was fed: its size must not exceed the
   * verified size and the tree of that many entries must have its root. A size smaller than the
   * verified size needs `keepLeafHashes` or the size listed in `checkpointSizes`; otherwise this throws
   * `validation-failed`. The first failure also becomes the verifier's {@link result}.
   *
   * @example
   * const check = verifier.checkCheckpoint({ size: 1200, rootHash });
   * if (!check.ok) console.log(check.problem, check.message);
   */
  checkCheckpoint(checkpoint: { size: number; rootHash: Uint8Array }): CheckpointCheck {
    const { size, rootHash } = checkpoint;
    if (!Number.isSafeInteger(size) || size < 0 || rootHash.length !== HASH_SIZE) {
      throw FlagwardError.validation([
        { path: 'checkpoint', message: 'needs a safe integer size and a 32-byte root' },
      ]);
    }
    const seen = this.#frontier.size;
    if (size > seen) {
      if (this.#failure !== undefined) {
        const { message, ...failure } = this.#failure;
        return { ok: false, ...failure, message: `cannot check the checkpoint of size ${size}: ${message}` };
      }
      const message = `a signed checkpoint covers ${size} entries but the log ends at seq ${seen}: seq ${seen + 1}…${size} were removed`;
      return this.#failCheck({ firstBadSeq: seen + 1, problem: 'log-truncated', message });
    }
    if (!bytesEqual(this.#rootOf(size), rootHash)) {
      const message = `the first ${size} entries do not have the signed root of the checkpoint of size ${size}: entries up to seq ${size} were rewritten after it was signed`;
      return this.#failCheck({ problem: 'checkpoint-root-mismatch', message });
    }
    return { ok: true };
  }

  /**
   * The outcome so far.
   *
   * @example
   * const { ok, size, root, firstBadSeq, problem, message } = verifier.result();
   */
  result(): AuditVerification {
    const verified = { size: this.#frontier.size, root: bytesToBase64(this.#frontier.root()) };
    if (this.#failure === undefined) return { ok: true, ...verified };
    return { ok: false, ...verified, ...this.#failure };
  }

  #append(hash: string): void {
    this.#appendLeaf(Buffer.from(hash, 'hex'));
    this.#lastHash = hash;
  }

  /** Appends a leaf to the tree (and the kept leaves and captured roots); #lastHash is the caller's. */
  #appendLeaf(leaf: Buffer): void {
    const index = this.#frontier.size;
    if (this.#leaves !== undefined) {
      if (index % SNAPSHOT_INTERVAL === 0) this.#snapshots.push(this.#frontier.clone());
      if ((index + 1) * HASH_SIZE > this.#leaves.length) {
        const grown = Buffer.allocUnsafe(this.#leaves.length * 2);
        this.#leaves.copy(grown);
        this.#leaves = grown;
      }
      leaf.copy(this.#leaves, index * HASH_SIZE);
    }
    this.#frontier.append(leaf);
    if (this.#rootsAt.has(index + 1)) this.#rootsAt.set(index + 1, this.#frontier.root());
  }

  /**
   * Appends `count` leaves given as the roots of their compact range (see pushVerifiedRun); false, with
   * nothing changed, when that cannot capture every announced root inside the run or leaves are kept.
   */
  #appendSubtrees(count: number, subtrees: { cuts: readonly number[]; roots: Uint8Array }): boolean {
    if (this.#leaves !== undefined) return false;
    const start = this.#frontier.size;
    const end = start + count;
    const cuts = new Set(subtrees.cuts);
    for (const size of this.#rootsAt.keys()) if (size > start && size < end && !cuts.has(size)) return false;
    const segments = segmentedRange(start, end, cuts);
    const expected = segments.reduce((sum, segment) => sum + segment.subtrees.length, 0);
    if (subtrees.roots.length !== expected * HASH_SIZE) {
      throw FlagwardError.validation([
        { path: 'subtrees.roots', message: `must hold the ${expected} roots of the run's compact range` },
      ]);
    }
    let offset = 0;
    for (const segment of segments) {
      for (const { height } of segment.subtrees) {
        this.#frontier.appendSubtree(subtrees.roots.subarray(offset, offset + HASH_SIZE), height);
        offset += HASH_SIZE;
      }
      if (this.#rootsAt.has(segment.end)) this.#rootsAt.set(segment.end, this.#frontier.root());
    }
    return true;
  }

  #rootOf(size: number): Buffer {
    if (size === this.#frontier.size) return this.#frontier.root();
    if (size === 0) return emptyRoot();
    const captured = this.#rootsAt.get(size);
    if (captured !== undefined) return captured;
    const leaves = this.#leaves;
    const snapshot = this.#snapshots[Math.floor(size / SNAPSHOT_INTERVAL)]?.clone();
    if (leaves === undefined || snapshot === undefined) {
      throw FlagwardError.validation([
        {
          path: 'checkpoint.size',
          message: `size ${size} was not announced in checkpointSizes and leaf hashes are not kept`,
        },
      ]);
    }
    for (let i = snapshot.size; i < size; i++)
      snapshot.append(leaves.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
    return snapshot.root();
  }

  #malformedHashes(seq: number): false {
    return this.#fail(
      seq,
      'malformed-entry',
      `seq ${seq}: prevHash and hash must be 64 lowercase hex digits`,
    );
  }

  #fail(firstBadSeq: number, problem: AuditProblem, message: string): false {
    this.#failure = { firstBadSeq, problem, message };
    return false;
  }

  #failCheck(failure: Failure): CheckpointCheck {
    this.#failure ??= failure;
    return { ok: false, ...failure };
  }
}
