import type { JsonValue } from './flag.types';

/** Deeper documents than this are refused: variation values are configuration, not data dumps. */
const MAX_DEPTH = 32;

/**
 * Structural equality of two JSON values (object key order is irrelevant, array order matters).
 *
 * @example
 * jsonEqual({ a: [1, 2] }, { a: [1, 2] }); // true
 * jsonEqual([1, 2], [2, 1]);               // false
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  // Absent and undefined are the same thing once serialized.
  const ka = Object.keys(ra).filter((k) => ra[k] !== undefined);
  const kb = Object.keys(rb).filter((k) => rb[k] !== undefined);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.hasOwn(rb, k) || !jsonEqual(ra[k], rb[k])) return false;
  }
  return true;
}

/**
 * Why a value is not a plain JSON value (non-finite number, undefined, function, class instance,
 * cycle or nesting deeper than 32), or undefined when it is one.
 *
 * @example
 * jsonValueProblem({ a: 1 });     // undefined
 * jsonValueProblem(Number.NaN);   // 'must be a finite number'
 */
export function jsonValueProblem(value: unknown, depth = 0): string | undefined {
  if (depth > MAX_DEPTH) return `must not be nested deeper than ${MAX_DEPTH} levels`;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : 'must be a finite number';
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = jsonValueProblem(item, depth + 1);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return 'must be a plain JSON object';
    for (const item of Object.values(value)) {
      const problem = jsonValueProblem(item, depth + 1);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  return 'must be a JSON value';
}

/**
 * Whether a value is a plain JSON value (see {@link jsonValueProblem}).
 *
 * @example
 * isJsonValue([1, 'a', null]); // true
 */
export function isJsonValue(value: unknown): value is JsonValue {
  return jsonValueProblem(value) === undefined;
}
