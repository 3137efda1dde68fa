import { hash } from 'node:crypto';
import { FlagwardError } from '../errors/flagward-error';
import { base64ToBytes, bytesToBase64 } from './byte-encoding';

/** Size in bytes of every hash in the tree (SHA-256). */
export const HASH_SIZE = 32;

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

// Reused input for the common 32 + 32 byte node hash: avoids allocating a 65-byte buffer per node.
const nodeInput = Buffer.alloc(1 + 2 * HASH_SIZE);
nodeInput[0] = NODE_PREFIX;

// Node 20's crypto.hash allocates an output Buffer expensively in C++; hex output decoded by the JS
// Buffer pool is about twice as fast, and the verifier hashes one node per appended leaf.
function sha256(data: Uint8Array): Buffer {
  return Buffer.from(hash('sha256', data, 'hex'), 'hex');
}

/**
 * RFC 6962 leaf hash: SHA-256(0x00 ‖ data). Audit entries do not go through this: an entry's `hash`
 * already is its leaf hash.
 *
 * @example
 * leafHash(new Uint8Array()).toString('hex'); // '6e340b9c…' (the RFC 6962 hash of an empty leaf)
 */
export function leafHash(data: Uint8Array): Buffer {
  const input = Buffer.allocUnsafe(data.length + 1);
  input[0] = LEAF_PREFIX;
  input.set(data, 1);
  return sha256(input);
}

/**
 * RFC 6962 interior node hash: SHA-256(0x01 ‖ left ‖ right).
 *
 * @example
 * const root = nodeHash(leafHash(Buffer.from('a')), leafHash(Buffer.from('b')));
 */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  if (left.length === HASH_SIZE && right.length === HASH_SIZE) {
    nodeInput.set(left, 1);
    nodeInput.set(right, 1 + HASH_SIZE);
    return sha256(nodeInput);
  }
  const input = Buffer.allocUnsafe(1 + left.length + right.length);
  input[0] = NODE_PREFIX;
  input.set(left, 1);
  input.set(right, 1 + left.length);
  return sha256(input);
}

/**
 * Root hash of the empty tree: SHA-256 of the empty string.
 *
 * @example
 * emptyRoot().toString('hex'); // 'e3b0c442…b855'
 */
export function emptyRoot(): Buffer {
  return sha256(new Uint8Array(0));
}

/** The persisted form of a {@link MerkleFrontier}: its size and the base64 roots of its perfect subtrees. */
export interface MerkleFrontierJson {
  size: number;
  /** Roots of the perfect subtrees covering leaves [0, size), largest (leftmost) first. */
  hashes: string[];
}

/**
 * The compact range [0, size) of an append-only RFC 6962 tree: one root per set bit of `size`, so
 * appending is amortized O(1) hashing, `root()` is O(log n), and the whole state is under 2 KB to
 * persist beside the log.
 *
 * @example
 * const frontier = new MerkleFrontier();
 * frontier.append(Buffer.from(entry.hash, 'hex')); // the entry hash IS the leaf hash
 * frontier.root().toString('base64');
 * const restored = MerkleFrontier.fromJSON(JSON.parse(JSON.stringify(frontier)));
 */
export class MerkleFrontier {
  #size = 0;
  // Perfect-subtree roots, leftmost (largest) first; #hashes.length === popcount(#size).
  #hashes: Buffer[] = [];

  /** Number of leaves appended so far. */
  get size(): number {
    return this.#size;
  }

