import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assignRolloutVariation,
  BUCKET_COUNT,
  bucketingInput,
  bucketOf,
  createBucketer,
  murmur3Utf8,
} from './bucketing';
import vectors from './bucketing.vectors.json';

/** Textbook MurmurHash3_x86_32 over bytes, written independently of the streaming implementation. */
function referenceMurmur3(bytes: Uint8Array, seed = 0): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  const blocks = bytes.length - (bytes.length % 4);
  const byte = (i: number) => bytes[i] ?? 0;
  let h = seed >>> 0;
  for (let i = 0; i < blocks; i += 4) {
    let k = byte(i) | (byte(i + 1) << 8) | (byte(i + 2) << 16) | (byte(i + 3) << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, c2);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const rest = bytes.length & 3;
  if (rest > 0) {
    let k = 0;
    for (let j = rest - 1; j >= 0; j--) k = (k << 8) | byte(blocks + j);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, c2);
  }
  h ^= bytes.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('MurmurHash3 x86_32', () => {
  it('reproduces the published test vectors', () => {
    expect(murmur3Utf8('')).toBe(0);
    expect(murmur3Utf8('', 1)).toBe(0x514e28b7);
    expect(murmur3Utf8('', 0xffffffff)).toBe(0x81f16f39);
    expect(murmur3Utf8('\0\0\0\0')).toBe(0x2362f9de);
    expect(murmur3Utf8('test', 0x9747b28c)).toBe(0x704b81dc);
    expect(murmur3Utf8('Hello, world!', 1234)).toBe(0xfaf6cdb3);
    expect(murmur3Utf8('The quick brown fox jumps over the lazy dog', 0x9747b28c)).toBe(0x2fa826cd);
  });

  it('equals the textbook algorithm over UTF-8 bytes for any string (lone surrogates → U+FFFD)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        (text, seed) => {
          expect(murmur3Utf8(text, seed)).toBe(referenceMurmur3(utf8(text), seed));
        },
      ),
      { numRuns: 2000 },
    );
    expect(murmur3Utf8('\ud800')).toBe(murmur3Utf8('\ufffd'));
  });
});

describe('bucketing test vectors (bucketing.vectors.json)', () => {
  it('has at least 50 cases, non-ASCII and empty values included', () => {
    expect(vectors.cases.length).toBeGreaterThanOrEqual(50);
    const values = vectors.cases.map((c) => c.value);
    for (const needed of ['', 'é', '日本', '😀']) expect(values).toContain(needed);
  });

  it('every case agrees with bucketOf, the prefix bucketer and the reference hash', () => {
    for (const c of vectors.cases) {
      const input = bucketingInput(c.flagKey, c.salt, c.value);
      expect(Buffer.from(utf8(input)).toString('hex'), c.value).toBe(c.utf8Hex);
      expect(referenceMurmur3(utf8(input)), c.value).toBe(c.hash);
      expect(murmur3Utf8(input), c.value).toBe(c.hash);
      expect(c.bucket).toBe(c.hash % BUCKET_COUNT);
      expect(bucketOf(c.flagKey, c.salt, c.value), c.value).toBe(c.bucket);
      expect(createBucketer(c.flagKey, c.salt)(c.value), c.value).toBe(c.bucket);
    }
  });

  it('every rollout case lands on its variation', () => {
    for (const c of vectors.rollouts) {
      expect(bucketOf(c.flagKey, c.salt, c.value)).toBe(c.bucket);
      expect(assignRolloutVariation(c.weights, c.bucket)).toBe(c.variation);
    }
  });

  it('every raw murmur3 case agrees', () => {
    for (const c of vectors.murmur3) expect(murmur3Utf8(c.input, c.seed)).toBe(c.hash);
  });
});

