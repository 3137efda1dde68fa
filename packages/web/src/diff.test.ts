import { describe, expect, it } from 'vitest';
import { diffJson, formatValue } from './diff';

describe('audit diff', () => {
  it('reports changed leaves with their paths', () => {
    expect(
      diffJson(
        { on: false, fallthrough: { rollout: { weights: [{ variation: 'true', weight: 25000 }] } } },
        { on: true, fallthrough: { rollout: { weights: [{ variation: 'true', weight: 50000 }] } } },
      ),
    ).toEqual([
      { path: 'on', kind: 'changed', before: false, after: true },
      { path: 'fallthrough.rollout.weights[0].weight', kind: 'changed', before: 25000, after: 50000 },
    ]);
  });

  it('reports added and removed keys, and whole documents', () => {
    expect(diffJson({ a: 1 }, { b: 2 })).toEqual([
      { path: 'a', kind: 'removed', before: 1 },
      { path: 'b', kind: 'added', after: 2 },
    ]);
    expect(diffJson(undefined, { a: 1 })).toEqual([{ path: '(whole)', kind: 'added', after: { a: 1 } }]);
    expect(diffJson({ a: 1 }, undefined)).toEqual([{ path: '(whole)', kind: 'removed', before: { a: 1 } }]);
    expect(diffJson({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toEqual([]);
  });

  it('compares lists of scalars as sets', () => {
    expect(diffJson({ tags: ['web', 'beta'] }, { tags: ['web', 'ga'] })).toEqual([
      { path: 'tags', kind: 'removed', before: ['beta'] },
      { path: 'tags', kind: 'added', after: ['ga'] },
    ]);
    expect(diffJson({ tags: ['a', 'b'] }, { tags: ['b', 'a'] })).toEqual([
      { path: 'tags', kind: 'changed', before: ['a', 'b'], after: ['b', 'a'] },
    ]);
  });

  it('matches records with ids by id, so a reorder reads as one', () => {
    const r1 = { id: 'r1', clauses: [] };
    const r2 = { id: 'r2', clauses: [] };
    expect(diffJson({ rules: [r1, r2] }, { rules: [r2, r1] })).toEqual([
      { path: 'rules (order)', kind: 'changed', before: ['r1', 'r2'], after: ['r2', 'r1'] },
    ]);
    expect(diffJson({ rules: [r1] }, { rules: [{ ...r1, description: 'beta' }, r2] })).toEqual([
      { path: 'rules[id=r1].description', kind: 'added', after: 'beta' },
      { path: 'rules[id=r2]', kind: 'added', after: r2 },
    ]);
  });

  it('compares other lists position by position', () => {
    expect(diffJson([{ a: 1 }], [{ a: 2 }, { a: 3 }])).toEqual([
      { path: '[0].a', kind: 'changed', before: 1, after: 2 },
      { path: '[1]', kind: 'added', after: { a: 3 } },
    ]);
  });

  it('quotes odd keys and formats values briefly', () => {
    expect(diffJson({ 'a-b': 1 }, { 'a-b': 2 })[0]?.path).toBe('["a-b"]');
    expect(formatValue(undefined)).toBe('—');
    expect(formatValue('x')).toBe('"x"');
    expect(formatValue({ a: 'x'.repeat(500) }, 20)).toHaveLength(20);
  });
});
