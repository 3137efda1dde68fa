import { describe, expect, it } from 'vitest';
import { isJsonValue, jsonEqual, jsonValueProblem } from './json.value';

describe('JSON values', () => {
  it('compare structurally, ignoring key order but not array order', () => {
    expect(jsonEqual({ a: 1, b: [1, { c: null }] }, { b: [1, { c: null }], a: 1 })).toBe(true);
    expect(jsonEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual({ a: 1 }, { a: '1' })).toBe(false);
    expect(jsonEqual([], {})).toBe(false);
    expect(jsonEqual(null, {})).toBe(false);
  });

  it('are plain, finite and not too deep', () => {
    expect(isJsonValue({ a: [1, 'x', true, null] })).toBe(true);
    expect(jsonValueProblem(Number.NaN)).toBe('must be a finite number');
    expect(jsonValueProblem({ d: new Date() })).toBe('must be a plain JSON object');
    expect(jsonValueProblem(() => 1)).toBe('must be a JSON value');
    expect(jsonValueProblem(undefined)).toBe('must be a JSON value');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(jsonValueProblem(cyclic)).toMatch(/nested deeper/);
    expect(isJsonValue(Object.create(null))).toBe(true);
  });
});
