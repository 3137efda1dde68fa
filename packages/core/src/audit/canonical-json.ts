import { hash } from 'node:crypto';
import { FlagwardError } from '../errors/flagward-error';

// Deeper than any audit entry can legitimately be; also turns a cyclic object into a clean error
// instead of a stack overflow.
const MAX_DEPTH = 256;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const HEX_DIGITS = '0123456789abcdef';
// JSON.stringify's two-character escapes, indexed by code unit; other control characters use \u00xx.
const SHORT_ESCAPES: Record<number, number> = { 8: 0x62, 9: 0x74, 10: 0x6e, 12: 0x66, 13: 0x72 };

/**
 * RFC 8785 (JCS) canonical JSON text of a JSON value.
 *
 * Output is byte-for-byte what RFC 8785 prescribes: ECMAScript number serialization, the
 * `JSON.stringify` string escapes, object members sorted by UTF-16 code units, no whitespace. Like
 * `JSON.stringify` and the `canonicalize` package, members whose value is `undefined` are omitted,
 * `undefined` array elements become `null`, `toJSON()` is honoured and lone surrogates are written as
 * `\udxxx` escapes. Unlike them, values with no JSON meaning (`NaN`, `±Infinity`, bigint, functions,
 * symbols, a top-level `undefined`) and nesting deeper than 256 levels throw `validation-failed`
 * naming the offending path.
 *
 * @example
 * canonicalJson({ b: [1e21, 0.5], a: 'é' }); // '{"a":"é","b":[1e+21,0.5]}'
 */
export function canonicalJson(value: unknown): string {
  const writer = acquireWriter();
  try {
    writeValue(writer, value, 0);
    return writer.buf.toString('utf8', 0, writer.pos);
  } catch (error) {
    throw asValidationError(error);
  } finally {
    releaseWriter(writer);
  }
}

/**
 * Lowercase hex SHA-256 of `prefixByte ‖ UTF-8(JCS(object without its top-level omittedKey member))`,
 * computed without copying the object or building an intermediate string: the canonical bytes are
 * written straight into a reused buffer, which is what makes audit verification fast.
 *
 * @example
 * sha256OfCanonicalJson({ seq: 1, hash: 'ab' }, 'hash', 0x00); // SHA-256 of 0x00 ‖ '{"seq":1}'
 */
export function sha256OfCanonicalJson(value: object, omittedKey: string, prefixByte: number): string {
  const writer = acquireWriter();
  try {
    writePrefixedObject(writer, value, omittedKey, prefixByte);
    return hash('sha256', writer.buf.subarray(0, writer.pos), 'hex');
  } catch (error) {
    throw asValidationError(error);
  } finally {
    releaseWriter(writer);
  }
}

/**
 * `sha256OfCanonicalJson` and, from the same serialization, the canonical text of the object with
 * `omittedKey` set to that digest (hex): what an audit entry's hash covers and what is stored, in one
 * pass instead of two.
 *
 * @example
 * const { digest, text } = sha256WithCanonicalJson({ seq: 1, a: true }, 'hash', 0x00);
 * text === canonicalJson({ seq: 1, a: true, hash: digest }); // true
 */
export function sha256WithCanonicalJson(
  value: object,
  omittedKey: string,
  prefixByte: number,
): { digest: string; text: string } {
  const writer = acquireWriter();
  try {
    const at = writePrefixedObject(writer, value, omittedKey, prefixByte);
    const { buf, pos } = writer;
    const digest = hash('sha256', buf.subarray(0, pos), 'hex');
    const member = `${JSON.stringify(omittedKey)}:"${digest}"`;
    // At `at` a member ends (then the omitted one follows it) or the object opens.
    const joined = buf[at - 1] !== 0x7b ? `,${member}` : buf[at] === 0x7d ? member : `${member},`;
    return { digest, text: buf.toString('utf8', 1, at) + joined + buf.toString('utf8', at, pos) };
  } catch (error) {
    throw asValidationError(error);
  } finally {
    releaseWriter(writer);
  }
}

