import { type Clause, type ClauseOperator, clauseOperators } from '../flags/flag.types';
import type { EvaluationContext } from './evaluation.types';
import { compareSemverOperands, operandProblem, parseDateOperand, parseSemverOperand } from './operands';
import { compileSafeRegex, type SafeRegex } from './regex';

/**
 * A compiled clause: whether it matches a context.
 *
 * @example
 * const matcher: ClauseMatcher = compileClause({ attribute: 'plan', op: 'in', values: ['pro'] });
 * matcher({ key: 'u1', plan: 'pro' }); // true
 */
export type ClauseMatcher = (context: EvaluationContext) => boolean;

/**
 * Resolves a segment key to its membership test, or undefined for an unknown segment.
 *
 * @example
 * const lookup: SegmentLookup = (key) => (key === 'staff' ? (ctx) => ctx.staff === true : undefined);
 */
export type SegmentLookup = (segmentKey: string) => ClauseMatcher | undefined;

type ValueTest = (value: unknown) => boolean;

const NEVER: ClauseMatcher = () => false;
const knownOperators: ReadonlySet<string> = new Set(clauseOperators);

/**
 * The context key: `key`, or OpenFeature's `targetingKey` when `key` is absent.
 *
 * @example
 * contextKey({ targetingKey: 'user-1' }); // 'user-1'
 */
export function contextKey(context: EvaluationContext): unknown {
  const key = context.key;
  return key === undefined || key === null ? context.targetingKey : key;
}

/**
 * A reader of one context attribute: an own property of the context (`key` resolves through
 * {@link contextKey}).
 *
 * @example
 * attributeReader('email')({ key: 'u1', email: 'a@b.c' }); // 'a@b.c'
 */
export function attributeReader(attribute: string): (context: EvaluationContext) => unknown {
  if (attribute === 'key') return contextKey;
  // `constructor`, `toString`, `__proto__`… would otherwise be found on every context's prototype.
  if (attribute in Object.prototype)
    return (context) => (Object.hasOwn(context, attribute) ? context[attribute] : undefined);
  return (context) => context[attribute];
}

/** A clause matches when the attribute matches ANY value, so an ordering test only needs the loosest bound. */
function bound(values: readonly number[], pick: 'max' | 'min'): number {
  return pick === 'max' ? Math.max(...values) : Math.min(...values);
}

function semverTest(
  op: 'semVerEqual' | 'semVerLessThan' | 'semVerGreaterThan',
  values: readonly unknown[],
): ValueTest {
  const versions = values.map((v) => parseSemverOperand(v)).filter((v) => v !== undefined);
  if (op === 'semVerEqual') {
    const set = new Set(versions.map((v) => v.version));
    return (value) => {
      const version = parseSemverOperand(value);
      return version !== undefined && set.has(version.version);
    };
  }
  const sorted = [...versions].sort(compareSemverOperands);
  const limit = op === 'semVerLessThan' ? sorted[sorted.length - 1] : sorted[0];
  if (limit === undefined) return () => false;
  const wanted = op === 'semVerLessThan' ? -1 : 1;
  return (value) => {
    const version = parseSemverOperand(value);
    return version !== undefined && compareSemverOperands(version, limit) === wanted;
  };
}

/**
 * Each string operator gets its own function literals: a shared helper taking a callback would make
 * the call sites megamorphic, and a closure created per evaluation would allocate on the hot path.
 */
function startsWithTest(operands: readonly string[]): ValueTest {
  const only = operands.length === 1 ? (operands[0] as string) : undefined;
  if (only !== undefined) return (value) => typeof value === 'string' && value.startsWith(only);
  return (value) => {
    if (typeof value !== 'string') return false;
    for (let i = 0; i < operands.length; i++) if (value.startsWith(operands[i] as string)) return true;
    return false;
  };
}

function endsWithTest(operands: readonly string[]): ValueTest {
  const only = operands.length === 1 ? (operands[0] as string) : undefined;
  if (only !== undefined) return (value) => typeof value === 'string' && value.endsWith(only);
  return (value) => {
    if (typeof value !== 'string') return false;
    for (let i = 0; i < operands.length; i++) if (value.endsWith(operands[i] as string)) return true;
    return false;
  };
}

