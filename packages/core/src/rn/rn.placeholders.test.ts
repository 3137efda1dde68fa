// biome-ignore-all lint/suspicious/noTemplateCurlyInString: RN placeholders such as ${project} are literal text here
import { describe, expect, it } from 'vitest';
import { compileRnPattern } from './rn.matcher';
import { formatRnPattern, parseRnPatternOrThrow, patternPlaceholders } from './rn.parser';
import { bindPlaceholders, placeholderValueProblem } from './rn.placeholders';
import { rn } from './rn.resource';

describe('bindPlaceholders', () => {
  it('replaces the placeholders it has values for', () => {
    const p = bindPlaceholders('project/${project}:env/${env}:flag/${flag}', {
      project: 'shop',
      env: 'dev',
      flag: 'checkout',
    });
    expect(p.source).toBe('project/shop:env/dev:flag/checkout');
    expect(patternPlaceholders(p)).toEqual([]);
    expect(compileRnPattern(p).matches(rn.flag('shop', 'dev', 'checkout'))).toBe(true);
  });

  it('leaves the others in place', () => {
    const p = bindPlaceholders('project/${project}:env/${env}', { project: 'shop' });
    expect(formatRnPattern(p)).toBe('project/shop:env/${env}');
    expect(patternPlaceholders(p)).toEqual(['env']);
  });

  it('treats * in a value as a wildcard and merges text around it', () => {
    const p = bindPlaceholders('project/team-${project}:env/${env}', { project: 'web', env: 'dev*' });
    expect(p.source).toBe('project/team-web:env/dev*');
    expect(p.segments[0]?.parts).toEqual([{ kind: 'text', text: 'team-web' }]);
    expect(p.segments[1]?.parts).toEqual([{ kind: 'text', text: 'dev' }, { kind: 'wildcard' }]);
    expect(bindPlaceholders('project/x:env/${env}*', { env: '*' }).source).toBe('project/x:env/*');
  });

  it('rejects values that would inject RN syntax', () => {
    for (const value of ['a:b', 'a;production', 'a,b', 'a/b', '', '-x', '${env}', 'x'.repeat(65)]) {
      expect(placeholderValueProblem(value), value).toBeTypeOf('string');
      expect(() => bindPlaceholders('project/${project}', { project: value })).toThrowError(
        /params\.project/,
      );
    }
    expect(placeholderValueProblem('*')).toBeUndefined();
    expect(placeholderValueProblem('dev.eu_1-x')).toBeUndefined();
  });

  it('returns the same pattern when nothing is bound', () => {
    const p = parseRnPatternOrThrow('project/a');
    expect(bindPlaceholders(p, { env: 'x' })).toBe(p);
  });
});
