import fc from 'fast-check';
import { compare as semverCompare } from 'semver';
import { describe, expect, it } from 'vitest';
import type { Clause, ClauseOperator, ClauseValue } from '../flags/flag.types';
import type { EvaluationContext } from './evaluation.types';
import { compareSemverOperands, parseDateOperand, parseSemverOperand } from './operands';
import { compileClause, contextKey } from './operators';

function matches(op: ClauseOperator, values: ClauseValue[], attribute: unknown, negate = false): boolean {
  const clause: Clause = { attribute: 'attr', op, values, negate };
  return compileClause(clause)({ key: 'k', attr: attribute });
}

/** [op, values, attribute value that matches, attribute value that does not] */
const table: [ClauseOperator, ClauseValue[], unknown, unknown][] = [
  ['in', ['beta', 'alpha'], 'beta', 'gamma'],
  ['in', [42, true], 42, '42'],
  ['notIn', ['beta'], 'gamma', 'beta'],
  ['startsWith', ['user-', 'svc-'], 'svc-7', 'xuser-1'],
  ['endsWith', ['@acme.com'], 'ann@acme.com', 'ann@acme.co'],
  ['contains', ['mid'], 'amidst', 'MID'],
  ['matches', ['^[a-z]+-\\d+$'], 'user-1', 'User-1'],
  ['lessThan', [10, 5], 9, 10],
  ['lessThanOrEqual', [10], 10, 10.5],
  ['greaterThan', [10, 20], 11, 10],
  ['greaterThanOrEqual', [10], 10, 9.99],
  ['before', ['2025-06-01T00:00:00Z'], '2025-05-31T23:59:59.999Z', '2025-06-01'],
  ['before', [1748736000000], 1748735999999, '2025-06-01T02:00:00+02:00'],
  ['after', ['2025-06-01'], '2025-06-01T00:00:00.001Z', 1748736000000],
  ['semVerEqual', ['1.2.3'], '1.2.3+build.7', '1.2.4'],
  ['semVerLessThan', ['2.0.0'], '2.0.0-rc.1', '2.0.0'],
  ['semVerGreaterThan', ['1.9.9'], '1.10.0', '1.9.9'],
];

describe('clause operators', () => {
  for (const [op, values, yes, no] of table) {
    it(`${op} ${JSON.stringify(values)}: ${JSON.stringify(yes)} matches, ${JSON.stringify(no)} does not`, () => {
      expect(matches(op, values, yes)).toBe(true);
      expect(matches(op, values, no)).toBe(false);
    });
    it(`${op} negated inverts a present attribute but never matches a missing one`, () => {
      expect(matches(op, values, yes, true)).toBe(false);
      expect(matches(op, values, no, true)).toBe(true);
      expect(matches(op, values, undefined, true)).toBe(false);
      expect(matches(op, values, null, true)).toBe(false);
      expect(matches(op, values, undefined)).toBe(false);
    });
    it(`${op}: an array attribute matches when any element matches`, () => {
      expect(matches(op, values, [no, yes])).toBe(op !== 'notIn');
      expect(matches(op, values, [no])).toBe(false);
    });
  }

  it('notIn on an array is exactly negated in: no element may be listed', () => {
    expect(matches('notIn', ['banned'], ['staff', 'banned'])).toBe(false);
    expect(matches('notIn', ['banned'], ['staff', 'beta'])).toBe(true);
    expect(matches('notIn', ['banned'], [])).toBe(true);
    expect(matches('in', ['banned'], [])).toBe(false);
    expect(matches('notIn', ['banned'], 'banned', true)).toBe(true);
  });

  it('never coerces types', () => {
    expect(matches('in', ['42'], 42)).toBe(false);
    expect(matches('lessThan', [10], '5')).toBe(false);
    expect(matches('startsWith', ['1'], 12)).toBe(false);
    expect(matches('semVerEqual', ['1.0.0'], 'v1.0.0')).toBe(false);
    expect(matches('before', ['2025-01-01'], 'yesterday')).toBe(false);
    expect(matches('greaterThan', [0], Number.NaN)).toBe(false);
    expect(matches('in', ['x'], { x: 1 })).toBe(false);
  });

  it('refuses (never matches, negated or not) a clause with an unusable value', () => {
    for (const negate of [false, true]) {
      expect(matches('matches', ['(a+)+$'], 'aaaa', negate)).toBe(false);
      expect(matches('matches', ['(a)\\1'], 'aa', negate)).toBe(false);
      expect(matches('lessThan', ['10' as unknown as number], 5, negate)).toBe(false);
      expect(matches('in', [], 'x', negate)).toBe(false);
      expect(matches('nope' as ClauseOperator, ['x'], 'x', negate)).toBe(false);
    }
  });

  it('matches inputs of the regex length bound only', () => {
    expect(matches('matches', ['a'], 'a'.repeat(1024))).toBe(true);
    expect(matches('matches', ['a'], 'a'.repeat(1025))).toBe(false);
  });

  it('reads `key` from targetingKey when key is absent', () => {
    const clause = compileClause({ attribute: 'key', op: 'startsWith', values: ['user-'] });
    expect(clause({ targetingKey: 'user-1' })).toBe(true);
    expect(clause({ key: 'svc-1', targetingKey: 'user-1' })).toBe(false);
    expect(contextKey({ key: null, targetingKey: 'x' })).toBe('x');
  });

  it('does not read inherited properties as attributes', () => {
    for (const attribute of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const clause = compileClause({ attribute, op: 'in', values: ['x'], negate: true });
      expect(clause({ key: 'k' }), attribute).toBe(false);
    }
  });

  describe('segmentMatch', () => {
    const segments = (key: string) =>
      key === 'staff' ? (context: EvaluationContext) => context.staff === true : undefined;

    it('matches members of any listed segment, ignoring the attribute', () => {
      const clause = compileClause(
        { attribute: 'segment', op: 'segmentMatch', values: ['unknown', 'staff'] },
        segments,
      );
      expect(clause({ key: 'a', staff: true })).toBe(true);
      expect(clause({ key: 'b' })).toBe(false);
    });

    it('negated: contexts outside every listed segment (an unknown segment contains nobody)', () => {
      const clause = compileClause(
        { attribute: 'segment', op: 'segmentMatch', values: ['staff'], negate: true },
        segments,
      );
      expect(clause({ key: 'a', staff: true })).toBe(false);
      expect(clause({ key: 'b' })).toBe(true);
      const unknown = compileClause({
        attribute: 'segment',
        op: 'segmentMatch',
        values: ['ghost'],
        negate: true,
      });
      expect(unknown({ key: 'b' })).toBe(true);
    });
  });
});

