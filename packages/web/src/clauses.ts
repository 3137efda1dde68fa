import type { ClauseOperator, ClauseValue } from '@flagward/core';

const NUMERIC: readonly ClauseOperator[] = [
  'lessThan',
  'lessThanOrEqual',
  'greaterThan',
  'greaterThanOrEqual',
];
const DATES: readonly ClauseOperator[] = ['before', 'after'];

/** What a clause's values mean for an operator, as a hint under the input. */
export function valuesHint(op: ClauseOperator): string {
  if (op === 'matches') return 'one regular expression';
  if (NUMERIC.includes(op)) return 'numbers, separated by commas';
  if (DATES.includes(op)) return 'ISO dates or epoch milliseconds, separated by commas';
  if (op.startsWith('semVer')) return 'versions such as 2.1.0, separated by commas';
  if (op === 'segmentMatch') return 'segment keys, separated by commas';
  return 'values, separated by commas';
}

/**
 * The values typed for a clause: a `matches` clause takes the whole text as one regular expression;
 * otherwise values are comma-separated, numbers for the numeric operators and epoch milliseconds for
 * dates when they are numeric, strings otherwise (the server reports values that do not fit).
 */
export function parseClauseValues(op: ClauseOperator, text: string): ClauseValue[] {
  if (op === 'matches') return text === '' ? [] : [text];
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (NUMERIC.includes(op) || DATES.includes(op)) {
    return parts.map((p) => (/^-?\d+(\.\d+)?$/.test(p) ? Number(p) : p));
  }
  return parts;
}

/** The inverse of parseClauseValues, for the input's initial text. */
export function formatClauseValues(op: ClauseOperator, values: readonly ClauseValue[]): string {
  return op === 'matches' ? values.map(String).join('') : values.map(String).join(', ');
}

/** Splits a list of context keys typed one per line or separated by commas. */
export function parseKeyList(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\n,]/)
        .map((k) => k.trim())
        .filter((k) => k !== ''),
    ),
  ];
}
