import { describe, expect, it } from 'vitest';
import { scanCanonicalEntry } from './canonical-entry-text';
import { canonicalJson } from './canonical-json';
import { AuditChainVerifier } from './chain-verifier';
import { hashEntry } from './entry-hash';
import { compactRangeRoots } from './merkle-range';
import { rootOfLeaves } from './merkle-tree';
import { type SampleEntry, sampleLog } from './sample-log.fixture';

const LOG = sampleLog(40);

function verify(entries: readonly unknown[], options = {}) {
  const verifier = new AuditChainVerifier(options);
  for (const entry of entries) if (!verifier.push(entry)) break;
  return verifier;
}

function rootOf(entries: readonly SampleEntry[]) {
  return rootOfLeaves(entries.map((e) => Buffer.from(e.hash, 'hex')));
}

/** Re-chains entries after an edit, as an attacker with database access would. */
function rechain(entries: SampleEntry[]): SampleEntry[] {
  let prevHash = '0'.repeat(64);
  return entries.map((entry) => {
    const body = { ...entry, prevHash };
    const hash = hashEntry(body);
    prevHash = hash;
    return { ...body, hash };
  });
}

describe('AuditChainVerifier', () => {
  it('accepts a valid log and reports its size and root', () => {
    const result = verify(LOG).result();
    expect(result).toEqual({ ok: true, size: 40, root: rootOf(LOG).toString('base64') });
  });

  it('accepts the empty log', () => {
    expect(new AuditChainVerifier().result()).toEqual({
      ok: true,
      size: 0,
      root: '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=',
    });
  });

  it('detects one field changed in one entry', () => {
    const tampered = LOG.map((e) => (e.seq === 17 ? { ...e, summary: 'nothing happened' } : e));
    expect(verify(tampered).result()).toMatchObject({
      ok: false,
      size: 16,
      root: rootOf(LOG.slice(0, 16)).toString('base64'),
      firstBadSeq: 17,
      problem: 'hash-mismatch',
    });
  });

  it('detects a nested field changed, an added field and a removed field', () => {
    const cases = [
      (e: SampleEntry) => ({ ...e, after: { on: true, rollout: 100000 } }),
      (e: SampleEntry) => ({ ...e, reason: 'added later' }),
      (e: SampleEntry) => {
        const { ip: _ip, ...rest } = e;
        return rest;
      },
    ];
    for (const edit of cases) {
      const tampered = LOG.map((e) => (e.seq === 5 ? edit(e) : e));
      expect(verify(tampered).result()).toMatchObject({ firstBadSeq: 5, problem: 'hash-mismatch' });
    }
  });

  it('detects an entry deleted', () => {
    const result = verify(LOG.filter((e) => e.seq !== 23)).result();
    expect(result).toMatchObject({ ok: false, size: 22, firstBadSeq: 23, problem: 'seq-gap' });
    expect(result.message).toMatch(/seq 23 is missing/);
  });

  it('detects an entry deleted and the rest renumbered', () => {
    const renumbered = LOG.filter((e) => e.seq !== 23).map((e) =>
      e.seq > 23 ? { ...e, seq: e.seq - 1 } : e,
    );
    expect(verify(renumbered).result()).toMatchObject({ firstBadSeq: 23, problem: 'prev-hash-mismatch' });
  });

  it('detects two entries swapped', () => {
    const swapped = [...LOG];
    [swapped[9], swapped[10]] = [swapped[10]!, swapped[9]!];
    const result = verify(swapped).result();
    expect(result).toMatchObject({ ok: false, size: 9, firstBadSeq: 10, problem: 'seq-gap' });
  });

  it('detects a duplicated entry', () => {
    const duplicated = [...LOG.slice(0, 8), LOG[7]!, ...LOG.slice(8)];
    expect(verify(duplicated).result()).toMatchObject({ firstBadSeq: 9, problem: 'seq-gap' });
  });

  it('detects a broken chain link and a bad first prevHash', () => {
    const relinked = LOG.map((e) => (e.seq === 30 ? { ...e, prevHash: LOG[0]!.hash } : e));
    expect(verify(relinked).result()).toMatchObject({ firstBadSeq: 30, problem: 'prev-hash-mismatch' });
    const first = LOG.map((e) => (e.seq === 1 ? { ...e, prevHash: 'f'.repeat(64) } : e));
    expect(verify(first).result()).toMatchObject({ firstBadSeq: 1, problem: 'prev-hash-mismatch' });
  });

  it('reports malformed entries at the position they occupy', () => {
    const cases: unknown[] = [
      null,
      'not json',
      [1, 2],
      { ...LOG[2], seq: '3' },
      { ...LOG[2], seq: 0 },
      { ...LOG[2], hash: LOG[2]!.hash.toUpperCase() },
      { ...LOG[2], prevHash: undefined },
      { ...LOG[2], after: { rollout: Number.NaN } },
    ];
    for (const bad of cases) {
      const result = verify([LOG[0], LOG[1], bad, LOG[3]]).result();
      expect(result, JSON.stringify(bad)).toMatchObject({
        ok: false,
        size: 2,
        firstBadSeq: 3,
        problem: 'malformed-entry',
      });
    }
  });

  it('stops at the first problem', () => {
    const verifier = verify(LOG.filter((e) => e.seq !== 3));
    expect(verifier.push(LOG[3])).toBe(false);
    expect(verifier.size).toBe(2);
  });

  describe('checkpoints', () => {
    it('accepts checkpoints at the verified size and, when told in advance, below it', () => {
      const verifier = verify(LOG, { checkpointSizes: [7, 32] });
      for (const size of [0, 7, 32, 40]) {
        expect(
          verifier.checkCheckpoint({ size, rootHash: rootOf(LOG.slice(0, size)) }),
          `size ${size}`,
        ).toEqual({
          ok: true,
        });
      }
      expect(verifier.result().ok).toBe(true);
    });

    it('checks any smaller size when leaf hashes are kept', () => {
      const verifier = verify(LOG, { keepLeafHashes: true });
      for (let size = 0; size <= LOG.length; size++) {
        expect(verifier.checkCheckpoint({ size, rootHash: rootOf(LOG.slice(0, size)) }).ok).toBe(true);
      }
    });

    it('checks earlier sizes across its internal snapshots of a longer log', () => {
      const long = sampleLog(9000);
      const verifier = verify(long, { keepLeafHashes: true });
      for (const size of [1, 4095, 4096, 4097, 8191, 8192, 8193, 8999, 9000]) {
        const check = verifier.checkCheckpoint({ size, rootHash: rootOf(long.slice(0, size)) });
        expect(check, `size ${size}`).toEqual({ ok: true });
      }
      expect(verifier.checkCheckpoint({ size: 5000, rootHash: rootOf(long.slice(0, 4999)) }).ok).toBe(false);
    });

    it('refuses a size it can no longer check', () => {
      const verifier = verify(LOG);
      expect(() => verifier.checkCheckpoint({ size: 5, rootHash: rootOf(LOG.slice(0, 5)) })).toThrow(
        /not announced/,
      );
    });

    it('detects a truncated tail', () => {
      const verifier = verify(LOG.slice(0, 35));
      const check = verifier.checkCheckpoint({ size: 40, rootHash: rootOf(LOG) });
      expect(check).toMatchObject({ ok: false, firstBadSeq: 36, problem: 'log-truncated' });
      expect(verifier.result()).toMatchObject({
        ok: false,
        size: 35,
        firstBadSeq: 36,
        problem: 'log-truncated',
      });
    });

    it('reports a rewritten history against the signed root', () => {
      const rewritten = rechain(LOG.map((e) => (e.seq === 12 ? { ...e, outcome: 'denied' } : e)));
      const verifier = verify(rewritten, { checkpointSizes: [10, 20] });
      expect(verifier.checkCheckpoint({ size: 10, rootHash: rootOf(LOG.slice(0, 10)) })).toEqual({
        ok: true,
      });
      const check = verifier.checkCheckpoint({ size: 20, rootHash: rootOf(LOG.slice(0, 20)) });
      expect(check).toMatchObject({ ok: false, problem: 'checkpoint-root-mismatch' });
      expect(verifier.result()).toMatchObject({ ok: false, size: 40, problem: 'checkpoint-root-mismatch' });
    });

    it('keeps the chain problem when a checkpoint reaches past it', () => {
      const verifier = verify(LOG.filter((e) => e.seq !== 23));
      const check = verifier.checkCheckpoint({ size: 40, rootHash: rootOf(LOG) });
      expect(check).toMatchObject({ ok: false, firstBadSeq: 23, problem: 'seq-gap' });
      expect(verifier.result()).toMatchObject({ firstBadSeq: 23, problem: 'seq-gap' });
    });
  });

  describe('pushVerifiedRun', () => {
    const texts = LOG.map((e) => canonicalJson(e));

    /** What a worker hands back for texts[from, to): the run's first seq and prevHash, and its hashes. */
    function run(from: number, to: number) {
      const scans = texts.slice(from, to).map((text) => scanCanonicalEntry(text)!);
      const leafHashes = Buffer.concat(scans.map((scan) => Buffer.from(scan.computed, 'hex')));
      return { firstSeq: scans[0]!.seq, firstPrevHash: scans[0]!.prevHash, leafHashes };
    }

    it('reaches the same state as pushText over the same texts, checkpoints included', () => {
      const byText = new AuditChainVerifier({ checkpointSizes: [7, 40] });
      for (const text of texts) byText.pushText(text);
      const byRuns = new AuditChainVerifier({ checkpointSizes: [7, 40] });
      for (const [from, to] of [
        [0, 13],
        [13, 14],
        [14, 40],
      ] as const) {
        expect(byRuns.pushVerifiedRun(run(from, to))).toBe(true);
      }
      expect(byRuns.result()).toEqual(byText.result());
      for (const size of [7, 40]) {
        const rootHash = rootOf(LOG.slice(0, size));
        expect(byRuns.checkCheckpoint({ size, rootHash })).toEqual({ ok: true });
      }
      // The last hash carries over: the next entry links to the run's last one.
      const next = new AuditChainVerifier();
      next.pushVerifiedRun(run(0, 20));
      expect(next.pushText(texts[20]!)).toBe(true);
    });

    it('refuses a run that does not follow what was verified, changing nothing', () => {
      const verifier = new AuditChainVerifier();
      verifier.pushVerifiedRun(run(0, 10));
      const before = verifier.result();
      expect(verifier.pushVerifiedRun(run(11, 20))).toBe(false);
      expect(verifier.pushVerifiedRun({ ...run(10, 20), firstPrevHash: LOG[3]!.hash })).toBe(false);
      expect(verifier.result()).toEqual(before);
      // The first text of the refused run then names the problem.
      expect(verifier.pushText(texts[11]!)).toBe(false);
      expect(verifier.result()).toMatchObject({ ok: false, size: 10, firstBadSeq: 11, problem: 'seq-gap' });
      expect(verifier.pushVerifiedRun(run(10, 20))).toBe(false);
    });

    it("takes the run's compact range instead of its leaves, capturing roots at the cuts", () => {
      const sizes = [5, 7, 13, 40];
      const byText = new AuditChainVerifier({ checkpointSizes: sizes });
      for (const text of texts) byText.pushText(text);
      const byRuns = new AuditChainVerifier({ checkpointSizes: sizes });
      for (const [from, to] of [
        [0, 13],
        [13, 14],
        [14, 40],
      ] as const) {
        const proven = run(from, to);
        const subtrees = { cuts: sizes, roots: compactRangeRoots(from, proven.leafHashes, sizes) };
        expect(byRuns.pushVerifiedRun({ ...proven, subtrees })).toBe(true);
      }
      expect(byRuns.result()).toEqual(byText.result());
      for (const size of sizes) {
        expect(byRuns.checkCheckpoint({ size, rootHash: rootOf(LOG.slice(0, size)) })).toEqual({ ok: true });
      }
    });

    it('appends the leaves when the cuts miss an announced size or leaves are kept', () => {
      const proven = run(0, 20);
      const subtrees = { cuts: [], roots: compactRangeRoots(0, proven.leafHashes) };
      const missing = new AuditChainVerifier({ checkpointSizes: [9] });
      expect(missing.pushVerifiedRun({ ...proven, subtrees })).toBe(true);
      expect(missing.checkCheckpoint({ size: 9, rootHash: rootOf(LOG.slice(0, 9)) })).toEqual({ ok: true });
      const kept = new AuditChainVerifier({ keepLeafHashes: true });
      expect(kept.pushVerifiedRun({ ...proven, subtrees })).toBe(true);
      expect(kept.checkCheckpoint({ size: 3, rootHash: rootOf(LOG.slice(0, 3)) })).toEqual({ ok: true });
      expect(kept.result()).toEqual(missing.result());
    });

    it("rejects roots that are not those of the run's compact range", () => {
      const proven = run(1, 20);
      const roots = compactRangeRoots(0, proven.leafHashes);
      const verifier = new AuditChainVerifier();
      verifier.pushVerifiedRun(run(0, 1));
      expect(() => verifier.pushVerifiedRun({ ...proven, subtrees: { cuts: [], roots } })).toThrow(/roots/);
    });

    it('rejects leaf hashes that are not whole 32-byte hashes', () => {
      expect(() =>
        new AuditChainVerifier().pushVerifiedRun({ ...run(0, 2), leafHashes: new Uint8Array(33) }),
      ).toThrow(/32-byte/);
    });
  });
});
