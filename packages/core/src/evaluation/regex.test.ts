import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileSafeRegex, MAX_REGEX_INPUT_LENGTH, MAX_REGEX_PATTERN_LENGTH, regexProblem } from './regex';

function nativeTest(pattern: string, input: string): boolean {
  return new RegExp(pattern, 'u').test(input);
}

describe('matches dialect: accepted patterns', () => {
  const cases: [string, string[]][] = [
    ['^[a-z]+@acme\\.com$', ['bob@acme.com', 'Bob@acme.com', 'x@acme.comm', '@acme.com']],
    ['beta', ['the beta group', 'alpha']],
    ['^beta', ['beta-1', 'a beta']],
    ['\\.org$', ['x.org', 'x.org.uk']],
    ['^exact$', ['exact', 'exactly']],
    ['a|b', ['c', 'xb', '']],
    ['\\bfoo\\b', ['a foo b', 'afoo', 'foo', 'foo_']],
    ['\\Boo\\B', ['foob', 'oo']],
    ['^(?:ab|cd){2,3}$', ['abcd', 'ab', 'abcdabcd', 'cdcdcd']],
    ['^\\d{3}-\\d{4}$', ['555-1234', '55-1234', '٣٣٣-1234']],
    ['😀+', ['x😀😀', 'x']],
    ['^.$', ['😀', 'ab', '\n']],
    ['\\u{1F600}|\\uD83D\\uDE00', ['😀', ':)']],
    ['\\uD83D', ['😀', '\uD83D', 'a\uD83Db']],
    ['^\\uDE00$', ['😀', '\uDE00']],
    ['[^a]', ['a', 'b', '😀']],
    ['[\\]\\-x]', ['-', ']', 'y']],
    ['\\p{Script=Greek}', ['Ελληνικά', 'latin']],
    ['\\p{L}\\d', ['é1', '11']],
    ['$', ['', 'abc']],
    ['^$', ['', 'a']],
    ['', ['', 'anything']],
    ['(?<name>a)b?c*', ['a', 'zz']],
    ['\\x41\\u0042\\cJ\\t', ['AB\n\t', 'AB']],
    ['colou?r', ['color', 'colour', 'colr']],
    [
      '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$',
      ['f47ac10b-58cc-4372-a567-0e02b2c3d479', 'nope'],
    ],
    ['\\s\\S\\w\\W', [' a_!', 'abcd']],
    ['a{2,}?', ['aa', 'a']],
  ];
  for (const [pattern, inputs] of cases) {
    it(`agrees with RegExp for /${pattern}/u`, () => {
      expect(regexProblem(pattern)).toBeUndefined();
      const regex = compileSafeRegex(pattern);
      for (const input of inputs) expect(regex?.test(input), input).toBe(nativeTest(pattern, input));
    });
  }

  it('agrees with RegExp on generated patterns and inputs', () => {
    const pieces = [
      'a',
      'b',
      '.',
      '[ab]',
      '[^a]',
      '\\d',
      '1',
      '^',
      '$',
      '\\b',
      '(?:a|b)',
      'a*',
      'b+',
      'a?',
      'a{1,2}',
      '(?:ab)*',
      '(a|)',
      '😀',
      '|',
      'é',
    ];
    const pattern = fc.array(fc.constantFrom(...pieces), { maxLength: 6 }).map((p) => p.join(''));
    const input = fc
      .array(fc.constantFrom('a', 'b', '1', ' ', '😀', '\n', 'é', '_'), { maxLength: 8 })
      .map((p) => p.join(''));
    fc.assert(
      fc.property(pattern, input, (p, s) => {
        const regex = compileSafeRegex(p);
        if (regex === undefined) return; // e.g. a quantifier after `|`, refused by RegExp too
        expect(regex.test(s)).toBe(nativeTest(p, s));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('matches dialect: refused patterns', () => {
  const refused: [string, RegExp][] = [
    ['(a)\\1', /backreference/],
    ['(?<x>a)\\k<x>', /backreference/],
    ['(?=a)', /lookahead and lookbehind/],
    ['(?!a)', /lookahead and lookbehind/],
    ['(?<=a)b', /lookahead and lookbehind/],
    ['(?<!a)b', /lookahead and lookbehind/],
    ['(a+)+$', /nested quantifiers/],
    ['(?:a*)*', /nested quantifiers/],
    ['(?:x(?:a{2})b)?', /nested quantifiers/],
    ['[', /not a valid regular expression/],
    ['a{', /not a valid regular expression/],
    ['a'.repeat(MAX_REGEX_PATTERN_LENGTH + 1), /at most 256/],
    ['a{2000}', /too complex/],
  ];
  for (const [pattern, problem] of refused) {
    it(`refuses ${pattern.slice(0, 30)}`, () => {
      expect(regexProblem(pattern)).toMatch(problem);
      expect(compileSafeRegex(pattern)).toBeUndefined();
    });
  }

  it('accepts a pattern of exactly 256 characters', () => {
    expect(regexProblem('a'.repeat(MAX_REGEX_PATTERN_LENGTH))).toBeUndefined();
  });
});

describe('matches dialect: bounds', () => {
  it('never matches inputs longer than 1,024 code units', () => {
    const regex = compileSafeRegex('a');
    expect(regex?.test('a'.repeat(MAX_REGEX_INPUT_LENGTH))).toBe(true);
    expect(regex?.test('a'.repeat(MAX_REGEX_INPUT_LENGTH + 1))).toBe(false);
    expect(compileSafeRegex('^a+$')?.test('a'.repeat(MAX_REGEX_INPUT_LENGTH + 1))).toBe(false);
  });

  it('stays linear on patterns that make backtracking engines explode', () => {
    // Backtracking needs seconds to minutes for these; the machine needs milliseconds.
    const hostile: [string, string][] = [
      ['.*.*.*.*x$', 'a'.repeat(1024)],
      ['^(a|a)*$', `${'a'.repeat(1023)}!`],
      ['^(?:a|aa)*b$', 'a'.repeat(1024)],
      ['\\d*\\d*\\d*\\d*\\d*!', '1'.repeat(1024)],
    ];
    for (const [pattern, input] of hostile) {
      const regex = compileSafeRegex(pattern);
      expect(regex, pattern).toBeDefined();
      regex?.test(input); // warm up
      const started = performance.now();
      expect(regex?.test(input)).toBe(false);
      expect(performance.now() - started, pattern).toBeLessThan(100);
    }
  });
});
