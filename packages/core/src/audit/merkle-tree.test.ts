import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyRoot, leafHash, MerkleFrontier, nodeHash, rootOfLeaves } from './merkle-tree';

const VECTORS = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../../../shared/vectors/rfc6962',
);

/** The RFC 6962 definition of MTH over leaf hashes, written independently of the code under test. */
function referenceRoot(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return emptyRoot();
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('RFC 6962 roots.json', () => {
  const vectors = JSON.parse(readFileSync(path.join(VECTORS, 'roots.json'), 'utf8')) as {
    inputs: string[];
    roots: string[];
  };

  it('has the roots for n = 0..8', () => {
    expect(vectors.roots).toHaveLength(vectors.inputs.length + 1);
  });

  it.each(vectors.roots.map((root, n) => [n, root] as const))('MTH of the first %i inputs', (n, root) => {
    const leaves = vectors.inputs.slice(0, n).map((input) => leafHash(Buffer.from(input, 'hex')));
    expect(hex(rootOfLeaves(leaves))).toBe(root);
    expect(hex(referenceRoot(leaves))).toBe(root);
  });
});

describe('MerkleFrontier', () => {
  const leavesArb = fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { maxLength: 70 });

  it('has the reference root after every append', () => {
    fc.assert(
      fc.property(leavesArb, (leaves) => {
        const frontier = new MerkleFrontier();
        expect(hex(frontier.root())).toBe(hex(emptyRoot()));
        leaves.forEach((leaf, i) => {
          frontier.append(leaf);
          expect(frontier.size).toBe(i + 1);
          expect(hex(frontier.root())).toBe(hex(referenceRoot(leaves.slice(0, i + 1))));
        });
      }),
      { numRuns: 1000 },
    );
  });

  it('survives a JSON round trip and keeps growing identically', () => {
    fc.assert(
      fc.property(leavesArb, fc.nat(), (leaves, cut) => {
        const at = leaves.length === 0 ? 0 : cut % (leaves.length + 1);
        const frontier = new MerkleFrontier();
        for (const leaf of leaves.slice(0, at)) frontier.append(leaf);
        const restored = MerkleFrontier.fromJSON(JSON.parse(JSON.stringify(frontier)));
        for (const leaf of leaves.slice(at)) restored.append(leaf);
        expect(restored.size).toBe(leaves.length);
        expect(hex(restored.root())).toBe(hex(referenceRoot(leaves)));
      }),
      { numRuns: 1000 },
    );
  });

  it('clones independently and does not leak its state through root()', () => {
    const frontier = new MerkleFrontier();
    frontier.append(Buffer.alloc(32, 1));
    const snapshot = frontier.clone();
    frontier.append(Buffer.alloc(32, 2));
    expect(snapshot.size).toBe(1);
    snapshot.root().fill(0);
    expect(hex(snapshot.root())).toBe(hex(Buffer.alloc(32, 1)));
  });

  it('uses the appended bytes as the leaf hash, never re-hashing them', () => {
    const leaf = leafHash(Buffer.from('x'));
    expect(hex(rootOfLeaves([leaf]))).toBe(hex(leaf));
  });

  it('rejects leaf hashes of the wrong length', () => {
    expect(() => new MerkleFrontier().append(new Uint8Array(31))).toThrow(/32 bytes/);
  });

  it('rejects malformed persisted state', () => {
    const one = Buffer.alloc(32).toString('base64');
    for (const bad of [
      null,
      'x',
      { size: -1, hashes: [] },
      { size: 1.5, hashes: [one] },
      { size: 3, hashes: [one] },
      { size: 1, hashes: ['not base64!'] },
      { size: 1, hashes: [Buffer.alloc(31).toString('base64')] },
      { size: 1, hashes: [1] },
    ]) {
      expect(() => MerkleFrontier.fromJSON(bad), JSON.stringify(bad)).toThrow(
        expect.objectContaining({ code: 'validation-failed' }),
      );
    }
    expect(MerkleFrontier.fromJSON({ size: 0, hashes: [] }).size).toBe(0);
  });
});
