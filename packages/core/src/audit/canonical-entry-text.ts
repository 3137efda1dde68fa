import { hash } from 'node:crypto';

/**
 * Fast path of audit verification over stored text (a stored `body`, an exported NDJSON line).
 *
 * Why this is equivalent to `hashEntry(JSON.parse(text))` — and therefore as sound — and not a new
 * trust assumption (see also docs/adr, "Audit verification from stored canonical text"):
 *
 * 1. {@link scanCanonicalEntry} accepts a text only if it is exactly `canonicalJson(JSON.parse(text))`:
 *    it checks the full JSON grammar and, on top of it, every RFC 8785 rule the serializer applies —
 *    no whitespace, object members in strictly ascending UTF-16 order (so no duplicate names), strings
 *    escaped exactly as `JSON.stringify` escapes them, numbers in ECMAScript shortest form. Whatever
 *    it is not sure about (escapes in member names, `\u` escapes of surrogates, deep nesting) it
 *    declines. It never trusts the text to be canonical: it proves it, or declines.
 * 2. For a canonical object text, JCS(object without its `hash` member) is the same text with the
 *    `"hash":…` member (and one adjacent comma) cut out: members are serialized independently in
 *    sorted order, and removing one keeps the others' order.
 * 3. So hashing `0x00 ‖ UTF-8(text minus the hash member)` yields exactly `hashEntry(JSON.parse(text))`,
 *    bit for bit, for every text the scanner accepts; every other text (and every entry that fails any
 *    check) goes through the original parse → canonicalize → hash path, which reports the problem.
 *    Problem codes, messages and `firstBadSeq` are therefore unchanged, non-canonical exports (e.g.
 *    re-indented by a tool) still verify as before, and an ambiguous text (duplicate member names,
 *    which different JSON parsers resolve differently) never takes the fast path.
 */

const MAX_FAST_DEPTH = 64;

const QUOTE = 0x22;

/** Top-level facts of a canonical entry text, and its entry hash recomputed from the text. */
export interface CanonicalEntryScan {
  seq: number;
  prevHash: string;
  /** The stored `hash` member (a 64-character string, not checked further: compare it with `computed`). */
  hash: string;
  /** Lowercase hex SHA-256(0x00 ‖ UTF-8(text without its `hash` member)): `hashEntry` of the entry. */
  computed: string;
}

// Reused scratch buffer for the hashed bytes; entries larger than it take the slow path.
const scratch = Buffer.allocUnsafe(64 * 1024);

class Scanner {
  text = '';
  pos = 0;
}

const scanner = new Scanner();

/**
 * Scans a stored entry text; returns its `seq`, `prevHash`, `hash` and the recomputed entry hash when
 * the text is provably the canonical JSON of an object with a numeric `seq`, a string `prevHash` and a
 * well-formed `hash`, and `undefined` otherwise (the caller then parses and canonicalizes as usual).
 *
 * @example
 * const scan = scanCanonicalEntry(row.body);
 * if (scan && scan.computed === scan.hash) { ... } // else: verifier.push(JSON.parse(row.body))
 */