describe('buckets', () => {
  it('the prefix bucketer equals bucketOf for any flag key, salt and value', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 12 }),
        fc.string({ maxLength: 12 }),
        fc.string({ unit: 'grapheme', maxLength: 30 }),
        (key, salt, value) => {
          const bucket = createBucketer(key, salt)(value);
          expect(bucket).toBe(bucketOf(key, salt, value));
          expect(bucket).toBeGreaterThanOrEqual(0);
          expect(bucket).toBeLessThan(BUCKET_COUNT);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('handles values longer than the scratch buffer', () => {
    const long = `é${'x'.repeat(5000)}`;
    expect(createBucketer('f', 's')(long)).toBe(referenceMurmur3(utf8(`f.s.${long}`)) % BUCKET_COUNT);
    expect(murmur3Utf8(`${long}日本`)).toBe(referenceMurmur3(utf8(`${long}日本`)));
  });
});

describe('rollout assignment', () => {
  it('walks the weights in order, cumulatively', () => {
    const weights = [
      { variation: 'a', weight: 10000 },
      { variation: 'b', weight: 0 },
      { variation: 'c', weight: 90000 },
    ];
    expect(assignRolloutVariation(weights, 0)).toBe('a');
    expect(assignRolloutVariation(weights, 9999)).toBe('a');
    expect(assignRolloutVariation(weights, 10000)).toBe('c');
    expect(assignRolloutVariation(weights, 99999)).toBe('c');
    expect(assignRolloutVariation(weights, 100000)).toBeUndefined();
  });

  it('raising a variation keeps everyone who was in (first or last position)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: BUCKET_COUNT }),
        fc.integer({ min: 0, max: BUCKET_COUNT }),
        fc.boolean(),
        fc.string({ minLength: 1, maxLength: 20 }),
        (x, y, grownFirst, key) => {
          const [low, high] = x <= y ? [x, y] : [y, x];
          const weights = (share: number) => {
            const grown = { variation: 'in', weight: share };
            const other = { variation: 'out', weight: BUCKET_COUNT - share };
            return grownFirst ? [grown, other] : [other, grown];
          };
          const bucket = bucketOf('checkout-v2', 'salt', key);
          if (assignRolloutVariation(weights(low), bucket) === 'in') {
            expect(assignRolloutVariation(weights(high), bucket)).toBe('in');
          }
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('25% → 50% keeps every one of 10,000 contexts that was in', () => {
    const bucket = createBucketer('checkout-v2', 'c0ffee42');
    const at = (share: number) => [
      { variation: 'true', weight: share },
      { variation: 'false', weight: BUCKET_COUNT - share },
    ];
    let before = 0;
    for (let i = 0; i < 10_000; i++) {
      const b = bucket(`user-${i}`);
      if (assignRolloutVariation(at(25000), b) === 'true') {
        before++;
        expect(assignRolloutVariation(at(50000), b)).toBe('true');
      }
    }
    expect(before).toBeGreaterThan(2300);
  });

  it('over 100,000 keys each variation gets its weight ±0.5%', () => {
    const weights = [
      { variation: 'a', weight: 12500 },
      { variation: 'b', weight: 37500 },
      { variation: 'c', weight: 50000 },
    ];
    for (const [flagKey, makeKey] of [
      ['checkout-v2', (i: number) => `user-${i}`],
      ['new-banner', (i: number) => `${i}`],
      ['intl', (i: number) => `ユーザー-${i}-é`],
    ] as const) {
      const bucket = createBucketer(flagKey, 'f00d');
      const counts = new Map<string, number>();
      const total = 100_000;
      for (let i = 0; i < total; i++) {
        const variation = assignRolloutVariation(weights, bucket(makeKey(i))) as string;
        counts.set(variation, (counts.get(variation) ?? 0) + 1);
      }
      for (const { variation, weight } of weights) {
        const share = (counts.get(variation) ?? 0) / total;
        expect(Math.abs(share - weight / BUCKET_COUNT), `${flagKey} ${variation}`).toBeLessThanOrEqual(0.005);
      }
    }
  });
});
