import type { WeightedVariation } from '../flags/flag.types';

/**
 * Buckets run over [0, BUCKET_COUNT): one bucket per thousandth of a percent.
 *
 * @example
 * bucketOf('checkout-v2', 'salt', 'user-1') < BUCKET_COUNT; // true
 */
export const BUCKET_COUNT = 100_000;

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function mixK(k: number): number {
  let x = Math.imul(k, C1);
  x = (x << 15) | (x >>> 17);
  return Math.imul(x, C2);
}

function mixBlock(h: number, k: number): number {
  let x = h ^ mixK(k);
  x = (x << 13) | (x >>> 19);
  return (Math.imul(x, 5) + 0xe6546b64) | 0;
}

function finish(h: number, tail: number, tailLength: number, length: number): number {
  let x = tailLength > 0 ? h ^ mixK(tail) : h;
  x ^= length;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** MurmurHash3 state between chunks: hash of the full blocks so far, plus 0–3 pending bytes. */
interface HashState {
  h: number;
  tail: number;
  tailLength: number;
  length: number;
}

function feedBytes(state: HashState, bytes: Uint8Array, count: number): void {
  let { h, tail, tailLength } = state;
  for (let i = 0; i < count; i++) {
    tail |= (bytes[i] as number) << (tailLength << 3);
    if (++tailLength === 4) {
      h = mixBlock(h, tail);
      tail = 0;
      tailLength = 0;
    }
  }
  state.h = h;
  state.tail = tail;
  state.tailLength = tailLength;
  state.length += count;
}

const encoder = new TextEncoder();
/** Reused for non-ASCII input so that hashing never allocates per call. */
let scratch = new Uint8Array(256);

function encode(value: string): number {
  // UTF-8 needs at most 3 bytes per UTF-16 code unit (a surrogate pair: 4 bytes for 2 units).
  if (scratch.length < value.length * 3) scratch = new Uint8Array(value.length * 3);
  return encoder.encodeInto(value, scratch).written;
}

function feedString(state: HashState, value: string): void {
  let { h, tail, tailLength } = state;
  const length = value.length;
  for (let i = 0; i < length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0x80) {
      const written = encode(value); // may replace `scratch`: read it only afterwards
      feedBytes(state, scratch, written);
      return;
    }
    tail |= c << (tailLength << 3);
    if (++tailLength === 4) {
      h = mixBlock(h, tail);
      tail = 0;
      tailLength = 0;
    }
  }
  state.h = h;
  state.tail = tail;
  state.tailLength = tailLength;
  state.length += length;
}

/**
 * 32-bit MurmurHash3 (x86_32) of the UTF-8 encoding of `input` (WHATWG TextEncoder: lone surrogates
 * become U+FFFD), as an unsigned integer.
 *
 * @example
 * murmur3Utf8('');                    // 0
 * murmur3Utf8('test', 0x9747b28c);    // 0x704b81dc
 */
export function murmur3Utf8(input: string, seed = 0): number {
  const state: HashState = { h: seed | 0, tail: 0, tailLength: 0, length: 0 };
  feedString(state, input);
  return finish(state.h, state.tail, state.tailLength, state.length);
}

/**
 * The exact string whose UTF-8 bytes are hashed to bucket a context: `<flag key>.<salt>.<value>`.
 *
 * @example
 * bucketingInput('checkout-v2', 'a1b2', 'user-1'); // 'checkout-v2.a1b2.user-1'
 */
export function bucketingInput(flagKey: string, salt: string, value: string): string {
  return `${flagKey}.${salt}.${value}`;
}

/**
 * The bucket in [0, 100000) of a bucketing value for a flag:
 * `murmur3Utf8(bucketingInput(flagKey, salt, value)) % 100000`.
 *
 * @example
 * bucketOf('checkout-v2', 'a1b2', 'user-1'); // a stable integer in [0, 100000)
 */
export function bucketOf(flagKey: string, salt: string, value: string): number {
  return murmur3Utf8(bucketingInput(flagKey, salt, value)) % BUCKET_COUNT;
}

/**
 * A fast bucket function for one flag: the hash of the `<flag key>.<salt>.` prefix is computed once,
 * so each call only hashes the value (ASCII values without any allocation). Equal to
 * `(value) => bucketOf(flagKey, salt, value)`.
 *
 * @example
 * const bucket = createBucketer('checkout-v2', 'a1b2');
 * bucket('user-1') === bucketOf('checkout-v2', 'a1b2', 'user-1'); // true
 */
export function createBucketer(flagKey: string, salt: string): (value: string) => number {
  const prefix: HashState = { h: 0, tail: 0, tailLength: 0, length: 0 };
  feedString(prefix, `${flagKey}.${salt}.`);
  const { h: prefixHash, tail: prefixTail, tailLength: prefixTailLength, length: prefixLength } = prefix;
  // Characters of the value that complete the prefix's last, partial block.
  const fill = (4 - prefixTailLength) & 3;
  const slow = (value: string): number => {
    const state = { ...prefix };
    const written = encode(value); // may replace `scratch`: read it only afterwards
    feedBytes(state, scratch, written);
    return finish(state.h, state.tail, state.tailLength, state.length) % BUCKET_COUNT;
  };
  return (value) => {
    const length = value.length;
    let h = prefixHash;
    let tail = prefixTail;
    let tailLength = prefixTailLength;
    let i = 0;
    if (length >= fill && fill > 0) {
      for (; i < fill; i++) {
        const c = value.charCodeAt(i);
        if (c >= 0x80) return slow(value);
        tail |= c << ((prefixTailLength + i) << 3);
      }
      h = mixBlock(h, tail);
      tail = 0;
      tailLength = 0;
    }
    if (tailLength === 0) {
      // Whole blocks of four ASCII characters: one branch and one mix per block.
      for (const end = i + ((length - i) & ~3); i < end; i += 4) {
        const c0 = value.charCodeAt(i);
        const c1 = value.charCodeAt(i + 1);
        const c2 = value.charCodeAt(i + 2);
        const c3 = value.charCodeAt(i + 3);
        if ((c0 | c1 | c2 | c3) >= 0x80) return slow(value);
        h = mixBlock(h, c0 | (c1 << 8) | (c2 << 16) | (c3 << 24));
      }
    }
    for (; i < length; i++) {
      const c = value.charCodeAt(i);
      if (c >= 0x80) return slow(value);
      tail |= c << (tailLength << 3);
      tailLength++;
    }
    return finish(h, tail, tailLength, prefixLength + length) % BUCKET_COUNT;
  };
}

/**
 * The variation a bucket falls into: walk the weights in order, summing them; the first variation
 * whose running sum exceeds the bucket wins. Undefined only if the weights sum to at most `bucket`.
 *
 * @example
 * const weights = [{ variation: 'true', weight: 25000 }, { variation: 'false', weight: 75000 }];
 * assignRolloutVariation(weights, 24999); // 'true'
 * assignRolloutVariation(weights, 25000); // 'false'
 */
export function assignRolloutVariation(
  weights: readonly WeightedVariation[],
  bucket: number,
): string | undefined {
  let cumulative = 0;
  for (const { variation, weight } of weights) {
    cumulative += weight;
    if (bucket < cumulative) return variation;
  }
  return undefined;
}
