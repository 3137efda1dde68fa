import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashEntry, isEntryHash, sealEntry, ZERO_HASH } from './entry-hash';
import { sampleLog } from './sample-log.fixture';

function referenceHash(entry: Record<string, unknown>): string {
  const { hash: _ignored, ...rest } = entry;
  return createHash('sha256').update(Buffer.of(0)).update(canonicalize(rest)!, 'utf8').digest('hex');
}

describe('hashEntry', () => {
  it('is SHA-256(0x00 || JCS(entry without hash)) in lowercase hex', () => {
    const entry = { seq: 1, prevHash: ZERO_HASH, summary: 'enabled checkout-v2 in production' };
    expect(hashEntry(entry)).toBe(
      createHash('sha256')
        .update(`\u0000{"prevHash":"${ZERO_HASH}","seq":1,"summary":"enabled checkout-v2 in production"}`)
        .digest('hex'),
    );
  });

  it('ignores a hash member, so stored entries can be passed as they are', () => {
    for (const entry of sampleLog(5)) {
      const { hash, ...rest } = entry;
      expect(hashEntry(entry)).toBe(hash);
      expect(hashEntry(rest)).toBe(hash);
      expect(hashEntry({ ...entry, hash: 'anything' })).toBe(hash);
    }
  });

  it('keeps a nested hash member', () => {
    expect(hashEntry({ after: { hash: 'x' } })).not.toBe(hashEntry({ after: {} }));
  });

  it('agrees with a reference built on the canonicalize package', () => {
    const entryArb = fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 12 });
    fc.assert(
      fc.property(entryArb, fc.string(), (entry, hash) => {
        const stored = { ...entry, hash };
        expect(hashEntry(stored)).toBe(referenceHash(stored));
      }),
      { numRuns: 1000 },
    );
  });

  it('does not depend on member order', () => {
    const [entry] = sampleLog(1);
    const reversed = Object.fromEntries(Object.entries(entry!).reverse());
    expect(hashEntry(reversed)).toBe(entry!.hash);
  });

  it('rejects entries holding non-JSON values', () => {
    expect(() => hashEntry({ seq: Number.NaN })).toThrow(
      expect.objectContaining({ code: 'validation-failed' }),
    );
    expect(() => hashEntry([] as object)).toThrow(expect.objectContaining({ code: 'validation-failed' }));
  });
});

describe('sealEntry', () => {
  it('gives the hash and the canonical text of the entry with it, as hashing and canonicalizing apart do', () => {
    // Member names around "hash" in UTF-16 order, so the hash lands first, last and in between.
    const keyArb = fc.oneof(
      fc.string(),
      fc.constantFrom('a', 'h', 'has', 'hash0', 'hasi', 'z', '', 'H', 'é'),
    );
    const entryArb = fc.dictionary(keyArb, fc.jsonValue(), { maxKeys: 12 });
    fc.assert(
      fc.property(entryArb, fc.string(), (entry, staleHash) => {
        for (const input of [entry, { ...entry, hash: staleHash }]) {
          const { hash, canonical } = sealEntry(input);
          expect(hash).toBe(referenceHash(input));
          const { hash: _stale, ...rest } = input;
          expect(canonical).toBe(canonicalize({ ...rest, hash }));
        }
      }),
      { numRuns: 2000 },
    );
    const { hash, canonical } = sealEntry({});
    expect(canonical).toBe(`{"hash":"${hash}"}`);
  });

  it('seals stored entries as they were sealed', () => {
    for (const entry of sampleLog(5)) {
      const { hash, ...rest } = entry;
      expect(sealEntry(rest)).toEqual({ hash, canonical: canonicalize(entry) });
    }
  });
});

describe('isEntryHash', () => {
  it('accepts only 64 lowercase hex digits', () => {
    expect(isEntryHash(ZERO_HASH)).toBe(true);
    expect(isEntryHash('A'.repeat(64))).toBe(false);
    expect(isEntryHash('0'.repeat(63))).toBe(false);
    expect(isEntryHash(42)).toBe(false);
  });
});
