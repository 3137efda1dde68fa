import { hash } from 'node:crypto';

/**
 * The byte-level twin of `scanCanonicalEntry` (canonical-entry-text.ts), for entries read as UTF-8
 * bytes (SQLite bodies, export lines): it proves `bytes` to be the UTF-8 encoding of a text T with
 * `T === canonicalJson(JSON.parse(T))` — valid UTF-8 (no overlong forms, no encoded surrogates), the
 * JSON grammar, no whitespace, members strictly ascending by UTF-16 code units, strings escaped as
 * `JSON.stringify` escapes them, numbers in ECMAScript shortest form — and hashes the bytes with the
 * `"hash":…` member and one adjacent comma cut out, which for such a text is `hashEntry(JSON.parse(T))`
 * (ADR 0007 §8). No UTF-16 string is built and nothing is re-encoded. Whatever it is not sure about
 * (escaped member names, `\u` escapes other than those of control characters, nesting beyond 64,
 * entries beyond 64 KB) it declines, like the text scanner, and the caller takes the text path.
 */

const MAX_FAST_DEPTH = 64;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;

// Byte classes inside a string literal.
const PLAIN = 0;
const END = 1;
const ESCAPE = 2;
const LEAD2 = 3;
const LEAD3 = 4;
const LEAD4 = 5;
const INVALID = 6;

const STRING_CLASS = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  STRING_CLASS[c] =
    c < 0x20
      ? INVALID
      : c === QUOTE
        ? END
        : c === BACKSLASH
          ? ESCAPE
          : c < 0x80
            ? PLAIN
            : c >= 0xc2 && c <= 0xdf
              ? LEAD2
              : c >= 0xe0 && c <= 0xef
                ? LEAD3
                : c >= 0xf0 && c <= 0xf4
                  ? LEAD4
                  : INVALID;
}

// The byte after a backslash that JSON.stringify writes: \" \\ \b \f \n \r \t (and \u, checked apart).
const SHORT_ESCAPE = new Uint8Array(256);
for (const c of [QUOTE, BACKSLASH, 0x62, 0x66, 0x6e, 0x72, 0x74]) SHORT_ESCAPE[c] = 1;

// Reused input of the entry hash (0x00 ‖ bytes without the hash member); larger entries are declined.
// Plain Uint8Array views throughout: a Buffer's subarray() builds a Buffer, several times slower.
const scratch = new Uint8Array(64 * 1024);

/** Top-level facts of a canonical entry's bytes, and its entry hash recomputed from them. */
export interface CanonicalEntryBytesScan {
  seq: number;
  /** Offset in the scanned array of the 64 bytes inside the quotes of `prevHash`, as written. */
  prevHashAt: number;
  /**
   * Offset in the scanned array of the 64 bytes inside the quotes of `hash`, as written (escapes
   * included; not checked to be hex: compare them with `computed`).
   */
  hashAt: number;
  /** Lowercase hex SHA-256(0x00 ‖ bytes without the `hash` member): `hashEntry` of the entry. */
  computed: string;
}

/**
 * Scans the UTF-8 bytes `bytes[start, end)` of a stored entry; returns its `seq`, where its `prevHash`
 * and `hash` values lie and the recomputed entry hash when the bytes are provably the canonical JSON
 * of an object with an integer `seq` and 64-character `prevHash` and `hash` strings, and `undefined`
 * otherwise (the caller then decodes the text and takes `AuditChainVerifier.pushText`).
 *
 * @example
 * const scan = scanCanonicalEntryBytes(body);
 * if (scan && asciiEquals(body, scan.hashAt, scan.computed)) { ... } // else: verifier.pushText(body.toString())
 */