interface Writer {
  buf: Buffer;
  pos: number;
}

/**
 * Writes `prefixByte` and the canonical object without `omittedKey`; returns where the omitted member
 * would be written.
 */
function writePrefixedObject(writer: Writer, value: object, omittedKey: string, prefixByte: number): number {
  writer.buf[0] = prefixByte;
  writer.pos = 1;
  const plain = value === null || typeof value !== 'object' ? value : toJsonValue(value);
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) {
    throw new NotJson('expected a JSON object');
  }
  return writeObject(writer, plain as Record<string, unknown>, 1, omittedKey);
}

// One writer is reused across calls; a re-entrant call (a toJSON that hashes) gets a fresh one.
let idleWriter: Writer | undefined = { buf: Buffer.allocUnsafe(16 * 1024), pos: 0 };

function acquireWriter(): Writer {
  const writer = idleWriter ?? { buf: Buffer.allocUnsafe(16 * 1024), pos: 0 };
  idleWriter = undefined;
  writer.pos = 0;
  return writer;
}

function releaseWriter(writer: Writer): void {
  // A huge entry must not pin a huge buffer for the life of the process.
  if (writer.buf.length <= 1024 * 1024) idleWriter = writer;
}

function reserve(writer: Writer, bytes: number): void {
  if (writer.pos + bytes <= writer.buf.length) return;
  const grown = Buffer.allocUnsafe(Math.max(writer.buf.length * 2, writer.pos + bytes));
  writer.buf.copy(grown, 0, 0, writer.pos);
  writer.buf = grown;
}

/** Thrown inside the serializer; the path is collected on the way out so the happy path builds none. */
class NotJson extends Error {
  readonly segments: string[] = [];
}

function asValidationError(error: unknown): unknown {
  if (!(error instanceof NotJson)) return error;
  const path = error.segments.join('').replace(/^\./, '');
  return FlagwardError.validation([{ path, message: error.message }]);
}

function writeValue(writer: Writer, value: unknown, depth: number): void {
  switch (typeof value) {
    case 'string':
      writeString(writer, value);
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new NotJson(`${value} is not a JSON number`);
      writeAscii(writer, String(value));
      return;
    case 'boolean':
      writeAscii(writer, value ? 'true' : 'false');
      return;
    case 'object': {
      if (value === null) {
        writeAscii(writer, 'null');
        return;
      }
      if (depth >= MAX_DEPTH) throw new NotJson(`nested deeper than ${MAX_DEPTH} levels`);
      const plain = toJsonValue(value);
      if (plain !== value) writeValue(writer, plain, depth + 1);
      else if (Array.isArray(value)) writeArray(writer, value, depth + 1);
      else writeObject(writer, value as Record<string, unknown>, depth + 1, undefined);
      return;
    }
    default:
      throw new NotJson(`a ${typeof value} has no JSON representation`);
  }
}

function writeArray(writer: Writer, items: readonly unknown[], depth: number): void {
  writeByte(writer, 0x5b);
  for (let i = 0; i < items.length; i++) {
    if (i > 0) writeByte(writer, 0x2c);
    const item = items[i];
    try {
      if (item === undefined) writeAscii(writer, 'null');
      else writeValue(writer, item, depth);
    } catch (error) {
      if (error instanceof NotJson) error.segments.unshift(`[${i}]`);
      throw error;
    }
  }
  writeByte(writer, 0x5d);
}

