import type { ClauseOperator } from '../flags/flag.types';
import { keyProblem } from '../keys/key';
import { regexProblem } from './regex';

/**
 * How clause values and attribute values are read for each operator. Validation and the evaluator
 * share these functions, so a value the validator accepts is exactly a value the evaluator can use.
 */

const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-](\d{2}):(\d{2})))?$/;

/** The official SemVer 2.0.0 grammar (semver.org), without node-semver's leniencies (`v`, spaces). */
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Reads a date operand: epoch milliseconds (a finite number) or an ISO-8601 string, either a date
 * (`2025-06-01`, midnight UTC) or a date-time with a mandatory offset (`2025-06-01T12:00:00Z`,
 * `…+02:00`; seconds and fractions optional). Returns epoch ms, or undefined when not a date.
 *
 * @example
 * parseDateOperand('2025-01-01T00:00:00Z'); // 1735689600000
 * parseDateOperand('2025-01-01T00:00:00');  // undefined (no offset: ambiguous)
 */
export function parseDateOperand(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value.length > 40) return undefined;
  const m = ISO_DATE.exec(value);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((part) =>
    Number(part ?? 0),
  ) as [number, number, number, number, number, number];
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const maxDay = month === 2 && !leap ? 28 : (DAYS_IN_MONTH[month - 1] ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > maxDay || hour > 23 || minute > 59 || second > 59)
    return undefined;
  const millis = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  let offset = 0;
  if (m[8] !== undefined && m[8] !== 'Z') {
    const offsetHours = Number(m[9]);
    const offsetMinutes = Number(m[10]);
    if (offsetHours > 23 || offsetMinutes > 59) return undefined;
    offset = (m[8].startsWith('-') ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  }
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, second, millis);
  return utc.getTime() - offset;
}

/**
 * A version in the SemVer 2.0.0 grammar, split for precedence comparison. Numbers stay strings
 * (the grammar forbids leading zeros, so longer means larger) to compare versions of any size.
 *
 * @example
 * const v: SemverOperand = { major: '1', minor: '2', patch: '3', prerelease: ['rc', '1'], version: '1.2.3-rc.1' };
 */
export interface SemverOperand {
  readonly major: string;
  readonly minor: string;
  readonly patch: string;
  readonly prerelease: readonly string[];
  /** The version without build metadata, which takes no part in precedence. */
  readonly version: string;
}

/**
 * Reads a semantic version operand: a string in the exact SemVer 2.0.0 grammar (no leading `v`).
 *
 * @example
 * parseSemverOperand('1.2.3-beta.1+b7')?.version; // '1.2.3-beta.1'
 * parseSemverOperand('v1.2');                     // undefined
 */
export function parseSemverOperand(value: unknown): SemverOperand | undefined {
  if (typeof value !== 'string' || value.length > 256) return undefined;
  const cached = semverMemo.get(value);
  if (cached !== undefined) return cached ?? undefined;
  const parsed = parseSemver(value);
  if (semverMemo.size >= SEMVER_MEMO_SIZE) semverMemo.clear();
  semverMemo.set(value, parsed ?? null);
  return parsed;
}

/**
 * Versions are low-cardinality attributes (app versions), and parsing is most of a semVer clause's
 * cost, so parses are memoized; results are frozen, which makes sharing them safe.
 */
const semverMemo = new Map<string, SemverOperand | null>();
const SEMVER_MEMO_SIZE = 1024;

function parseSemver(value: string): SemverOperand | undefined {
  const m = SEMVER.exec(value);
  if (m === null) return undefined;
  const [, major = '', minor = '', patch = '', pre] = m;
  const version = pre === undefined ? `${major}.${minor}.${patch}` : `${major}.${minor}.${patch}-${pre}`;
  const prerelease = Object.freeze(pre === undefined ? [] : pre.split('.'));
  return Object.freeze({ major, minor, patch, prerelease, version });
}

const NUMERIC = /^\d+$/;

function compareNumeric(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareIdentifier(a: string, b: string): number {
  const aNumeric = NUMERIC.test(a);
  const bNumeric = NUMERIC.test(b);
  if (aNumeric && bNumeric) return compareNumeric(a, b);
  if (aNumeric !== bNumeric) return aNumeric ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * SemVer 2.0.0 precedence (§11) of two versions: -1, 0 or 1. Build metadata is ignored.
 *
 * @example
 * compareSemverOperands(parseSemverOperand('1.0.0-rc.1')!, parseSemverOperand('1.0.0')!); // -1
 */
export function compareSemverOperands(a: SemverOperand, b: SemverOperand): number {
  const core =
    compareNumeric(a.major, b.major) || compareNumeric(a.minor, b.minor) || compareNumeric(a.patch, b.patch);
  if (core !== 0) return core;
  const [pa, pb] = [a.prerelease, b.prerelease];
  if (pa.length === 0 || pb.length === 0) return pa.length === pb.length ? 0 : pa.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const order = compareIdentifier(pa[i] as string, pb[i] as string);
    if (order !== 0) return order;
  }
  return pa.length === pb.length ? 0 : pa.length < pb.length ? -1 : 1;
}

/**
 * Why `value` cannot be a clause value of `op`, or undefined when it can. Segment keys are only
 * checked for their grammar here; whether the segment exists is the caller's business.
 *
 * @example
 * operandProblem('lessThan', '3');      // 'must be a number for lessThan'
 * operandProblem('matches', '(a+)+$');  // 'nested quantifiers (…) are not supported'
 */
export function operandProblem(op: ClauseOperator, value: unknown): string | undefined {
  switch (op) {
    case 'in':
    case 'notIn':
      if (typeof value === 'string' || typeof value === 'boolean') return undefined;
      if (typeof value === 'number') return Number.isFinite(value) ? undefined : 'must be a finite number';
      return `must be a string, number or boolean for ${op}`;
    case 'startsWith':
    case 'endsWith':
    case 'contains':
      return typeof value === 'string' ? undefined : `must be a string for ${op}`;
    case 'matches':
      return typeof value === 'string' ? regexProblem(value) : 'must be a regular expression string';
    case 'lessThan':
    case 'lessThanOrEqual':
    case 'greaterThan':
    case 'greaterThanOrEqual':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : `must be a number for ${op}`;
    case 'before':
    case 'after':
      return parseDateOperand(value) === undefined
        ? `must be epoch milliseconds or an ISO-8601 date or date-time with offset for ${op}`
        : undefined;
    case 'semVerEqual':
    case 'semVerLessThan':
    case 'semVerGreaterThan':
      return parseSemverOperand(value) === undefined
        ? `must be a semantic version (e.g. 1.2.3) for ${op}`
        : undefined;
    case 'segmentMatch':
      return typeof value === 'string' ? keyProblem(value) : 'must be a segment key';
  }
}
