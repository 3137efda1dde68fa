import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { consistencyProof, inclusionProof, verifyConsistency, verifyInclusion } from './merkle-proof';
import { emptyRoot, leafHash, nodeHash } from './merkle-tree';

const VECTORS = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../../../shared/vectors/rfc6962',
);

interface InclusionVector {
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

interface ConsistencyVector {
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

function vectorFiles<T>(kind: string): [string, T][] {
  const dir = path.join(VECTORS, kind);
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => [file, JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as T]);
}

const b64 = (text: string) => Buffer.from(text, 'base64');

/** The RFC 6962 definition of MTH, written independently of the code under test. */
function referenceRoot(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return emptyRoot();
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
}

// The index is mixed in so leaves are distinct: with repeated leaves a "mutated" proof can be a
// genuinely valid proof of another, identical leaf.
const leavesArb = (min: number, max: number) =>
  fc
    .array(fc.uint8Array({ minLength: 0, maxLength: 8 }), { minLength: min, maxLength: max })
    .map((data) => data.map((d, i) => leafHash(Buffer.concat([Buffer.from(`${i}:`), d]))));

describe('RFC 6962 inclusion vectors', () => {
  const vectors = vectorFiles<InclusionVector>('inclusion');

  it('found the vector files', () => {
    expect(vectors.length).toBeGreaterThan(80);
    expect(vectors.some(([, v]) => !v.wantErr)).toBe(true);
  });

  it.each(vectors)('%s', (_file, v) => {
    const ok = verifyInclusion({
      leafIndex: v.leafIdx,
      treeSize: v.treeSize,
      leafHash: b64(v.leafHash),
      proof: (v.proof ?? []).map(b64),
      root: b64(v.root),
    });
    expect(ok, v.desc).toBe(!v.wantErr);
  });
});

describe('RFC 6962 consistency vectors', () => {
  const vectors = vectorFiles<ConsistencyVector>('consistency');

  it('found the vector files', () => {
    expect(vectors.length).toBeGreaterThan(80);
  });

  it.each(vectors)('%s', (_file, v) => {
    const ok = verifyConsistency({
      from: v.size1,
      to: v.size2,
      fromRoot: b64(v.root1),
      toRoot: b64(v.root2),
      proof: (v.proof ?? []).map(b64),
    });
    expect(ok, v.desc).toBe(!v.wantErr);
  });
});

describe('generated proofs', () => {
  it('every inclusion proof verifies against the reference root', () => {
    fc.assert(
      fc.property(leavesArb(1, 40), fc.nat(), (leaves, pick) => {
        const index = pick % leaves.length;
        const proof = inclusionProof(index, leaves.length, (i) => leaves[i]!);
        const input = {
          leafIndex: index,
          treeSize: leaves.length,
          leafHash: leaves[index]!,
          proof,
          root: referenceRoot(leaves),
        };
        expect(verifyInclusion(input)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('a mutated inclusion proof never verifies', () => {
    fc.assert(
      fc.property(
        leavesArb(2, 40),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 0, max: 5 }),
        (leaves, a, b, how) => {
          const size = leaves.length;
          const index = a % size;
          const proof = inclusionProof(index, size, (i) => leaves[i]!);
          const good = {
            leafIndex: index,
            treeSize: size,
            leafHash: leaves[index]!,
            proof,
            root: referenceRoot(leaves),
          };
          const flip = (h: Uint8Array) => {
            const copy = Buffer.from(h);
            copy[b % 32]! ^= 1 << (b % 8);
            return copy;
          };
          const mutated = [
            { ...good, leafIndex: (index + 1 + (b % (size - 1))) % size },
            // Any larger size can share the path shape (the root commits to the size only via a checkpoint),
            // but doubling it always adds a level.
            { ...good, treeSize: size * 2 },
            { ...good, leafHash: flip(good.leafHash) },
            { ...good, root: flip(good.root) },
            {
              ...good,
              proof:
                proof.length === 0
                  ? [good.root]
                  : proof.map((p, i) => (i === b % proof.length ? flip(p) : p)),
            },
            { ...good, proof: [...proof, good.root] },
          ][how]!;
          expect(verifyInclusion(mutated)).toBe(false);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('every consistency proof verifies against the reference roots', () => {
    fc.assert(
      fc.property(leavesArb(1, 40), fc.nat(), (leaves, pick) => {
        const to = leaves.length;
        const from = 1 + (pick % to);
        const proof = consistencyProof(from, to, (i) => leaves[i]!);
        const input = {
          from,
          to,
          fromRoot: referenceRoot(leaves.slice(0, from)),
          toRoot: referenceRoot(leaves),
          proof,
        };
        expect(verifyConsistency(input)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('a mutated consistency proof never verifies', () => {
    fc.assert(
      fc.property(
        leavesArb(2, 40),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 0, max: 5 }),
        (leaves, a, b, how) => {
          const to = leaves.length;
          const from = 1 + (a % (to - 1));
          const proof = consistencyProof(from, to, (i) => leaves[i]!);
          const good = {
            from,
            to,
            fromRoot: referenceRoot(leaves.slice(0, from)),
            toRoot: referenceRoot(leaves),
            proof,
          };
          const flip = (h: Uint8Array) => {
            const copy = Buffer.from(h);
            copy[b % 32]! ^= 1 << (b % 8);
            return copy;
          };
          const mutated = [
            { ...good, fromRoot: flip(good.fromRoot) },
            { ...good, toRoot: flip(good.toRoot) },
            { ...good, proof: proof.map((p, i) => (i === b % proof.length ? flip(p) : p)) },
            { ...good, proof: proof.slice(0, -1) },
            { ...good, proof: [...proof, good.toRoot] },
            { ...good, to: to * 2 },
          ][how]!;
          expect(verifyConsistency(mutated)).toBe(false);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('rejects impossible proof requests', () => {
    const read = () => leafHash(new Uint8Array());
    expect(() => inclusionProof(3, 3, read)).toThrow(/index/);
    expect(() => inclusionProof(-1, 3, read)).toThrow(/index/);
    expect(() => consistencyProof(0, 3, read)).toThrow(/empty tree/);
    expect(() => consistencyProof(4, 3, read)).toThrow(/from/);
    expect(consistencyProof(3, 3, read)).toEqual([]);
  });
});
