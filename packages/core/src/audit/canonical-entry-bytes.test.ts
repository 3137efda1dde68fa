import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asciiEquals, scanCanonicalEntryBytes } from './canonical-entry-bytes';
import { scanCanonicalEntry } from './canonical-entry-text';
import { canonicalJson } from './canonical-json';
import { hashEntry, ZERO_HASH } from './entry-hash';
import { sampleLog } from './sample-log.fixture';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** What a byte scan claims, checked against the reference: canonical UTF-8 text and hashEntry of it. */
function expectSound(bytes: Uint8Array): void {
  const scan = scanCanonicalEntryBytes(bytes);
  if (scan === undefined) return;
  const text = strictUtf8.decode(bytes);
  const entry = JSON.parse(text) as Record<string, unknown>;
  expect(canonicalJson(entry)).toBe(text);
  expect(canonicalize(entry)).toBe(text);
  expect(scan.computed).toBe(hashEntry(entry));
  expect(scan.seq).toBe(entry.seq);
  // The offsets point at the values as written (escapes included), which callers compare with hex.
  const written = (value: unknown) => JSON.stringify(value).slice(1, -1);
  expect(Buffer.from(bytes.subarray(scan.prevHashAt, scan.prevHashAt + 64)).toString()).toBe(
    written(entry.prevHash),
  );
  expect(Buffer.from(bytes.subarray(scan.hashAt, scan.hashAt + 64)).toString()).toBe(written(entry.hash));
  // The text scanner proves the same texts with the same result.
  expect(scanCanonicalEntry(text)?.computed).toBe(scan.computed);
}

const anyString = fc.string({ unit: 'binary', maxLength: 12 });
const jsonish = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    anyString,
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('node'), { maxLength: 4 }),
    fc.dictionary(anyString, tie('node'), { maxKeys: 5 }),
  ),
})).node;
const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);

/** A stored entry (hash member included) with arbitrary other members, as canonical text. */
const entryText = fc
  .record({
    rest: fc.dictionary(anyString, jsonish, { maxKeys: 6 }),
    seq: fc.integer({ min: 1, max: 2 ** 40 }),
    prevHash: hex64,
  })
  .map(({ rest, seq, prevHash }) => {
    const entry: Record<string, unknown> = { ...rest, seq, prevHash };
    delete entry.hash;
    return canonicalJson({ ...entry, hash: hashEntry(entry) });
  });

