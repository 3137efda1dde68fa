import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { flatMatches, flattenPattern } from './rn.flat-matcher';
import { internNameId, internTagBit } from './rn.intern';
import { compileRnPattern } from './rn.matcher';
import { rn } from './rn.resource';
import type { ResourceName } from './rn.types';

const KEYS = ['shop', 'shop-eu', 'web', 'dev', 'dev-1', 'qa', 'production', 'f', 'f-1', 'abc'];
const TAGS = ['beta', 'eu', 'critical'];

const nameArb = fc.oneof(
  fc.constant('*'),
  fc.constantFrom(...KEYS),
  fc.constantFrom(...KEYS).map((k) => `${k.slice(0, 2)}*`),
  fc.constantFrom(...KEYS).map((k) => `*${k.slice(-1)}`),
  fc.constantFrom(...KEYS).map((k) => `*${k.slice(1, 2)}*`),
  fc.constantFrom(...KEYS).map((k) => `${k[0]}*${k.slice(-1)}`),
);
const tagsArb = fc.option(
  fc.uniqueArray(fc.constantFrom(...TAGS, 'production', 'non-production'), { minLength: 1, maxLength: 2 }),
  { freq: 2 },
);
const seg = (type: string, tagged: boolean) =>
  fc
    .tuple(nameArb, tagged ? tagsArb : fc.constant(null))
    .map(([n, t]) => `${type}/${n}${t ? `;${t.join(',')}` : ''}`);

const envArb = fc.record({
  key: fc.constantFrom(...KEYS),
  production: fc.boolean(),
  tags: fc.subarray(TAGS),
});
const flagArb = fc.record({ key: fc.constantFrom(...KEYS), tags: fc.subarray(TAGS) });

// One pattern and one resource of the same type (indexes only test patterns of an action's type).
const caseArb: fc.Arbitrary<[string, ResourceName]> = fc.oneof(
  fc.tuple(
    seg('project', false),
    fc.constantFrom(...KEYS).map((p) => rn.project(p)),
  ),
  fc.tuple(
    fc.tuple(seg('project', false), seg('env', true)).map((s) => s.join(':')),
    fc.tuple(fc.constantFrom(...KEYS), envArb).map(([p, e]) => rn.env(p, e)),
  ),
  fc.tuple(
    fc.tuple(seg('project', false), seg('env', true), seg('flag', true)).map((s) => s.join(':')),
    fc.tuple(fc.constantFrom(...KEYS), envArb, flagArb).map(([p, e, f]) => rn.flag(p, e, f)),
  ),
  fc.tuple(
    fc.tuple(seg('project', false), seg('env', true), seg('var', false)).map((s) => s.join(':')),
    fc
      .tuple(fc.constantFrom(...KEYS), envArb, fc.constantFrom(...KEYS))
      .map(([p, e, v]) => rn.variable(p, e, v)),
  ),
  fc.tuple(
    fc.constantFrom('*', 'ann@acme.io', '*@acme.io', 'a*', 'a*@*.io').map((n) => `member/${n}`),
    fc.constantFrom('ann@acme.io', 'bob@web.io').map((m) => rn.member(m)),
  ),
  fc.tuple(fc.constant('org'), fc.constant(rn.org())),
);

describe('flattenPattern / flatMatches', () => {
  it('agrees with the compiled matcher on every pattern and resource of one type', () => {
    fc.assert(
      fc.property(caseArb, ([source, resource]) => {
        const compiled = compileRnPattern(source);
        const flat = flattenPattern(compiled)!;
        expect(flatMatches(flat, resource)).toBe(compiled.matches(resource));
      }),
      { numRuns: 5_000 },
    );
  });

  it('shares one flat pattern between equal patterns and interns literals', () => {
    const a = flattenPattern(compileRnPattern('project/shop:env/dev*:flag/*;beta'))!;
    const b = flattenPattern(compileRnPattern('project/shop:env/dev*:flag/*;beta'))!;
    expect(b).toBe(a);
    expect(a.n0).toBe(internNameId(['sh', 'op'].join('')));
    expect(a.g0).toBeNull();
    expect(a.n1).toBe(-1);
    expect(typeof a.g1).toBe('function');
    expect(a.f1).toBe(false);
    expect(a.n2).toBe(0);
    expect(a.f2).toBe(true);
    expect(a.m2).toBe(internTagBit('beta'));
    expect(a.x2).toBeNull();
    expect(Object.isFrozen(a)).toBe(true);
  });
});
