import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { flatMatches, flattenPattern } from './rn.flat-matcher';
import { internGeneration, internNameId, nameIdOf, nameOfId, tagMaskOf } from './rn.intern';
import { IRREGULAR_KEYS, isRegular, keyedResource } from './rn.keys';
import { compileRnPattern } from './rn.matcher';
import { resourceFromSegments, rn } from './rn.resource';
import { RESOURCE_TYPE_INFO, RESOURCE_TYPES } from './rn.types';

let fresh = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${fresh++}`;

describe('resource keys', () => {
  it('carry the ids of pattern literals and 0 for other names', () => {
    const project = unique('kp');
    const r = rn.flag(project, { key: 'dev', production: false }, 'checkout');
    const k = keyedResource(r)!;
    expect(k.k0).toBe(0);
    expect(k.k2).toBe(0);
    const id = internNameId(project);
    expect(nameOfId(id)).toBe(project);
    expect(nameIdOf(project)).toBe(id);
    // built before the literal was interned: refreshed before it is matched
    expect(keyedResource(r)!.k0).toBe(id);
    expect(keyedResource(r)!.kgen).toBe(internGeneration());
  });

  it('follow the hierarchy of RESOURCE_TYPE_INFO for every pair of types', () => {
    for (const a of RESOURCE_TYPES) {
      const one = [{ type: a, name: 'x', tags: [] }];
      expect(isRegular(one)).toBe(RESOURCE_TYPE_INFO[a].parent === null);
      for (const b of RESOURCE_TYPES) {
        const two = [...one, { type: b, name: 'y', tags: [] }];
        expect(isRegular(two)).toBe(
          RESOURCE_TYPE_INFO[a].parent === null && RESOURCE_TYPE_INFO[b].parent === a,
        );
      }
    }
  });

  it('leave resources they did not build, and frozen ones, unchanged', () => {
    const built = rn.flag('shop', 'dev', 'x');
    const plain = {
      type: built.type,
      segments: built.segments,
      text: built.text,
      project: built.project,
      env: built.env,
      projectRn: built.projectRn,
      envRn: built.envRn,
    };
    const k = keyedResource(plain)!;
    expect(k).not.toBe(plain);
    expect(k.k0).toBe(nameIdOf('shop'));
    expect(Object.keys(plain)).toHaveLength(7);
    const frozen = Object.freeze(rn.flag(unique('fz'), 'dev', 'x'));
    internNameId(frozen.project!);
    expect(keyedResource(frozen)?.k0).toBe(nameIdOf(frozen.project!));
  });

  it('mark resources off the hierarchy as irregular', () => {
    const odd = resourceFromSegments([{ type: 'flag', name: 'x', tags: [] }]);
    expect((odd as unknown as { kgen: number }).kgen).toBe(IRREGULAR_KEYS);
    expect(keyedResource(odd)).toBeUndefined();
    expect(keyedResource(rn.org())?.kgen).toBe(internGeneration());
  });

  it('stay consistent with the compiled patterns when literals and tags are interned after the resource', () => {
    // New names and tags per run, interned only when the pattern is compiled, after the resource.
    const cases = fc.record({
      project: fc.constantFrom('a', 'b'),
      env: fc.constantFrom('e', 'f'),
      envTags: fc.subarray(['t1', 't2', 't3']),
      flag: fc.constantFrom('x', 'y'),
      flagTags: fc.subarray(['t1', 't2', 't3']),
      pp: fc.constantFrom('a', 'b', '*', 'a*'),
      pe: fc.constantFrom('e', 'f', '*', '*f'),
      pet: fc.option(fc.subarray(['t1', 't2', 't3'], { minLength: 1 })),
      pf: fc.constantFrom('x', 'y', '*'),
      pft: fc.option(fc.subarray(['t1', 't2', 't3'], { minLength: 1 })),
    });
    fc.assert(
      fc.property(cases, (c) => {
        const run = unique('r');
        const n = (s: string) => (s === '*' ? s : s.replace(/^[a-z0-9]+/, (m) => `${run}-${m}`));
        const t = (tags: readonly string[]) => tags.map((tag) => `${run}-${tag}`);
        const resource = rn.flag(
          n(c.project),
          { key: n(c.env), production: true, tags: t(c.envTags) },
          { key: n(c.flag), tags: t(c.flagTags) },
        );
        const before = keyedResource(resource)!.kgen;
        const source = `project/${n(c.pp)}:env/${n(c.pe)}${c.pet ? `;${t(c.pet).join(',')}` : ''}:flag/${n(c.pf)}${c.pft ? `;${t(c.pft).join(',')}` : ''}`;
        const compiled = compileRnPattern(source);
        const flat = flattenPattern(compiled)!;
        expect(flatMatches(flat, resource)).toBe(compiled.matches(resource));
        if (internGeneration() !== before) expect(keyedResource(resource)!.kgen).toBe(internGeneration());
        expect(tagMaskOf(resource.segments[2]!.tags)).toBe(keyedResource(resource)!.t2);
      }),
      { numRuns: 2_000 },
    );
  });
});