function containsTest(operands: readonly string[]): ValueTest {
  const only = operands.length === 1 ? (operands[0] as string) : undefined;
  if (only !== undefined) return (value) => typeof value === 'string' && value.includes(only);
  return (value) => {
    if (typeof value !== 'string') return false;
    for (let i = 0; i < operands.length; i++) if (value.includes(operands[i] as string)) return true;
    return false;
  };
}

function inTest(values: readonly unknown[]): ValueTest {
  if (values.length === 1) {
    const only = values[0];
    return (value) => value === only;
  }
  const set = new Set(values);
  return (value) => set.has(value);
}

function dateTest(values: readonly unknown[], pick: 'max' | 'min'): ValueTest {
  const limit = bound(
    values.map((v) => parseDateOperand(v) as number),
    pick,
  );
  return pick === 'max'
    ? (value) => {
        const time = parseDateOperand(value);
        return time !== undefined && time < limit;
      }
    : (value) => {
        const time = parseDateOperand(value);
        return time !== undefined && time > limit;
      };
}

function valueTest(
  op: Exclude<ClauseOperator, 'notIn' | 'segmentMatch'>,
  values: readonly unknown[],
): ValueTest {
  switch (op) {
    case 'in':
      return inTest(values);
    case 'startsWith':
      return startsWithTest(values as readonly string[]);
    case 'endsWith':
      return endsWithTest(values as readonly string[]);
    case 'contains':
      return containsTest(values as readonly string[]);
    case 'matches': {
      const patterns = values.map((v) => compileSafeRegex(v as string) as SafeRegex);
      return (value) => {
        if (typeof value !== 'string') return false;
        for (let i = 0; i < patterns.length; i++) if ((patterns[i] as SafeRegex).test(value)) return true;
        return false;
      };
    }
    case 'lessThan': {
      const limit = bound(values as number[], 'max');
      return (value) => typeof value === 'number' && value < limit;
    }
    case 'lessThanOrEqual': {
      const limit = bound(values as number[], 'max');
      return (value) => typeof value === 'number' && value <= limit;
    }
    case 'greaterThan': {
      const limit = bound(values as number[], 'min');
      return (value) => typeof value === 'number' && value > limit;
    }
    case 'greaterThanOrEqual': {
      const limit = bound(values as number[], 'min');
      return (value) => typeof value === 'number' && value >= limit;
    }
    case 'before':
      return dateTest(values, 'max');
    case 'after':
      return dateTest(values, 'min');
    case 'semVerEqual':
    case 'semVerLessThan':
    case 'semVerGreaterThan':
      return semverTest(op, values);
  }
}

/**
 * Compiles a clause once (sets, parsed dates and versions, compiled patterns) into a matcher.
 * Semantics (docs/evaluation.md): the attribute, or any element of it when it is an array, must
 * match any value; `notIn` is exactly `in` negated; `negate` inverts the result for a present
 * attribute, but a missing (undefined or null) attribute never matches, negated or not. A clause
 * that cannot be trusted — unknown operator, no values, or any value invalid for the operator
 * (e.g. an unvalidated dangerous pattern) — never matches and never throws.
 *
 * @example
 * const beta = compileClause({ attribute: 'groups', op: 'in', values: ['beta'] });
 * beta({ key: 'u1', groups: ['staff', 'beta'] }); // true
 * beta({ key: 'u2' });                            // false (missing attribute)
 */
export function compileClause(clause: Clause, segments?: SegmentLookup): ClauseMatcher {
  const { op, values } = clause;
  if (!knownOperators.has(op) || !Array.isArray(values) || values.length === 0) return NEVER;
  if (values.some((value) => operandProblem(op, value) !== undefined)) return NEVER;
  // `notIn` is `in` with the opposite negation.
  const negate = (clause.negate === true) !== (op === 'notIn');
  if (op === 'segmentMatch') {
    const members = values
      .map((key) => segments?.(key as string))
      .filter((matcher): matcher is ClauseMatcher => matcher !== undefined);
    return (context) => {
      for (let i = 0; i < members.length; i++) if ((members[i] as ClauseMatcher)(context)) return !negate;
      return negate;
    };
  }
  if (typeof clause.attribute !== 'string') return NEVER;
  const test = valueTest(op === 'notIn' ? 'in' : op, values);
  const read = attributeReader(clause.attribute);
  return (context) => {
    const value = read(context);
    if (value === undefined || value === null) return false;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) if (test(value[i])) return !negate;
      return negate;
    }
    return test(value) !== negate;
  };
}
