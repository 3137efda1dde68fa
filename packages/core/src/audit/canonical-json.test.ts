import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json';

describe('canonicalJson', () => {
  it('matches the canonicalize package on arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(value)).toBe(canonicalize(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('matches the canonicalize package on any UTF-16 strings, keys and doubles', () => {
    const anyString = fc.string({ unit: 'binary', maxLength: 12 });
    const value = fc.letrec((tie) => ({
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
    fc.assert(
      fc.property(value, (v) => {
        expect(canonicalJson(v)).toBe(canonicalize(v));
      }),
      { numRuns: 2000 },
    );
  });

  it('produces the RFC 8785 examples', () => {
    // RFC 8785 §3.2.3 sorting example and §3.2.2.3 number examples.
    const sorting = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    expect(canonicalJson(sorting)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
    // 333333333.3333333 is how RFC 8785 writes the double parsed from 333333333.33333329.
    const numbers = [333333333.3333333, 1e30, 4.5, 0.002, 1e-27, -0, 9007199254740991, 1e21, 1e20, 5e-7];
    expect(canonicalJson(numbers)).toBe(
      '[333333333.3333333,1e+30,4.5,0.002,1e-27,0,9007199254740991,1e+21,100000000000000000000,5e-7]',
    );
    expect(canonicalJson({ s: '\u0000\u0008\t\n\u000c\r\u001f"\\/\u007f\u2028' })).toBe(
      '{"s":"\\u0000\\b\\t\\n\\f\\r\\u001f\\"\\\\/\u007f\u2028"}',
    );
  });

  it('follows JSON.stringify for undefined members and elements and toJSON', () => {
    expect(canonicalJson({ b: undefined, a: [undefined, 1] })).toBe('{"a":[null,1]}');
    expect(canonicalJson({ at: new Date(0) })).toBe('{"at":"1970-01-01T00:00:00.000Z"}');
  });

  it('rejects values with no JSON meaning, naming where they are', () => {
    const cases: [unknown, RegExp][] = [
      [{ a: { b: [1, Number.NaN] } }, /a\.b\[1\]: NaN/],
      [{ x: Number.POSITIVE_INFINITY }, /x: Infinity/],
      [{ big: 1n }, /big: a bigint/],
      [{ f: () => 1 }, /f: a function/],
      [{ s: Symbol('s') }, /s: a symbol/],
      [undefined, /undefined/],
    ];
    for (const [value, message] of cases) {
      expect(() => canonicalJson(value)).toThrow(message);
      expect(() => canonicalJson(value)).toThrow(expect.objectContaining({ code: 'validation-failed' }));
    }
  });

  it('rejects cycles and absurd nesting instead of overflowing the stack', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/nested deeper/);
  });

  it('handles strings larger than its reusable buffer', () => {
    const big = { text: 'é'.repeat(300_000), more: 'x'.repeat(100_000) };
    expect(canonicalJson(big)).toBe(canonicalize(big));
  });
});
