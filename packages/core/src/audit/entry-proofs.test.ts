import { describe, expect, it } from 'vitest';
import { verifyEntriesWithProofs } from './entry-proofs';
import { inclusionProof } from './merkle-proof';
import { rootOfLeaves } from './merkle-tree';
import { type SampleEntry, sampleLog } from './sample-log.fixture';

const LOG = sampleLog(30);
const LEAVES = LOG.map((e) => Buffer.from(e.hash, 'hex'));
const CHECKPOINT = { size: 25, rootHash: rootOfLeaves(LEAVES.slice(0, 25)) };

function withProof(entry: SampleEntry, treeSize = CHECKPOINT.size) {
  const proof = inclusionProof(entry.seq - 1, treeSize, (i) => LEAVES[i]!).map((p) => p.toString('base64'));
  return { entry, proof: { leafIndex: entry.seq - 1, treeSize, proof } };
}

const FILTERED = [1, 2, 3, 9, 14, 15, 25].map((seq) => withProof(LOG[seq - 1]!));

describe('verifyEntriesWithProofs', () => {
  it('accepts a filtered export whose entries are in the checkpoint', () => {
    expect(verifyEntriesWithProofs(FILTERED, CHECKPOINT)).toEqual({ ok: true, checked: 7 });
    expect(verifyEntriesWithProofs([], CHECKPOINT)).toEqual({ ok: true, checked: 0 });
  });

  it('detects an altered entry', () => {
    const items = FILTERED.map((item) =>
      item.entry.seq === 14 ? { ...item, entry: { ...item.entry, outcome: 'denied' } } : item,
    );
    expect(verifyEntriesWithProofs(items, CHECKPOINT)).toMatchObject({
      ok: false,
      checked: 4,
      firstBadSeq: 14,
      problem: 'hash-mismatch',
    });
  });

  it('detects an entry with a recomputed hash that is not in the tree', () => {
    const forged = sampleLog(30, 'evil')[8]!;
    const items = FILTERED.map((item) => (item.entry.seq === 9 ? { ...item, entry: forged } : item));
    expect(verifyEntriesWithProofs(items, CHECKPOINT)).toMatchObject({
      firstBadSeq: 9,
      problem: 'inclusion-proof-invalid',
    });
  });

  it('detects a proof for another leaf, tree size or a tampered proof', () => {
    const item = FILTERED[3]!;
    const tampered = [
      { ...item, proof: { ...item.proof, leafIndex: 9 } },
      withProof(item.entry, 30),
      { ...item, proof: { ...item.proof, proof: item.proof.proof.slice(1) } },
      { ...item, proof: { ...item.proof, proof: [...item.proof.proof].reverse() } },
    ];
    for (const bad of tampered) {
      expect(verifyEntriesWithProofs([bad], CHECKPOINT)).toMatchObject({
        firstBadSeq: 9,
        problem: 'inclusion-proof-invalid',
      });
    }
  });

  it('detects an entry beyond the checkpoint', () => {
    expect(verifyEntriesWithProofs([withProof(LOG[26]!, 30)], CHECKPOINT)).toMatchObject({
      firstBadSeq: 27,
      problem: 'inclusion-proof-invalid',
    });
  });

  it('detects malformed proofs', () => {
    const item = FILTERED[0]!;
    for (const proof of [undefined, {}, { ...item.proof, proof: ['AAAA'] }, { ...item.proof, proof: [42] }]) {
      expect(verifyEntriesWithProofs([{ ...item, proof }], CHECKPOINT)).toMatchObject({
        firstBadSeq: 1,
        problem: 'malformed-proof',
      });
    }
  });

  it('detects malformed entries', () => {
    for (const bad of [null, {}, { entry: 'x' }, { entry: { seq: 1 } }]) {
      expect(verifyEntriesWithProofs([bad], CHECKPOINT)).toMatchObject({
        ok: false,
        problem: 'malformed-entry',
      });
    }
  });

  it('detects entries out of order or repeated', () => {
    const reordered = [FILTERED[0]!, FILTERED[4]!, FILTERED[3]!];
    expect(verifyEntriesWithProofs(reordered, CHECKPOINT)).toMatchObject({
      checked: 2,
      firstBadSeq: 9,
      problem: 'seq-out-of-order',
    });
    const repeated = [FILTERED[0]!, FILTERED[0]!];
    expect(verifyEntriesWithProofs(repeated, CHECKPOINT)).toMatchObject({
      firstBadSeq: 1,
      problem: 'seq-out-of-order',
    });
  });

  it('checks prevHash links between consecutive entries it was given', () => {
    const relinked = { ...FILTERED[5]!, entry: { ...FILTERED[5]!.entry, prevHash: LOG[0]!.hash } };
    expect(verifyEntriesWithProofs([FILTERED[4]!, relinked], CHECKPOINT)).toMatchObject({
      firstBadSeq: 15,
      problem: 'prev-hash-mismatch',
    });
  });
});