export function scanCanonicalEntry(text: string): CanonicalEntryScan | undefined {
  const s = scanner;
  s.text = text;
  s.pos = 0;
  if (text.charCodeAt(0) !== 0x7b) return undefined;
  let seq: number | undefined;
  let prevHash: string | undefined;
  let hashValue: string | undefined;
  // The hash member: [cutStart, cutEnd) in UTF-16 code units.
  let cutStart = -1;
  let cutEnd = -1;
  s.pos = 1;
  if (text.charCodeAt(1) === 0x7d) return undefined;
  let prevKeyStart = -1;
  let prevKeyEnd = -1;
  for (;;) {
    const memberStart = s.pos;
    if (text.charCodeAt(s.pos) !== QUOTE) return undefined;
    const keyStart = s.pos + 1;
    if (!scanKey(s)) return undefined;
    const keyEnd = s.pos - 1;
    if (prevKeyStart >= 0 && !rangeLess(text, prevKeyStart, prevKeyEnd, keyStart, keyEnd)) return undefined;
    prevKeyStart = keyStart;
    prevKeyEnd = keyEnd;
    if (text.charCodeAt(s.pos) !== 0x3a) return undefined;
    s.pos++;
    const valueStart = s.pos;
    if (!scanValue(s, 1)) return undefined;
    const valueEnd = s.pos;
    const keyLength = keyEnd - keyStart;
    if (keyLength === 3 && text.startsWith('seq', keyStart)) {
      if (text.charCodeAt(valueStart) === QUOTE) return undefined;
      seq = Number(text.slice(valueStart, valueEnd));
    } else if (keyLength === 8 && text.startsWith('prevHash', keyStart)) {
      if (text.charCodeAt(valueStart) !== QUOTE) return undefined;
      prevHash = text.slice(valueStart + 1, valueEnd - 1);
    } else if (keyLength === 4 && text.startsWith('hash', keyStart)) {
      if (valueEnd - valueStart !== 66 || text.charCodeAt(valueStart) !== QUOTE) return undefined;
      // Not checked to be hex here: a hash that is not lowercase hex never equals `computed`.
      hashValue = text.slice(valueStart + 1, valueEnd - 1);
      cutStart = memberStart;
      cutEnd = valueEnd;
    }
    const next = text.charCodeAt(s.pos);
    if (next === 0x2c) {
      s.pos++;
      continue;
    }
    if (next !== 0x7d) return undefined;
    s.pos++;
    break;
  }
  if (s.pos !== text.length || seq === undefined || prevHash === undefined || hashValue === undefined) {
    return undefined;
  }
  // At most 3 UTF-8 bytes per UTF-16 code unit, so the writes below cannot be truncated.
  if (text.length * 3 + 1 > scratch.length) return undefined;
  // Cut `"hash":"…"` and one adjacent comma: the preceding one, or the following one when first.
  if (text.charCodeAt(cutStart - 1) === 0x2c) cutStart -= 1;
  else if (text.charCodeAt(cutEnd) === 0x2c) cutEnd += 1;
  scratch[0] = 0x00;
  let length: number;
  const written = scratch.write(text, 1, 'utf8');
  if (written === text.length) {
    // ASCII only: byte offsets are code unit offsets.
    scratch.copy(scratch, 1 + cutStart, 1 + cutEnd, 1 + written);
    length = 1 + written - (cutEnd - cutStart);
  } else {
    const head = scratch.write(text.slice(0, cutStart), 1, 'utf8');
    length = 1 + head + scratch.write(text.slice(cutEnd), 1 + head, 'utf8');
  }
  const computed = hash('sha256', scratch.subarray(0, length), 'hex');
  return { seq, prevHash, hash: hashValue, computed };
}

/** text[a0, a1) < text[b0, b1) by UTF-16 code units (what JCS member sorting compares). */
function rangeLess(text: string, a0: number, a1: number, b0: number, b1: number): boolean {
  const n = Math.min(a1 - a0, b1 - b0);
  for (let i = 0; i < n; i++) {
    const a = text.charCodeAt(a0 + i);
    const b = text.charCodeAt(b0 + i);
    if (a !== b) return a < b;
  }
  return a1 - a0 < b1 - b0;
}

