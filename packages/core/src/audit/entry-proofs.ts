import { FlagwardError } from '../errors/flagward-error';
import { base64ToBytes } from './byte-encoding';
import type { AuditProblem } from './chain-verifier';
import { hashEntry, isEntryHash, ZERO_HASH } from './entry-hash';
import { verifyInclusion } from './merkle-proof';
import { HASH_SIZE } from './merkle-tree';

/** One line of a filtered export: a complete entry and its inclusion proof against the checkpoint. */
export interface EntryWithProof {
  entry: Record<string, unknown>;
  proof: { leafIndex: number; treeSize: number; proof: string[] };
}

/** Outcome of verifying a filtered export. */
export interface EntryProofsVerification {
  ok: boolean;
  /** Entries verified (all of them when ok; those before the bad one otherwise). */
  checked: number;
  /** The seq of the first bad entry, when it has a readable one. */
  firstBadSeq?: number;
  problem?: AuditProblem;
  message?: string;
}

interface Failure {
  firstBadSeq?: number;
  problem: AuditProblem;
  message: string;
}

/**
 * Streaming verifier of a filtered export against one signature-verified checkpoint. For each
 * `{entry, proof}` it checks that the entry's content matches its `hash` and that the proof places
 * that hash at leaf `seq − 1` of the checkpoint's tree; entries must come in ascending `seq` order, and
 * where two consecutive seqs (or seq 1) are present their `prevHash` link is checked too. Entries the
 * export left out cannot be checked here; a complete export is verified by `AuditChainVerifier`.
 *
 * @example
 * const verifier = new EntryProofVerifier(checkpoint);
 * for (const line of lines) if (!verifier.push(JSON.parse(line))) break;
 * verifier.result(); // { ok: true, checked: 12 }
 */
export class EntryProofVerifier {
  readonly #size: number;
  readonly #root: Uint8Array;
  #checked = 0;
  #previous: { seq: number; hash: string } | undefined;
  #failure: Failure | undefined;

  constructor(checkpoint: { size: number; rootHash: Uint8Array }) {
    if (
      !Number.isSafeInteger(checkpoint.size) ||
      checkpoint.size < 0 ||
      checkpoint.rootHash.length !== HASH_SIZE
    ) {
      throw FlagwardError.validation([
        { path: 'checkpoint', message: 'needs a safe integer size and a 32-byte root' },
      ]);
    }
    this.#size = checkpoint.size;
    this.#root = checkpoint.rootHash;
  }

  /**
   * Verifies the next `{entry, proof}`; returns false once a problem has been found.
   *
   * @example
   * verifier.push({ entry, proof: { leafIndex: entry.seq - 1, treeSize: 1200, proof: ['…'] } });
   */
  push(item: unknown): boolean {
    if (this.#failure !== undefined) return false;
    const failure = this.#check(item);
    if (failure !== undefined) {
      this.#failure = failure;
      return false;
    }
    this.#checked++;
    return true;
  }

  /**
   * The outcome so far.
   *
   * @example
   * verifier.result().ok;
   */
  result(): EntryProofsVerification {
    if (this.#failure === undefined) return { ok: true, checked: this.#checked };
    return { ok: false, checked: this.#checked, ...this.#failure };
  }

  #check(item: unknown): Failure | undefined {
    const position = `item ${this.#checked + 1}`;
    const { entry, proof } = (isObject(item) ? item : {}) as { entry?: unknown; proof?: unknown };
    if (!isObject(entry)) return { problem: 'malformed-entry', message: `${position} has no entry object` };
    const { seq, prevHash, hash } = entry;
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) {
      return { problem: 'malformed-entry', message: `${position}: the entry has no valid seq` };
    }
    const bad = (problem: AuditProblem, message: string): Failure => ({
      firstBadSeq: seq,
      problem,
      message: `seq ${seq}: ${message}`,
    });
    if (!isEntryHash(prevHash) || !isEntryHash(hash)) {
      return bad('malformed-entry', 'prevHash and hash must be 64 lowercase hex digits');
    }
    const previous = this.#previous;
    if (previous !== undefined && seq <= previous.seq) {
      return bad('seq-out-of-order', `follows seq ${previous.seq}; entries must be in ascending seq order`);
    }
    if (seq > this.#size)
      return bad('inclusion-proof-invalid', `not covered by the checkpoint of size ${this.#size}`);
    if (seq === 1 && prevHash !== ZERO_HASH) return bad('prev-hash-mismatch', 'prevHash must be 64 zeros');
    if (previous !== undefined && previous.seq === seq - 1 && prevHash !== previous.hash) {
      return bad('prev-hash-mismatch', `prevHash is not the hash of seq ${previous.seq}`);
    }
    let computed: string;
    try {
      computed = hashEntry(entry);
    } catch (error) {
      if (!(error instanceof FlagwardError)) throw error;
      return bad('malformed-entry', error.message);
    }
    if (computed !== hash) return bad('hash-mismatch', 'the content does not match its hash');

    const path = parseProof(proof);
    if (path === undefined) {
      return bad('malformed-proof', 'the proof must be {leafIndex, treeSize, proof: [base64 of 32 bytes]}');
    }
    if (path.leafIndex !== seq - 1 || path.treeSize !== this.#size) {
      return bad(
        'inclusion-proof-invalid',
        `the proof is for leaf ${path.leafIndex} of a tree of ${path.treeSize}, not leaf ${seq - 1} of ${this.#size}`,
      );
    }
    const leafHash = Buffer.from(hash, 'hex');
    const included = verifyInclusion({ ...path, leafHash, root: this.#root });
    if (!included)
      return bad('inclusion-proof-invalid', 'the inclusion proof does not lead to the checkpoint root');
    this.#previous = { seq, hash };
    return undefined;
  }
}

/**
 * Verifies a whole filtered export (see {@link EntryProofVerifier}) against a signature-verified
 * checkpoint, stopping at the first problem.
 *
 * @example
 * const checked = verifyCheckpoint(noteText, vkey);
 * if (checked.ok) verifyEntriesWithProofs(lines.map((l) => JSON.parse(l)), checked.checkpoint);
 */
export function verifyEntriesWithProofs(
  items: Iterable<unknown>,
  checkpoint: { size: number; rootHash: Uint8Array },
): EntryProofsVerification {
  const verifier = new EntryProofVerifier(checkpoint);
  for (const item of items) if (!verifier.push(item)) break;
  return verifier.result();
}

function parseProof(value: unknown): { leafIndex: number; treeSize: number; proof: Buffer[] } | undefined {
  if (!isObject(value)) return undefined;
  const { leafIndex, treeSize, proof } = value;
  if (typeof leafIndex !== 'number' || typeof treeSize !== 'number' || !Array.isArray(proof))
    return undefined;
  const hashes: Buffer[] = [];
  for (const element of proof) {
    if (typeof element !== 'string') return undefined;
    try {
      const bytes = base64ToBytes(element);
      if (bytes.length !== HASH_SIZE) return undefined;
      hashes.push(bytes);
    } catch {
      return undefined;
    }
  }
  return { leafIndex, treeSize, proof: hashes };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
