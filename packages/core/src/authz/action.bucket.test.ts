import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRnPattern } from '../rn/rn.matcher';
import { rn } from '../rn/rn.resource';
import { allMatchesIn, appendBody, entriesIn, firstMatchIn, type IndexSlot } from './action.bucket';
import type { IndexEntry } from './grant.compiler';

const entry = (source: string, statement: number): IndexEntry => {
  const pattern = compileRnPattern(source);
  return {
    policy: 'p',
    statement,
    effect: 'allow',
    pattern,
    group: undefined,
    projectLiteral: pattern.projectLiteral,
  };
};

describe('appendBody', () => {
  it('lays out literal names, flat patterns and entries, denies before allows', () => {
    const deny = entry('project/shop:env/*;production:flag/*', 0);
    const allowA = entry('project/shop:env/*:flag/checkout', 1);
    const allowB = entry('project/*:env/dev:flag/*', 2);
    const data: IndexSlot[] = ['x'];
    const at = appendBody(data, 'flag', [deny], [allowA, allowB]);
    expect(at).toBe(1);
    expect(data.slice(1, 4)).toEqual([3, 8, 16]);
    expect(data[4]).toBe('shop');
    expect(Array.isArray(data[5])).toBe(true);
    expect(data.slice(8, 12)).toEqual(['shop', null, 'checkout', allowA]);
    expect(data.slice(12, 16)).toEqual([null, 'dev', null, allowB]);
    expect(entriesIn(data, 4, 8)).toEqual([deny]);
    expect(entriesIn(data, 8, 16)).toEqual([allowA, allowB]);
    const prod = { key: 'production', production: true };
    expect(firstMatchIn(data, 4, 8, 3, rn.flag('shop', prod, 'x'))).toBe(deny);
    expect(firstMatchIn(data, 4, 8, 3, rn.flag('shop', 'dev', 'x'))).toBeUndefined();
    expect(firstMatchIn(data, 8, 16, 3, rn.flag('shop', 'dev', 'checkout'))).toBe(allowA);
    expect(firstMatchIn(data, 8, 16, 3, rn.flag('web', 'dev', 'checkout'))).toBe(allowB);
    expect(firstMatchIn(data, 8, 16, 3, rn.flag('web', 'qa', 'checkout'))).toBeUndefined();
    expect(allMatchesIn(data, 8, 16, rn.flag('shop', 'dev', 'checkout'))).toEqual([allowA, allowB]);
  });
});

const PROJECTS = ['shop', 'web', 'ops-1'];
const ENVS = ['dev', 'dev-qa', 'production'];
const FLAGS = ['checkout', 'f-1', 'x'];
const name = (keys: string[]) =>
  fc.oneof(
    fc.constant('*'),
    fc.constantFrom(...keys),
    fc.constantFrom(...keys).map((k) => `${k.slice(0, 2)}*`),
  );
const tags = fc.option(fc.constantFrom(';production', ';non-production', ';beta', ';beta,eu'), { freq: 2 });
const flagPattern = fc
  .tuple(name(PROJECTS), name(ENVS), tags, name(FLAGS), tags)
  .map(([p, e, et, f, ft]) => `project/${p}:env/${e}${et ?? ''}:flag/${f}${ft ?? ''}`);
const envPattern = fc
  .tuple(name(PROJECTS), name(ENVS), tags)
  .map(([p, e, et]) => `project/${p}:env/${e}${et ?? ''}`);

describe('firstMatchIn', () => {
  it('finds the same first entry as testing every compiled pattern in order', () => {
    const flagResource = fc
      .tuple(
        fc.constantFrom(...PROJECTS),
        fc.constantFrom(...ENVS),
        fc.boolean(),
        fc.constantFrom(...FLAGS),
        fc.subarray(['beta', 'eu']),
      )
      .map(([p, e, prod, f, t]) => rn.flag(p, { key: e, production: prod }, { key: f, tags: t }));
    const envResource = fc
      .tuple(
        fc.constantFrom(...PROJECTS),
        fc.constantFrom(...ENVS),
        fc.boolean(),
        fc.subarray(['beta', 'eu']),
      )
      .map(([p, e, prod, t]) => rn.env(p, { key: e, production: prod, tags: t }));
    const cases = fc.oneof(
      fc.tuple(fc.constant('flag' as const), fc.array(flagPattern, { maxLength: 8 }), flagResource),
      fc.tuple(fc.constant('env' as const), fc.array(envPattern, { maxLength: 8 }), envResource),
    );
    fc.assert(
      fc.property(cases, ([type, sources, resource]) => {
        const entries = sources.map((s, i) => entry(s, i));
        const data: IndexSlot[] = [];
        const at = appendBody(data, type, [], entries);
        const depth = data[at] as number;
        const found = firstMatchIn(data, data[at + 1] as number, data[at + 2] as number, depth, resource);
        expect(found).toBe(entries.find((e) => e.pattern.matches(resource)));
        // A resource of another depth is left to the compiled patterns, which refuse it.
        const other = type === 'flag' ? resource.envRn! : rn.flag(resource.project!, 'dev', 'x');
        expect(firstMatchIn(data, data[at + 1] as number, data[at + 2] as number, depth, other)).toBe(
          entries.find((e) => e.pattern.matches(other)),
        );
      }),
      { numRuns: 3_000 },
    );
  });
});