export function scanCanonicalEntryBytes(
  bytes: Uint8Array,
  start = 0,
  end = bytes.length,
): CanonicalEntryBytesScan | undefined {
  if (end - start < 2 || end - start + 1 > scratch.length || bytes[start] !== 0x7b) return undefined;
  // One flat loop with an explicit stack of open containers: calls per token cost more than the bytes.
  let seq = -1;
  let prevHashAt = -1;
  let hashAt = -1;
  let cutStart = -1;
  let cutEnd = -1;
  let topKey = OTHER;
  let topMemberStart = -1;
  let topValueStart = -1;
  let depth = 1;
  kinds[1] = OBJECT;
  lastKeyStart[1] = -1;
  let p = start + 1;
  if (bytes[p] === 0x7d) return undefined;
  member: for (;;) {
    // A member name, without escapes, strictly after the previous one of its object.
    if (p >= end || bytes[p] !== QUOTE) return undefined;
    const keyStart = ++p;
    for (;;) {
      while (p < end && STRING_CLASS[bytes[p]!] === PLAIN) p++;
      if (p >= end) return undefined;
      const kind = STRING_CLASS[bytes[p]!]!;
      if (kind === END) break;
      if (kind === ESCAPE || kind === INVALID) return undefined;
      p = utf8End(bytes, p, end, kind);
      if (p < 0) return undefined;
    }
    const keyStop = p++;
    const previous = lastKeyStart[depth]!;
    if (previous >= 0 && !keyLess(bytes, previous, lastKeyEnd[depth]!, keyStart, keyStop)) return undefined;
    lastKeyStart[depth] = keyStart;
    lastKeyEnd[depth] = keyStop;
    if (depth === 1) {
      topKey = topLevelKey(bytes, keyStart, keyStop);
      topMemberStart = keyStart - 1;
    }
    if (p >= end || bytes[p] !== COLON) return undefined;
    p++;
    if (depth === 1) topValueStart = p;
    value: for (;;) {
      if (p >= end) return undefined;
      const c = bytes[p]!;
      if (c === QUOTE) {
        p++;
        for (;;) {
          while (p < end && STRING_CLASS[bytes[p]!] === PLAIN) p++;
          if (p >= end) return undefined;
          const kind = STRING_CLASS[bytes[p]!]!;
          if (kind === END) break;
          if (kind === ESCAPE) p = escapeEnd(bytes, p + 1, end);
          else if (kind === INVALID) return undefined;
          else p = utf8End(bytes, p, end, kind);
          if (p < 0) return undefined;
        }
        p++;
      } else if (c === 0x7b || c === 0x5b) {
        if (++depth > MAX_FAST_DEPTH) return undefined;
        p++;
        if (c === 0x7b) {
          kinds[depth] = OBJECT;
          lastKeyStart[depth] = -1;
          if (p >= end || bytes[p] !== 0x7d) continue member;
        } else {
          kinds[depth] = ARRAY;
          if (p >= end || bytes[p] !== 0x5d) continue;
        }
        // An empty container.
        p++;
        depth--;
      } else {
        p = scalarEnd(bytes, p, end, c);
        if (p < 0) return undefined;
      }
      // A value is complete at p: record a top-level one, then close what ends here.
      for (;;) {
        if (depth === 1) {
          if (topKey === SEQ_KEY) {
            seq = smallInteger(bytes, topValueStart, p);
            if (seq < 0) return undefined;
          } else if (topKey !== OTHER) {
            if (p - topValueStart !== 66 || bytes[topValueStart] !== QUOTE) return undefined;
            if (topKey === PREV_HASH_KEY) {
              prevHashAt = topValueStart + 1;
            } else {
              hashAt = topValueStart + 1;
              cutStart = topMemberStart;
              cutEnd = p;
            }
          }
        }
        if (p >= end) return undefined;
        const next = bytes[p++];
        if (next === COMMA) {
          if (kinds[depth] === OBJECT) continue member;
          continue value;
        }
        if (next !== (kinds[depth] === OBJECT ? 0x7d : 0x5d)) return undefined;
        if (--depth === 0) break member;
      }
    }
  }
  if (p !== end || seq < 0 || prevHashAt < 0 || hashAt < 0) return undefined;
  // Cut `"hash":"…"` and one adjacent comma: the preceding one, or the following one when first.
  if (bytes[cutStart - 1] === COMMA) cutStart -= 1;
  else if (bytes[cutEnd] === COMMA) cutEnd += 1;
  const { buffer, byteOffset } = bytes;
  scratch[0] = 0x00;
  scratch.set(new Uint8Array(buffer, byteOffset + start, cutStart - start), 1);
  const head = 1 + cutStart - start;
  scratch.set(new Uint8Array(buffer, byteOffset + cutEnd, end - cutEnd), head);
  const computed = hash('sha256', new Uint8Array(scratch.buffer, 0, head + end - cutEnd), 'hex');
  return { seq, prevHashAt, hashAt, computed };
}

