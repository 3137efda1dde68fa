import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compactRange, compactRangeRoots, segmentedRange } from './merkle-range';
import { leafHash, MerkleFrontier, rootOfLeaves } from './merkle-tree';

const leaves = (count: number) => Array.from({ length: count }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));

describe('compactRange', () => {
  it('covers a range with maximal aligned perfect subtrees, left to right', () => {
    expect(compactRange(0, 8)).toEqual([{ start: 0, height: 3 }]);
    expect(compactRange(1, 8)).toEqual([
      { start: 1, height: 0 },
      { start: 2, height: 1 },
      { start: 4, height: 2 },
    ]);
    expect(compactRange(3, 3)).toEqual([]);
    fc.assert(
      fc.property(fc.nat(5000), fc.nat(5000), (start, length) => {
        let at = start;
        for (const { start: first, height } of compactRange(start, start + length)) {
          const width = 2 ** height;
          expect(first).toBe(at);
          expect(first % width).toBe(0);
          // Maximal: the aligned subtree twice as wide would not fit or would start elsewhere.
          expect(first % (2 * width) !== 0 || first + 2 * width > start + length || first < start).toBe(true);
          at += width;
        }
        expect(at).toBe(start + length);
      }),
    );
  });

  it('refuses a range that ends before it starts', () => {
    expect(() => compactRange(5, 4)).toThrow(/start <= end/);
  });
});

describe('compactRangeRoots and MerkleFrontier.appendSubtree', () => {
  it('reach the roots of appending the leaves one by one, at every cut', () => {
    const all = leaves(300);
    fc.assert(
      fc.property(
        fc.nat(150),
        fc.nat(150),
        fc.array(fc.nat(300), { maxLength: 4 }),
        (start, length, cuts) => {
          const frontier = new MerkleFrontier();
          for (const leaf of all.slice(0, start)) frontier.append(leaf);
          const run = Buffer.concat(all.slice(start, start + length));
          const roots = compactRangeRoots(start, run, cuts);
          let offset = 0;
          for (const segment of segmentedRange(start, start + length, cuts)) {
            for (const { height } of segment.subtrees) {
              frontier.appendSubtree(roots.subarray(offset, offset + 32), height);
              offset += 32;
            }
            expect(frontier.size).toBe(segment.end);
            expect(frontier.root()).toEqual(rootOfLeaves(all.slice(0, segment.end)));
          }
          expect(offset).toBe(roots.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses a subtree that does not start where the tree ends', () => {
    const frontier = new MerkleFrontier();
    frontier.append(leaves(1)[0]!);
    expect(() => frontier.appendSubtree(rootOfLeaves(leaves(2)), 1)).toThrow(/start where the tree ends/);
    expect(() => frontier.appendSubtree(new Uint8Array(31), 0)).toThrow(/32-byte root/);
  });
});
