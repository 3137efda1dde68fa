import { MAX_REGEX_PROGRAM_SIZE, RegexMachine, RegexTooComplex } from './regex.machine';
import { parseRegexPattern, type RegexNode } from './regex.syntax';

/**
 * The longest pattern the `matches` operator accepts, in UTF-16 code units.
 *
 * @example
 * regexProblem('a'.repeat(MAX_REGEX_PATTERN_LENGTH + 1)); // 'must be at most 256 characters'
 */
export const MAX_REGEX_PATTERN_LENGTH = 256;

/**
 * Inputs longer than this (in UTF-16 code units) never match a `matches` clause.
 *
 * @example
 * compileSafeRegex('a')?.test('a'.repeat(MAX_REGEX_INPUT_LENGTH + 1)); // false
 */
export const MAX_REGEX_INPUT_LENGTH = 1024;

/**
 * A compiled `matches` pattern.
 *
 * @example
 * const re: SafeRegex | undefined = compileSafeRegex('^beta-');
 * re?.test('beta-42'); // true
 */
export interface SafeRegex {
  readonly source: string;
  /** Whether the pattern matches somewhere in `input` (false for inputs over 1,024 code units). */
  test(input: string): boolean;
}

type Compiled = { regex: SafeRegex } | { problem: string };

function literalOf(nodes: readonly RegexNode[]): string | undefined {
  let text = '';
  for (const node of nodes) {
    if (node.type !== 'char' || node.test.kind !== 'codePoint') return undefined;
    const { codePoint } = node.test;
    // A lone surrogate must not match half of a pair, which a plain string search would allow.
    if (codePoint >= 0xd800 && codePoint <= 0xdfff) return undefined;
    text += String.fromCodePoint(codePoint);
  }
  return text;
}

/** Plain literals, optionally anchored, skip the machine: they are the most common patterns. */
function literalFastPath(source: string, node: RegexNode): SafeRegex | undefined {
  const items = node.type === 'sequence' ? node.items : [node];
  const first = items[0];
  const last = items[items.length - 1];
  const start = first?.type === 'assert' && first.kind === 'start';
  const end = items.length > (start ? 1 : 0) && last?.type === 'assert' && last.kind === 'end';
  const literal = literalOf(items.slice(start ? 1 : 0, end ? -1 : undefined));
  if (literal === undefined) return undefined;
  const bounded = (check: (input: string) => boolean): SafeRegex => ({
    source,
    test: (input) => input.length <= MAX_REGEX_INPUT_LENGTH && check(input),
  });
  if (start && end) return bounded((input) => input === literal);
  if (start) return bounded((input) => input.startsWith(literal));
  if (end) return bounded((input) => input.endsWith(literal));
  return bounded((input) => input.includes(literal));
}

function compile(pattern: string): Compiled {
  if (typeof pattern !== 'string') return { problem: 'must be a string' };
  if (pattern.length > MAX_REGEX_PATTERN_LENGTH) {
    return { problem: `must be at most ${MAX_REGEX_PATTERN_LENGTH} characters` };
  }
  try {
    new RegExp(pattern, 'u');
  } catch (error) {
    return { problem: `not a valid regular expression: ${(error as Error).message}` };
  }
  const parsed = parseRegexPattern(pattern);
  if ('problem' in parsed) return parsed;
  const fast = literalFastPath(pattern, parsed.node);
  if (fast !== undefined) return { regex: fast };
  try {
    const machine = RegexMachine.compile(parsed.node);
    return {
      regex: {
        source: pattern,
        test: (input) => input.length <= MAX_REGEX_INPUT_LENGTH && machine.test(input),
      },
    };
  } catch (error) {
    if (error instanceof RegexTooComplex) {
      return { problem: `too complex: expands to more than ${MAX_REGEX_PROGRAM_SIZE} instructions` };
    }
    throw error;
  }
}

/**
 * Why a pattern is not accepted by the `matches` operator (too long, invalid, backreference,
 * lookaround, nested quantifier, too complex), or undefined when it is accepted.
 *
 * @example
 * regexProblem('^[a-z]+@acme\\.com$'); // undefined
 * regexProblem('(a+)+$');              // 'nested quantifiers (…) are not supported'
 */
export function regexProblem(pattern: string): string | undefined {
  const compiled = compile(pattern);
  return 'problem' in compiled ? compiled.problem : undefined;
}

/**
 * Compiles a `matches` pattern to a linear-time matcher, or returns undefined for a pattern outside
 * the dialect (the evaluator then treats the value as never matching; it never throws).
 *
 * @example
 * compileSafeRegex('^user-\\d+$')?.test('user-42'); // true
 * compileSafeRegex('(a)\\1');                        // undefined
 */
export function compileSafeRegex(pattern: string): SafeRegex | undefined {
  const compiled = compile(pattern);
  return 'regex' in compiled ? compiled.regex : undefined;
}