const OBJECT = 1;
const ARRAY = 2;
// The open containers by depth (1 is the entry itself), and the last member name of each object.
const kinds = new Uint8Array(MAX_FAST_DEPTH + 1);
const lastKeyStart = new Int32Array(MAX_FAST_DEPTH + 1);
const lastKeyEnd = new Int32Array(MAX_FAST_DEPTH + 1);

const OTHER = 0;
const SEQ_KEY = 1;
const PREV_HASH_KEY = 2;
const HASH_KEY = 3;

function topLevelKey(bytes: Uint8Array, from: number, to: number): number {
  const length = to - from;
  if (length === 3 && isKey(bytes, from, SEQ)) return SEQ_KEY;
  if (length === 4 && isKey(bytes, from, HASH)) return HASH_KEY;
  if (length === 8 && isKey(bytes, from, PREV_HASH)) return PREV_HASH_KEY;
  return OTHER;
}

/** Position after a literal or a number starting with byte c at p, or -1. */
function scalarEnd(bytes: Uint8Array, p: number, end: number, c: number): number {
  if (c === 0x74) return literalEnd(bytes, p, end, TRUE);
  if (c === 0x66) return literalEnd(bytes, p, end, FALSE);
  if (c === 0x6e) return literalEnd(bytes, p, end, NULL);
  if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return numberEnd(bytes, p, end);
  return -1;
}

/**
 * Whether `bytes[at, at + text.length)` holds exactly the characters of the ASCII string `text`
 * (e.g. a stored hash against a recomputed hex one).
 *
 * @example
 * asciiEquals(Buffer.from('{"x":"ab"}'), 6, 'ab'); // true
 */