  /**
   * Appends one leaf hash (32 bytes, used as is). Throws `validation-failed` for another length.
   *
   * @example
   * frontier.append(leafHash(Buffer.from('payload')));
   */
  append(leafHash: Uint8Array): void {
    if (leafHash.length !== HASH_SIZE) {
      throw new FlagwardError('validation-failed', `a leaf hash must be ${HASH_SIZE} bytes`);
    }
    if (this.#size >= Number.MAX_SAFE_INTEGER) {
      throw new FlagwardError('validation-failed', 'the tree cannot grow beyond 2^53 - 1 leaves');
    }
    let merged: Buffer = Buffer.from(leafHash);
    // Each trailing 1 bit of the old size is a perfect subtree the new leaf completes.
    for (let size = this.#size; size % 2 === 1; size = (size - 1) / 2) {
      merged = nodeHash(this.#hashes.pop()!, merged);
    }
    this.#hashes.push(merged);
    this.#size++;
  }

  /**
   * Appends the root of a perfect subtree of 2^height leaves (e.g. one of `compactRangeRoots`), as
   * appending its leaves one by one would. The subtree must start where the tree ends (the size is a
   * multiple of 2^height); throws `validation-failed` otherwise.
   *
   * @example
   * frontier.appendSubtree(rootOfLeaves(leaves8192), 13); // size 0 → 8192, or 8192 → 16384, …
   */
  appendSubtree(root: Uint8Array, height: number): void {
    const width = 2 ** height;
    if (root.length !== HASH_SIZE || !Number.isInteger(height) || height < 0 || this.#size % width !== 0) {
      throw new FlagwardError(
        'validation-failed',
        `a subtree appended at size ${this.#size} must have a ${HASH_SIZE}-byte root and start where the tree ends`,
      );
    }
    if (this.#size + width > Number.MAX_SAFE_INTEGER) {
      throw new FlagwardError('validation-failed', 'the tree cannot grow beyond 2^53 - 1 leaves');
    }
    let merged: Buffer = Buffer.from(root);
    // As in append, one level up: each trailing 1 bit of size / 2^height is a subtree to merge with.
    for (let size = this.#size / width; size % 2 === 1; size = (size - 1) / 2) {
      merged = nodeHash(this.#hashes.pop()!, merged);
    }
    this.#hashes.push(merged);
    this.#size += width;
  }

  /**
   * The RFC 6962 Merkle Tree Hash of the leaves appended so far (the empty-tree hash when none).
   *
   * @example
   * frontier.root(); // Buffer of 32 bytes
   */
  root(): Buffer {
    const hashes = this.#hashes;
    let root = hashes[hashes.length - 1];
    if (root === undefined) return emptyRoot();
    for (let i = hashes.length - 2; i >= 0; i--) root = nodeHash(hashes[i]!, root);
    return Buffer.from(root);
  }

  /**
   * An independent copy (appending to one does not affect the other).
   *
   * @example
   * const snapshot = frontier.clone();
   */
  clone(): MerkleFrontier {
    const copy = new MerkleFrontier();
    copy.#size = this.#size;
    copy.#hashes = this.#hashes.slice();
    return copy;
  }

  /**
   * The persisted form; `JSON.stringify(frontier)` uses it.
   *
   * @example
   * JSON.stringify(frontier); // '{"size":3,"hashes":["…","…"]}'
   */
  toJSON(): MerkleFrontierJson {
    return { size: this.#size, hashes: this.#hashes.map((h) => bytesToBase64(h)) };
  }

  /**
   * Restores a frontier from {@link MerkleFrontier.toJSON} output, checking its shape (one 32-byte
   * base64 hash per set bit of `size`); throws `validation-failed` otherwise.
   *
   * @example
   * const frontier = MerkleFrontier.fromJSON(JSON.parse(storedText));
   */
  static fromJSON(json: unknown): MerkleFrontier {
    const problem = (message: string) => FlagwardError.validation([{ path: 'frontier', message }]);
    if (json === null || typeof json !== 'object') throw problem('expected an object');
    const { size, hashes } = json as { size?: unknown; hashes?: unknown };
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
      throw problem('size must be a non-negative safe integer');
    }
    if (!Array.isArray(hashes) || hashes.length !== popCount(size)) {
      throw problem(`hashes must hold one hash per set bit of size (${popCount(size)})`);
    }
    const frontier = new MerkleFrontier();
    frontier.#size = size;
    frontier.#hashes = hashes.map((text: unknown) => {
      const bytes = typeof text === 'string' ? tryBase64(text) : undefined;
      if (bytes?.length !== HASH_SIZE) throw problem(`each hash must be base64 of ${HASH_SIZE} bytes`);
      return bytes;
    });
    return frontier;
  }
}

/**
 * RFC 6962 Merkle Tree Hash of a list of leaf hashes (used as is, not re-hashed).
 *
 * @example
 * rootOfLeaves([leafHash(Buffer.from('a')), leafHash(Buffer.from('b'))]);
 */
export function rootOfLeaves(leafHashes: Iterable<Uint8Array>): Buffer {
  const frontier = new MerkleFrontier();
  for (const leaf of leafHashes) frontier.append(leaf);
  return frontier.root();
}

function popCount(size: number): number {
  let count = 0;
  for (let rest = size; rest > 0; rest = Math.floor(rest / 2)) count += rest % 2;
  return count;
}

function tryBase64(text: string): Buffer | undefined {
  try {
    return base64ToBytes(text);
  } catch {
    return undefined;
  }
}