describe('scanCanonicalEntryBytes', () => {
  it('recomputes hashEntry from the UTF-8 bytes of stored entries', () => {
    for (const entry of sampleLog(12)) {
      const bytes = Buffer.from(canonicalJson(entry));
      const scan = scanCanonicalEntryBytes(bytes);
      expect(scan?.seq).toBe(entry.seq);
      expect(scan?.computed).toBe(entry.hash);
      expect(asciiEquals(bytes, scan!.hashAt, entry.hash)).toBe(true);
      expect(asciiEquals(bytes, scan!.prevHashAt, entry.prevHash)).toBe(true);
    }
  });

  it('agrees with the text scanner and hashEntry on arbitrary entries (any UTF-16, escapes, numbers)', () => {
    fc.assert(
      fc.property(entryText, (text) => {
        const bytes = Buffer.from(text);
        const byText = scanCanonicalEntry(text);
        const byBytes = scanCanonicalEntryBytes(bytes);
        // Both decline the same things (escaped names, surrogate escapes, deep nesting) and prove the rest.
        expect(byBytes?.computed).toBe(byText?.computed);
        expect(byBytes?.seq).toBe(byText?.seq);
        expectSound(bytes);
      }),
      { numRuns: 3000 },
    );
  });

  it('proves only canonical UTF-8 after any byte is replaced, inserted or removed', () => {
    const edit = fc.record({
      at: fc.nat(),
      byte: fc.integer({ min: 0, max: 255 }),
      kind: fc.constantFrom('replace', 'insert', 'remove'),
    });
    fc.assert(
      fc.property(entryText, fc.array(edit, { minLength: 1, maxLength: 3 }), (text, edits) => {
        let bytes = Buffer.from(text);
        for (const { at, byte, kind } of edits) {
          const i = at % (bytes.length + 1);
          if (kind === 'insert')
            bytes = Buffer.concat([bytes.subarray(0, i), Buffer.of(byte), bytes.subarray(i)]);
          else if (i < bytes.length && kind === 'replace') bytes[i] = byte;
          else if (i < bytes.length) bytes = Buffer.concat([bytes.subarray(0, i), bytes.subarray(i + 1)]);
        }
        expectSound(bytes);
      }),
      { numRuns: 5000 },
    );
  });

  it('proves only canonical text among re-serialized, re-ordered and re-spaced variants', () => {
    fc.assert(
      fc.property(entryText, fc.constantFrom(0, 1, 2), (text, spaces) => {
        const entry = JSON.parse(text) as Record<string, unknown>;
        const reordered = Object.fromEntries(Object.entries(entry).reverse());
        for (const variant of [
          JSON.stringify(entry, null, spaces),
          JSON.stringify(reordered, null, spaces),
        ]) {
          expectSound(Buffer.from(variant));
          if (variant !== text) expect(scanCanonicalEntryBytes(Buffer.from(variant))).toBeUndefined();
        }
      }),
      { numRuns: 1000 },
    );
  });

  describe('declines tampered or unusual bytes', () => {
    const base = { seq: 1, prevHash: ZERO_HASH, s: 'é → 😀', n: 1.5 };
    const text = canonicalJson({ ...base, hash: hashEntry(base) });
    const bytes = Buffer.from(text);
    const at = (needle: string) => bytes.indexOf(Buffer.from(needle));
    const splice = (start: number, remove: number, insert: number[]) =>
      Buffer.concat([bytes.subarray(0, start), Buffer.from(insert), bytes.subarray(start + remove)]);
    const inString = at('é');

    it('accepts the untouched entry', () => {
      expect(scanCanonicalEntryBytes(bytes)?.computed).toBe(hashEntry(base));
    });

    it.each([
      ['an overlong encoding of é', [0xe0, 0x83, 0xa9], 2],
      ['an overlong encoding of a slash', [0xc0, 0xaf], 2],
      ['an encoded surrogate', [0xed, 0xa0, 0x80], 2],
      ['a lone continuation byte', [0x80], 2],
      ['a truncated sequence', [0xc3], 2],
      ['a code point beyond U+10FFFF', [0xf4, 0x90, 0x80, 0x80], 2],
      ['a byte never used in UTF-8', [0xff], 2],
      ['a raw control character', [0x01], 2],
      ['a raw newline', [0x0a], 2],
      ['an escape JSON.stringify does not write (\\u0041)', [...Buffer.from('\\u0041')], 0],
      ['an escaped slash', [...Buffer.from('\\/')], 0],
      ['an uppercase control escape', [...Buffer.from('\\u001F')], 0],
      ['a long escape of a character with a short one', [...Buffer.from('\\u0008')], 0],
      ['a surrogate escape', [...Buffer.from('\\ud83d')], 0],
    ])('%s in a string', (_, insert, remove) => {
      expect(scanCanonicalEntryBytes(splice(inString, remove, insert))).toBeUndefined();
    });

    it.each([
      ['a leading space', ` ${text}`],
      ['a trailing newline', `${text}\n`],
      ['a space after a colon', text.replace('"n":', '"n": ')],
      ['a duplicated member', text.replace('{"hash"', '{"a":1,"a":1,"hash"')],
      ['members out of order', text.replace('"n":1.5,', '').replace('"s":', '"n":1.5,"s":')],
      ['an escaped member name', text.replace('"n":', '"\\u006e":')],
      ['a number not in shortest form', text.replace('1.5', '1.50')],
      ['an exponent not in ECMAScript form', text.replace('1.5', '15E-1')],
      ['negative zero', text.replace('1.5', '-0')],
      ['a leading zero', text.replace('1.5', '01.5')],
      ['seq as a string', text.replace('"seq":1', '"seq":"1"')],
      ['a fractional seq', text.replace('"seq":1', '"seq":1.5')],
      ['a negative seq', text.replace('"seq":1', '"seq":-1')],
      ['a seq of 16 digits', text.replace('"seq":1', '"seq":1000000000000000')],
      ['a short hash', text.replace(/"hash":"[0-9a-f]{64}"/, '"hash":"ab"')],
      ['no hash', text.replace(/"hash":"[0-9a-f]{64}",/, '')],
      ['an array', `[${text}]`],
      ['nesting beyond 64', text.replace('"n":1.5', `"n":${'['.repeat(70)}${']'.repeat(70)}`)],
    ])('%s', (_, variant) => {
      expect(scanCanonicalEntryBytes(Buffer.from(variant))).toBeUndefined();
    });

    it('sorts member names by UTF-16 code units, not by code points', () => {
      // U+1F600 is a surrogate pair (0xD83D…) and sorts before U+E000 in UTF-16, after it in UTF-8.
      const entry = { seq: 1, prevHash: ZERO_HASH, '\ue000': 1, '😀': 2 };
      const canonical = canonicalJson({ ...entry, hash: hashEntry(entry) });
      expect(canonical.indexOf('😀')).toBeLessThan(canonical.indexOf('\ue000'));
      expect(scanCanonicalEntryBytes(Buffer.from(canonical))?.computed).toBe(hashEntry(entry));
      const swapped = canonical
        .replace('"😀":2', '"X"')
        .replace('"\ue000":1', '"😀":2')
        .replace('"X"', '"\ue000":1');
      expect(scanCanonicalEntryBytes(Buffer.from(swapped))).toBeUndefined();
    });

    it('reads only the given range of a larger buffer', () => {
      const framed = Buffer.concat([Buffer.from('xx'), bytes, Buffer.from('}yy')]);
      expect(scanCanonicalEntryBytes(framed, 2, 2 + bytes.length)?.computed).toBe(hashEntry(base));
      expect(scanCanonicalEntryBytes(framed, 2, 1 + bytes.length)).toBeUndefined();
      expect(scanCanonicalEntryBytes(framed, 2, 3 + bytes.length)).toBeUndefined();
    });
  });
});

describe('asciiEquals', () => {
  it('compares bytes with the characters of a string, within bounds', () => {
    const bytes = Buffer.from('{"h":"ab"}');
    expect(asciiEquals(bytes, 6, 'ab')).toBe(true);
    expect(asciiEquals(bytes, 6, 'ac')).toBe(false);
    expect(asciiEquals(bytes, 9, 'ab')).toBe(false);
    expect(asciiEquals(bytes, -1, '{')).toBe(false);
  });
});