// A member name without escapes (a name with one is left to the slow path).
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON forbids raw control characters in strings
const KEY_BODY = /(?:[^"\\\x00-\x1f\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*"/y;

/** A member name without escapes; pos at its opening quote. */
function scanKey(s: Scanner): boolean {
  KEY_BODY.lastIndex = s.pos + 1;
  if (!KEY_BODY.test(s.text)) return false;
  s.pos = KEY_BODY.lastIndex;
  return true;
}

function scanValue(s: Scanner, depth: number): boolean {
  const text = s.text;
  const c = text.charCodeAt(s.pos);
  if (c === QUOTE) return scanString(s);
  if (c === 0x7b) return scanObject(s, depth + 1);
  if (c === 0x5b) return scanArray(s, depth + 1);
  if (c === 0x74) return scanLiteral(s, 'true');
  if (c === 0x66) return scanLiteral(s, 'false');
  if (c === 0x6e) return scanLiteral(s, 'null');
  if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return scanNumber(s);
  return false;
}

function scanLiteral(s: Scanner, literal: string): boolean {
  if (!s.text.startsWith(literal, s.pos)) return false;
  s.pos += literal.length;
  return true;
}

/** A JSON number whose text is exactly `String(Number(text))` (ECMAScript shortest form). */
function scanNumber(s: Scanner): boolean {
  const text = s.text;
  const start = s.pos;
  let pos = start;
  if (text.charCodeAt(pos) === 0x2d) pos++;
  const intStart = pos;
  while (isDigit(text.charCodeAt(pos))) pos++;
  if (pos === intStart) return false;
  if (text.charCodeAt(intStart) === 0x30 && pos - intStart > 1) return false;
  let e = text.charCodeAt(pos);
  if (e !== 0x2e && e !== 0x65 && e !== 0x45 && pos - intStart <= 15) {
    // A plain integer of at most 15 digits without a leading zero is in shortest form, except -0.
    if (text.charCodeAt(start) === 0x2d && text.charCodeAt(intStart) === 0x30) return false;
    s.pos = pos;
    return true;
  }
  if (e === 0x2e) {
    pos++;
    const fracStart = pos;
    while (isDigit(text.charCodeAt(pos))) pos++;
    if (pos === fracStart) return false;
    e = text.charCodeAt(pos);
  }
  if (e === 0x65 || e === 0x45) {
    pos++;
    const sign = text.charCodeAt(pos);
    if (sign === 0x2b || sign === 0x2d) pos++;
    const expStart = pos;
    while (isDigit(text.charCodeAt(pos))) pos++;
    if (pos === expStart) return false;
  }
  const literal = text.slice(start, pos);
  if (String(Number(literal)) !== literal) return false;
  s.pos = pos;
  return true;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

// The body of a string literal as `JSON.stringify` writes it: raw characters except `"`, `\`, control
// characters and lone surrogates; the short escapes; `\u00xx` for the other control characters.
// Surrogate escapes (`\udxxx`) are left to the slow path.
const STRING_BODY =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: JSON forbids raw control characters in strings
  /(?:[^"\\\x00-\x1f\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff]|\\["\\bfnrt]|\\u00(?:0[0-7bef]|1[0-9a-f]))*"/y;

/** A string literal escaped exactly as `JSON.stringify` escapes it; pos at its opening quote. */
function scanString(s: Scanner): boolean {
  STRING_BODY.lastIndex = s.pos + 1;
  if (!STRING_BODY.test(s.text)) return false;
  s.pos = STRING_BODY.lastIndex;
  return true;
}

function scanObject(s: Scanner, depth: number): boolean {
  if (depth > MAX_FAST_DEPTH) return false;
  const text = s.text;
  s.pos++;
  if (text.charCodeAt(s.pos) === 0x7d) {
    s.pos++;
    return true;
  }
  let prevStart = -1;
  let prevEnd = -1;
  for (;;) {
    if (text.charCodeAt(s.pos) !== QUOTE) return false;
    const keyStart = s.pos + 1;
    if (!scanKey(s)) return false;
    const keyEnd = s.pos - 1;
    if (prevStart >= 0 && !rangeLess(text, prevStart, prevEnd, keyStart, keyEnd)) return false;
    prevStart = keyStart;
    prevEnd = keyEnd;
    if (text.charCodeAt(s.pos) !== 0x3a) return false;
    s.pos++;
    if (!scanValue(s, depth)) return false;
    const next = text.charCodeAt(s.pos);
    s.pos++;
    if (next === 0x7d) return true;
    if (next !== 0x2c) return false;
  }
}

function scanArray(s: Scanner, depth: number): boolean {
  if (depth > MAX_FAST_DEPTH) return false;
  const text = s.text;
  s.pos++;
  if (text.charCodeAt(s.pos) === 0x5d) {
    s.pos++;
    return true;
  }
  for (;;) {
    if (!scanValue(s, depth)) return false;
    const next = text.charCodeAt(s.pos);
    s.pos++;
    if (next === 0x5d) return true;
    if (next !== 0x2c) return false;
  }
}
