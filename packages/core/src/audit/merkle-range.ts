import { hash } from 'node:crypto';
import { FlagwardError } from '../errors/flagward-error';
import { HASH_SIZE } from './merkle-tree';

/** A perfect subtree of an RFC 6962 tree: leaves [start, start + 2^height). */
export interface PerfectSubtree {
  start: number;
  height: number;
}

/**
 * The maximal perfect subtrees that cover leaves [start, end) of an RFC 6962 tree, left to right
 * (the range's compact form: heights rise, then fall). Appending their roots in this order to a
 * frontier of size `start` yields the frontier of size `end`.
 *
 * @example
 * compactRange(1, 8); // [{start: 1, height: 0}, {start: 2, height: 1}, {start: 4, height: 2}]
 */
export function compactRange(start: number, end: number): PerfectSubtree[] {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new FlagwardError('validation-failed', 'a leaf range needs 0 <= start <= end (safe integers)');
  }
  const subtrees: PerfectSubtree[] = [];
  for (let at = start; at < end; ) {
    let width = 1;
    let height = 0;
    // Grow while the subtree stays aligned at `at` and inside the range.
    while (at % (width * 2) === 0 && at + width * 2 <= end) {
      width *= 2;
      height += 1;
    }
    subtrees.push({ start: at, height });
    at += width;
  }
  return subtrees;
}

/**
 * The segments [start, c1), [c1, c2), …, [ck, end) of a leaf range cut at the sizes `cuts` that lie
 * strictly inside it, and the compact range of each: where a verifier must stop to capture a root.
 *
 * @example
 * segmentedRange(0, 8, [5]); // [{end: 5, subtrees: [{start: 0, height: 2}, {start: 4, height: 0}]}, {end: 8, …}]
 */
export function segmentedRange(
  start: number,
  end: number,
  cuts: Iterable<number>,
): Array<{ end: number; subtrees: PerfectSubtree[] }> {
  const inside = [...new Set(cuts)].filter((cut) => cut > start && cut < end).sort((a, b) => a - b);
  const segments: Array<{ end: number; subtrees: PerfectSubtree[] }> = [];
  let from = start;
  for (const to of [...inside, end]) {
    segments.push({ end: to, subtrees: compactRange(from, to) });
    from = to;
  }
  return segments;
}

/**
 * The roots of the compact ranges of `segmentedRange(start, start + n, cuts)`, 32 bytes each in order,
 * for the n leaf hashes `leafHashes` (32 bytes each) of leaves start… of a tree: what a verifier
 * appends to its frontier instead of the n leaves (`MerkleFrontier.appendSubtree`), so that the thread
 * that hashed the entries also does the tree's work.
 *
 * @example
 * const roots = compactRangeRoots(8192, leaves, [checkpointSize]); // from a worker
 */
export function compactRangeRoots(
  start: number,
  leafHashes: Uint8Array,
  cuts: Iterable<number> = [],
): Buffer {
  if (leafHashes.length % HASH_SIZE !== 0) {
    throw new FlagwardError('validation-failed', `leaf hashes must be whole ${HASH_SIZE}-byte hashes`);
  }
  const count = leafHashes.length / HASH_SIZE;
  const subtrees = segmentedRange(start, start + count, cuts).flatMap((segment) => segment.subtrees);
  const roots = Buffer.allocUnsafe(subtrees.length * HASH_SIZE);
  let widest = 1;
  for (const { height } of subtrees) widest = Math.max(widest, 2 ** height);
  // One spare byte in front of the leaves, for the node prefix of the first pair (see perfectRoot).
  const work = new Uint8Array(1 + widest * HASH_SIZE);
  const workBuffer = Buffer.from(work.buffer, work.byteOffset, work.byteLength);
  subtrees.forEach(({ start: first, height }, index) => {
    const offset = (first - start) * HASH_SIZE;
    const width = 2 ** height;
    work.set(leafHashes.subarray(offset, offset + width * HASH_SIZE), 1);
    perfectRoot(work, workBuffer, width);
    roots.set(work.subarray(1, 1 + HASH_SIZE), index * HASH_SIZE);
  });
  return roots;
}

/**
 * Reduces the `width` (a power of two) hashes at work[1…] to their tree's root at work[1, 33), in place:
 * pair i of a level is 0x01 ‖ hash 2i ‖ hash 2i+1, contiguous once the byte before hash 2i (the last
 * byte of hash 2i-1, already consumed; the spare byte for i = 0) is set to 0x01; its node hash goes to
 * slot i, which lies before every byte still to be read.
 */
function perfectRoot(work: Uint8Array, workBuffer: Buffer, width: number): void {
  for (let level = width; level > 1; level /= 2) {
    for (let i = 0; i < level / 2; i++) {
      const at = 2 * HASH_SIZE * i;
      work[at] = 0x01;
      const node = hash('sha256', work.subarray(at, at + 1 + 2 * HASH_SIZE), 'binary');
      workBuffer.write(node, 1 + HASH_SIZE * i, HASH_SIZE, 'binary');
    }
  }
}
