import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { flatMatches } from '../rn/rn.flat-matcher';
import { internNameId } from '../rn/rn.intern';
import { compileRnPattern } from '../rn/rn.matcher';
import { resourceFromSegments, rn } from '../rn/rn.resource';
import {
  allMatchesIn,
  appendBody,
  depthAt,
  entriesIn,
  FALLBACK_SLOT,
  firstMatchIn,
  flatPatternAt,
} from './action.bucket';
import { type IndexEntry, indexEntry } from './grant.compiler';

const entry = (source: string, statement: number): IndexEntry =>
  indexEntry('p', statement, 'allow', compileRnPattern(source), undefined);

describe('appendBody', () => {
  it('lays out literal names and flat patterns, denies before allows, entries apart', () => {
    const deny = entry('project/shop:env/*;production:flag/*', 0);
    const allowA = entry('project/shop:env/*:flag/checkout', 1);
    const allowB = entry('project/*:env/dev:flag/*', 2);
    const list = [7, 7, 7];
    const refs: (IndexEntry | undefined)[] = [];
    const at = appendBody(list, refs, 'flag', [deny], [allowA, allowB]);
    const data = Int32Array.from(list);
    const id = internNameId;
    expect(at).toBe(3);
    expect([...data.slice(3, 6)]).toEqual([3, 9, 15]);
    expect(depthAt(data, at)).toBe(3);
    expect(data[6]).toBe(id('shop'));
    expect(data[7]).toBeLessThan(0);
    expect(data[7]).not.toBe(FALLBACK_SLOT);
    expect(flatMatches(flatPatternAt(-data[7]!), rn.flag('shop', { key: 'p', production: true }, 'x'))).toBe(
      true,
    );
    expect([...data.slice(9, 15)]).toEqual([id('shop'), 0, id('checkout'), 0, id('dev'), 0]);
    expect(refs.slice(2)).toEqual([deny, allowA, allowB]);
    expect(entriesIn(refs, 6, 9)).toEqual([deny]);
    expect(entriesIn(refs, 9, 15)).toEqual([allowA, allowB]);
    const prod = { key: 'production', production: true };
    const first = (from: number, to: number, r: ReturnType<typeof rn.flag>) =>
      firstMatchIn(data, refs, from, to, 3, false, r);
    expect(first(6, 9, rn.flag('shop', prod, 'x'))).toBe(deny);
    expect(first(6, 9, rn.flag('shop', 'dev', 'x'))).toBeUndefined();
    expect(first(9, 15, rn.flag('shop', 'dev', 'checkout'))).toBe(allowA);
    expect(first(9, 15, rn.flag('web', 'dev', 'checkout'))).toBe(allowB);
    expect(first(9, 15, rn.flag('web', 'qa', 'checkout'))).toBeUndefined();
    expect(allMatchesIn(data, refs, 9, 15, rn.flag('shop', 'dev', 'checkout'))).toEqual([allowA, allowB]);
  });

  it('scans lists of more than 8 entries project first, as decisions always have', () => {
    const wide = entry('project/*:env/*:flag/*', 0);
    const own = Array.from({ length: 8 }, (_, i) => entry(`project/p${i}:env/*:flag/*`, i + 1));
    const list: number[] = [];
    const refs: (IndexEntry | undefined)[] = [];
    const at = appendBody(list, refs, 'flag', [], [wide, ...own]);
    const data = Int32Array.from(list);
    const from = data[at + 1]!;
    const to = data[at + 2]!;
    expect(firstMatchIn(data, refs, from, to, 3, true, rn.flag('p3', 'dev', 'f'))).toBe(own[3]);
    expect(firstMatchIn(data, refs, from, to, 3, true, rn.flag('zz', 'dev', 'f'))).toBe(wide);
    expect(firstMatchIn(data, refs, from, to, 3, false, rn.flag('p3', 'dev', 'f'))).toBe(wide);
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
      fc.tuple(fc.constant('flag' as const), fc.array(flagPattern, { maxLength: 12 }), flagResource),
      fc.tuple(fc.constant('env' as const), fc.array(envPattern, { maxLength: 12 }), envResource),
    );
    fc.assert(
      fc.property(cases, ([type, sources, resource]) => {
        const entries = sources.map((s, i) => entry(s, i));
        const list: number[] = [];
        const refs: (IndexEntry | undefined)[] = [];
        const at = appendBody(list, refs, type, [], entries);
        const data = Int32Array.from(list);
        const depth = depthAt(data, at);
        const from = data[at + 1]!;
        const to = data[at + 2]!;
        expect(firstMatchIn(data, refs, from, to, depth, false, resource)).toBe(
          entries.find((e) => e.pattern.matches(resource)),
        );
        // Project first: the resource's project's entries in order, then those of no literal project.
        const scoped = entries.filter((e) => e.projectLiteral === resource.project);
        const unscoped = entries.filter((e) => e.projectLiteral === undefined);
        expect(firstMatchIn(data, refs, from, to, depth, true, resource)).toBe(
          [...scoped, ...unscoped].find((e) => e.pattern.matches(resource)),
        );
        // An ancestor read through the resource it was taken from gives the same answer.
        if (type === 'env') {
          const child = resourceFromSegments([...resource.segments, { type: 'flag', name: 'x', tags: [] }]);
          const ancestor = child.envRn!;
          expect(firstMatchIn(data, refs, from, to, depth, false, ancestor, child)).toBe(
            entries.find((e) => e.pattern.matches(ancestor)),
          );
        }
        // A resource of another depth is left to the compiled patterns, which refuse it.
        const other = type === 'flag' ? resource.envRn! : rn.flag(resource.project!, 'dev', 'x');
        expect(firstMatchIn(data, refs, from, to, depth, false, other)).toBe(
          entries.find((e) => e.pattern.matches(other)),
        );
      }),
      { numRuns: 3_000 },
    );
  });
});