export function asciiEquals(bytes: Uint8Array, at: number, text: string): boolean {
  if (at < 0 || at + text.length > bytes.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

const SEQ = [0x73, 0x65, 0x71];
const PREV_HASH = [0x70, 0x72, 0x65, 0x76, 0x48, 0x61, 0x73, 0x68];
const HASH = [0x68, 0x61, 0x73, 0x68];

function isKey(bytes: Uint8Array, at: number, key: readonly number[]): boolean {
  for (let i = 0; i < key.length; i++) if (bytes[at + i] !== key[i]) return false;
  return true;
}

/** The value of a plain integer literal of at most 15 digits, else -1 (the text path decides). */
function smallInteger(bytes: Uint8Array, from: number, to: number): number {
  if (to - from > 15) return -1;
  let value = 0;
  for (let i = from; i < to; i++) {
    const c = bytes[i]!;
    if (c < 0x30 || c > 0x39) return -1;
    value = value * 10 + (c - 0x30);
  }
  return value;
}

/**
 * a < b by UTF-16 code units, for member names given as valid UTF-8 bytes. UTF-8 byte order is code
 * point order, which differs from UTF-16 order only between a supplementary character (4-byte
 * sequence, a surrogate pair in UTF-16) and one of U+E000…U+FFFF (lead byte 0xEE or 0xEF).
 */
function keyLess(bytes: Uint8Array, a0: number, a1: number, b0: number, b1: number): boolean {
  const n = Math.min(a1 - a0, b1 - b0);
  for (let i = 0; i < n; i++) {
    const a = bytes[a0 + i]!;
    const b = bytes[b0 + i]!;
    if (a === b) continue;
    if (a >= 0xee && b >= 0xee && a >= 0xf0 !== b >= 0xf0) return a >= 0xf0;
    return a < b;
  }
  return a1 - a0 < b1 - b0;
}

/** After a backslash: a short escape, or `\u00xx` of a control character without a short one. */
function escapeEnd(bytes: Uint8Array, p: number, end: number): number {
  if (p >= end) return -1;
  const c = bytes[p]!;
  if (SHORT_ESCAPE[c] === 1) return p + 1;
  if (c !== 0x75 || p + 5 > end || bytes[p + 1] !== 0x30 || bytes[p + 2] !== 0x30) return -1;
  const high = bytes[p + 3];
  const low = bytes[p + 4]!;
  if (high === 0x30) {
    // \u0000-\u0007, \u000b, \u000e, \u000f (\b \t \n \f \r have short forms).
    return (low >= 0x30 && low <= 0x37) || low === 0x62 || low === 0x65 || low === 0x66 ? p + 5 : -1;
  }
  if (high === 0x31) return (low >= 0x30 && low <= 0x39) || (low >= 0x61 && low <= 0x66) ? p + 5 : -1;
  return -1;
}

/** Position after a well-formed multi-byte UTF-8 sequence starting at p (lead byte class `kind`), or -1. */
function utf8End(bytes: Uint8Array, p: number, end: number, kind: number): number {
  const lead = bytes[p]!;
  if (kind === LEAD2) {
    if (p + 2 > end || !isContinuation(bytes[p + 1]!)) return -1;
    return p + 2;
  }
  if (kind === LEAD3) {
    if (p + 3 > end) return -1;
    const second = bytes[p + 1]!;
    // E0 needs A0…BF (no overlong forms); ED needs 80…9F (no surrogates).
    const low = lead === 0xe0 ? 0xa0 : 0x80;
    const high = lead === 0xed ? 0x9f : 0xbf;
    if (second < low || second > high || !isContinuation(bytes[p + 2]!)) return -1;
    return p + 3;
  }
  if (kind === LEAD4) {
    if (p + 4 > end) return -1;
    const second = bytes[p + 1]!;
    // F0 needs 90…BF (no overlong forms); F4 needs 80…8F (nothing beyond U+10FFFF).
    const low = lead === 0xf0 ? 0x90 : 0x80;
    const high = lead === 0xf4 ? 0x8f : 0xbf;
    if (second < low || second > high || !isContinuation(bytes[p + 2]!) || !isContinuation(bytes[p + 3]!)) {
      return -1;
    }
    return p + 4;
  }
  return -1;
}

function isContinuation(c: number): boolean {
  return c >= 0x80 && c <= 0xbf;
}

const TRUE = [0x74, 0x72, 0x75, 0x65];
const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65];
const NULL = [0x6e, 0x75, 0x6c, 0x6c];

function literalEnd(bytes: Uint8Array, p: number, end: number, literal: readonly number[]): number {
  if (p + literal.length > end) return -1;
  for (let i = 1; i < literal.length; i++) if (bytes[p + i] !== literal[i]) return -1;
  return p + literal.length;
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 0x30 && c <= 0x39;
}

/** Position after a JSON number whose text is exactly `String(Number(text))`, or -1. */
function numberEnd(bytes: Uint8Array, start: number, end: number): number {
  let p = start;
  if (bytes[p] === 0x2d) p++;
  const intStart = p;
  while (p < end && isDigit(bytes[p])) p++;
  if (p === intStart) return -1;
  if (bytes[intStart] === 0x30 && p - intStart > 1) return -1;
  let e = p < end ? bytes[p] : undefined;
  if (e !== 0x2e && e !== 0x65 && e !== 0x45 && p - intStart <= 15) {
    // A plain integer of at most 15 digits without a leading zero is in shortest form, except -0.
    if (bytes[start] === 0x2d && bytes[intStart] === 0x30) return -1;
    return p;
  }
  if (e === 0x2e) {
    p++;
    const fracStart = p;
    while (p < end && isDigit(bytes[p])) p++;
    if (p === fracStart) return -1;
    e = p < end ? bytes[p] : undefined;
  }
  if (e === 0x65 || e === 0x45) {
    p++;
    const sign = p < end ? bytes[p] : undefined;
    if (sign === 0x2b || sign === 0x2d) p++;
    const expStart = p;
    while (p < end && isDigit(bytes[p])) p++;
    if (p === expStart) return -1;
  }
  let literal = '';
  for (let i = start; i < p; i++) literal += String.fromCharCode(bytes[i]!);
  return String(Number(literal)) === literal ? p : -1;
}
