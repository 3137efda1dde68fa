import { FlagwardError } from '../errors/flagward-error';
import { bytesEqual } from './byte-encoding';
import { emptyRoot, HASH_SIZE, MerkleFrontier, nodeHash } from './merkle-tree';

/** Reads the leaf hash at a 0-based index (for audit logs: the `hash` of entry `seq = index + 1`). */
export type LeafHashReader = (index: number) => Uint8Array;

/** What {@link verifyInclusion} checks; the field names match `GET /api/v1/audit/proof/inclusion`. */
export interface InclusionProofInput {
  leafIndex: number;
  treeSize: number;
  leafHash: Uint8Array;
  proof: readonly Uint8Array[];
  root: Uint8Array;
}

/** What {@link verifyConsistency} checks; the field names match `GET /api/v1/audit/proof/consistency`. */
export interface ConsistencyProofInput {
  from: number;
  to: number;
  fromRoot: Uint8Array;
  toRoot: Uint8Array;
  proof: readonly Uint8Array[];
}

/**
 * RFC 9162 §2.1.3.1 inclusion proof (audit path) of leaf `index` in the tree of the first `size`
 * leaves, ordered from the leaf up. Reads every leaf below `size` once (O(n)). Throws
 * `validation-failed` unless 0 ≤ index < size.
 *
 * @example
 * const proof = inclusionProof(4, 10, (i) => leaves[i]!);
 * verifyInclusion({ leafIndex: 4, treeSize: 10, leafHash: leaves[4]!, proof, root }); // true
 */
export function inclusionProof(index: number, size: number, getLeafHash: LeafHashReader): Buffer[] {
  requireSize(size, 'size');
  requireSize(index, 'index');
  if (index >= size) throw invalid('index', `must be below the tree size ${size}`);
  const topDown: Buffer[] = [];
  let lo = 0;
  let hi = size;
  while (hi - lo > 1) {
    const k = largestPowerOfTwoBelow(hi - lo);
    if (index < lo + k) {
      topDown.push(subtreeHash(lo + k, hi, getLeafHash));
      hi = lo + k;
    } else {
      topDown.push(subtreeHash(lo, lo + k, getLeafHash));
      lo += k;
    }
  }
  return topDown.reverse();
}

/**
 * RFC 9162 §2.1.4.1 consistency proof between the trees of the first `from` and first `to` leaves.
 * Empty when `from === to`. Reads every leaf below `to` once (O(n)). Throws `validation-failed`
 * unless 0 < from ≤ to (a proof from the empty tree proves nothing, and RFC 9162 defines none).
 *
 * @example
 * const proof = consistencyProof(3, 7, (i) => leaves[i]!);
 * verifyConsistency({ from: 3, to: 7, fromRoot, toRoot, proof }); // true
 */
export function consistencyProof(from: number, to: number, getLeafHash: LeafHashReader): Buffer[] {
  requireSize(from, 'from');
  requireSize(to, 'to');
  if (from === 0) throw invalid('from', 'a consistency proof from the empty tree is meaningless');
  if (from > to) throw invalid('from', `must not exceed to (${to})`);
  const topDown: Buffer[] = [];
  let lo = 0;
  let hi = to;
  let m = from;
  // SUBPROOF(m, D[lo:hi], b): b stays true while the old tree is a left-aligned prefix of [lo, hi).
  let completeSubtree = true;
  while (m !== hi - lo) {
    const k = largestPowerOfTwoBelow(hi - lo);
    if (m <= k) {
      topDown.push(subtreeHash(lo + k, hi, getLeafHash));
      hi = lo + k;
    } else {
      topDown.push(subtreeHash(lo, lo + k, getLeafHash));
      lo += k;
      m -= k;
      completeSubtree = false;
    }
  }
  if (!completeSubtree) topDown.push(subtreeHash(lo, hi, getLeafHash));
  return topDown.reverse();
}

/**
 * RFC 9162 §2.1.3.2 inclusion proof verification. Never throws: any malformed input (negative,
 * fractional or unsafe index/size, index ≥ size, a hash that is not 32 bytes) is simply a proof that
 * does not verify, because proofs come from outside and "no" is the only safe answer.
 *
 * @example
 * verifyInclusion({ leafIndex: 0, treeSize: 1, leafHash: leaf, proof: [], root: leaf }); // true
 */
export function verifyInclusion(input: InclusionProofInput): boolean {
  const { leafIndex, treeSize, leafHash, proof, root } = input;
  if (!isSize(leafIndex) || !isSize(treeSize) || leafIndex >= treeSize) return false;
  if (leafHash.length !== HASH_SIZE || root.length !== HASH_SIZE || !allHashes(proof)) return false;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r: Uint8Array = leafHash;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn /= 2;
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && bytesEqual(r, root);
}

/**
 * RFC 9162 §2.1.4.2 consistency proof verification. Never throws (malformed input is a failed
 * proof, as for {@link verifyInclusion}). Equal sizes verify iff the proof is empty and the roots are
 * equal; size 0 additionally requires both roots to be the empty-tree hash, since anything else is
 * not the root of an empty tree; a proof from size 0 to a larger size is rejected as meaningless.
 *
 * @example
 * verifyConsistency({ from: 3, to: 7, fromRoot, toRoot, proof: consistencyProof(3, 7, read) }); // true
 */
export function verifyConsistency(input: ConsistencyProofInput): boolean {
  const { from, to, fromRoot, toRoot, proof } = input;
  if (!isSize(from) || !isSize(to) || from > to) return false;
  if (from === to) {
    if (proof.length > 0 || !bytesEqual(fromRoot, toRoot)) return false;
    return from > 0 || bytesEqual(fromRoot, emptyRoot());
  }
  if (from === 0 || proof.length === 0 || !allHashes(proof)) return false;
  if (fromRoot.length !== HASH_SIZE || toRoot.length !== HASH_SIZE) return false;
  // When the old tree is a perfect subtree its root is the first node of the path, left implicit.
  const path = isPowerOfTwo(from) ? [fromRoot, ...proof] : proof;
  let fn = from - 1;
  let sn = to - 1;
  while (fn % 2 === 1) {
    fn = (fn - 1) / 2;
    sn = Math.floor(sn / 2);
  }
  let fr: Uint8Array = path[0]!;
  let sr: Uint8Array = path[0]!;
  for (let i = 1; i < path.length; i++) {
    const c = path[i]!;
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && bytesEqual(fr, fromRoot) && bytesEqual(sr, toRoot);
}

function subtreeHash(lo: number, hi: number, getLeafHash: LeafHashReader): Buffer {
  const frontier = new MerkleFrontier();
  for (let i = lo; i < hi; i++) frontier.append(getLeafHash(i));
  return frontier.root();
}

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  let k = 1;
  while (k < n) k *= 2;
  return k === n;
}

function isSize(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

function allHashes(proof: readonly Uint8Array[]): boolean {
  return proof.every((p) => p.length === HASH_SIZE);
}

function requireSize(value: number, path: string): void {
  if (!isSize(value)) throw invalid(path, 'must be a non-negative safe integer');
}

function invalid(path: string, message: string): FlagwardError {
  return FlagwardError.validation([{ path, message }]);
}
