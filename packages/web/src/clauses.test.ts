import { describe, expect, it } from 'vitest';
import { formatClauseValues, parseClauseValues, parseKeyList, valuesHint } from './clauses';

describe('clause values', () => {
  it('splits values by comma, typed by operator', () => {
    expect(parseClauseValues('in', 'beta, gamma ,, delta')).toEqual(['beta', 'gamma', 'delta']);
    expect(parseClauseValues('greaterThan', '18, 2.5, x')).toEqual([18, 2.5, 'x']);
    expect(parseClauseValues('before', '2030-01-01T00:00:00Z, 1700000000000')).toEqual([
      '2030-01-01T00:00:00Z',
      1700000000000,
    ]);
    expect(parseClauseValues('semVerLessThan', '2.0.0')).toEqual(['2.0.0']);
  });

  it('keeps a regular expression whole', () => {
    expect(parseClauseValues('matches', '^[a-z]{1,3}, x$')).toEqual(['^[a-z]{1,3}, x$']);
    expect(parseClauseValues('matches', '')).toEqual([]);
    expect(formatClauseValues('matches', ['^a,b$'])).toBe('^a,b$');
    expect(formatClauseValues('in', ['a', 1, true])).toBe('a, 1, true');
    expect(valuesHint('matches')).toBe('one regular expression');
  });

  it('reads context keys one per line or comma-separated, without duplicates', () => {
    expect(parseKeyList('alice\nbob, carol\n\nalice')).toEqual(['alice', 'bob', 'carol']);
  });
});