function writeObject(
  writer: Writer,
  object: Record<string, unknown>,
  depth: number,
  omittedKey: string | undefined,
): number {
  const keys = sortKeys(Object.keys(object));
  writeByte(writer, 0x7b);
  let first = true;
  // Where the omitted member would be written: before the first member that sorts after it.
  let omittedAt = -1;
  for (const key of keys) {
    if (key === omittedKey) continue;
    const member = object[key];
    if (member === undefined) continue;
    if (omittedAt < 0 && omittedKey !== undefined && key > omittedKey) omittedAt = writer.pos;
    if (first) first = false;
    else writeByte(writer, 0x2c);
    writeString(writer, key);
    writeByte(writer, 0x3a);
    try {
      writeValue(writer, member, depth);
    } catch (error) {
      if (error instanceof NotJson) error.segments.unshift(`.${key}`);
      throw error;
    }
  }
  if (omittedAt < 0) omittedAt = writer.pos;
  writeByte(writer, 0x7d);
  return omittedAt;
}

/**
 * Sorts member names by UTF-16 code units (what `<` compares). Objects are small and usually already
 * in canonical order (stored entries), where insertion sort is a single pass and much cheaper than
 * `Array.prototype.sort`.
 */
function sortKeys(keys: string[]): string[] {
  if (keys.length > 64) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    let j = i - 1;
    if (keys[j]! <= key) continue;
    while (j >= 0 && keys[j]! > key) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}

function toJsonValue(value: object): unknown {
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  return typeof toJSON === 'function' ? toJSON.call(value) : value;
}

function writeByte(writer: Writer, byte: number): void {
  reserve(writer, 1);
  writer.buf[writer.pos++] = byte;
}

function writeAscii(writer: Writer, text: string): void {
  reserve(writer, text.length);
  const buf = writer.buf;
  let pos = writer.pos;
  for (let i = 0; i < text.length; i++) buf[pos++] = text.charCodeAt(i);
  writer.pos = pos;
}

/** A JSON string literal exactly as `JSON.stringify` writes it, encoded as UTF-8. */
function writeString(writer: Writer, text: string): void {
  // Worst case per UTF-16 code unit: a six-byte \u00xx or \udxxx escape.
  reserve(writer, text.length * 6 + 2);
  const buf = writer.buf;
  let pos = writer.pos;
  buf[pos++] = QUOTE;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      if (c >= 0x20 && c !== QUOTE && c !== BACKSLASH) {
        buf[pos++] = c;
      } else if (c === QUOTE || c === BACKSLASH) {
        buf[pos++] = BACKSLASH;
        buf[pos++] = c;
      } else {
        pos = writeControlEscape(buf, pos, c);
      }
    } else if (c < 0x800) {
      buf[pos++] = 0xc0 | (c >> 6);
      buf[pos++] = 0x80 | (c & 0x3f);
    } else if (c < 0xd800 || c > 0xdfff) {
      buf[pos++] = 0xe0 | (c >> 12);
      buf[pos++] = 0x80 | ((c >> 6) & 0x3f);
      buf[pos++] = 0x80 | (c & 0x3f);
    } else {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        const codePoint = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        buf[pos++] = 0xf0 | (codePoint >> 18);
        buf[pos++] = 0x80 | ((codePoint >> 12) & 0x3f);
        buf[pos++] = 0x80 | ((codePoint >> 6) & 0x3f);
        buf[pos++] = 0x80 | (codePoint & 0x3f);
        i++;
      } else {
        pos = writeUnicodeEscape(buf, pos, c);
      }
    }
  }
  buf[pos++] = QUOTE;
  writer.pos = pos;
}

function writeControlEscape(buf: Buffer, pos: number, c: number): number {
  const short = SHORT_ESCAPES[c];
  if (short === undefined) return writeUnicodeEscape(buf, pos, c);
  buf[pos] = BACKSLASH;
  buf[pos + 1] = short;
  return pos + 2;
}

function writeUnicodeEscape(buf: Buffer, pos: number, c: number): number {
  buf[pos] = BACKSLASH;
  buf[pos + 1] = 0x75; // u
  for (let shift = 12, at = pos + 2; shift >= 0; shift -= 4, at++) {
    buf[at] = HEX_DIGITS.charCodeAt((c >> shift) & 0xf);
  }
  return pos + 6;
}