describe('operands', () => {
  it('parses ISO-8601 dates, date-times with offsets and epoch milliseconds', () => {
    expect(parseDateOperand('2025-01-01')).toBe(Date.UTC(2025, 0, 1));
    expect(parseDateOperand('2025-01-01T10:20Z')).toBe(Date.UTC(2025, 0, 1, 10, 20));
    expect(parseDateOperand('2025-01-01T10:20:30.5+02:00')).toBe(Date.UTC(2025, 0, 1, 8, 20, 30, 500));
    expect(parseDateOperand('2024-02-29T00:00:00-00:30')).toBe(Date.UTC(2024, 1, 29, 0, 30));
    expect(parseDateOperand(0)).toBe(0);
    for (const bad of [
      '2025-01-01T10:20',
      '2025-02-29',
      '2025-13-01',
      '2025-01-01 10:20Z',
      'Jan 1 2025',
      Number.NaN,
      true,
    ]) {
      expect(parseDateOperand(bad), String(bad)).toBeUndefined();
    }
  });

  it('parses exactly the SemVer 2.0.0 grammar', () => {
    expect(parseSemverOperand('1.2.3-rc.1+b5')?.version).toBe('1.2.3-rc.1');
    for (const bad of ['v1.2.3', '1.2', ' 1.2.3', '01.2.3', '1.2.3-', 3]) {
      expect(parseSemverOperand(bad), String(bad)).toBeUndefined();
    }
  });
});

describe('semantic version precedence', () => {
  const identifier = fc.oneof(
    fc.constantFrom('0', '1', '2', '10', '11', '9007199254740991'),
    fc.constantFrom('alpha', 'beta', 'rc', 'a1', '1a', '-', 'x-y'),
  );
  const version = fc
    .tuple(
      fc.constantFrom('0', '1', '2', '10', '9007199254740991'),
      fc.constantFrom('0', '1', '9', '10'),
      fc.constantFrom('0', '1', '10'),
      fc.array(identifier, { maxLength: 3 }),
      fc.constantFrom('', '+build.1', '+exp.sha.5114f85'),
    )
    .map(
      ([major, minor, patch, pre, build]) =>
        `${major}.${minor}.${patch}${pre.length ? `-${pre.join('.')}` : ''}${build}`,
    );

  it('agrees with node-semver', () => {
    fc.assert(
      fc.property(version, version, (a, b) => {
        const pa = parseSemverOperand(a);
        const pb = parseSemverOperand(b);
        expect(pa, a).toBeDefined();
        expect(pb, b).toBeDefined();
        expect(compareSemverOperands(pa!, pb!)).toBe(semverCompare(a, b));
      }),
      { numRuns: 3000 },
    );
  });

  it('compares numbers of any size exactly (node-semver refuses them)', () => {
    const huge = parseSemverOperand('123456789012345678901.0.0')!;
    expect(compareSemverOperands(huge, parseSemverOperand('123456789012345678900.0.0')!)).toBe(1);
    expect(compareSemverOperands(huge, parseSemverOperand('99.0.0')!)).toBe(1);
  });

  it('orders the semver.org §11 example', () => {
    const ordered = [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
    ];
    for (let i = 1; i < ordered.length; i++) {
      expect(
        compareSemverOperands(parseSemverOperand(ordered[i - 1])!, parseSemverOperand(ordered[i])!),
      ).toBe(-1);
    }
  });
});
