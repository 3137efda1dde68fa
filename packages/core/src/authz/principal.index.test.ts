import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { internNameId } from '../rn/rn.intern';
import { rn } from '../rn/rn.resource';
import { ACTION_NAMES } from './action.catalog';
import { BUILTIN_POLICIES } from './builtin-policies';
import { createGrantCache } from './grant.compiler';
import { actionSlot, SLOT_COUNT } from './index-run.layout';
import type { Policy } from './policy.types';
import { compilePrincipalIndex, holdsPolicy } from './principal.index';
import { actionEntries, allMatches, firstMatch } from './principal.scan';

const dev = { key: 'dev', production: false };
const wide: Policy = {
  key: 'wide',
  name: 'wide',
  description: '',
  builtIn: false,
  statements: [
    { effect: 'allow', actions: ['UpdateFlagOn'], resources: ['project/team-*:env/*:flag/*'] },
    { effect: 'deny', actions: ['*'], resources: ['project/*:env/*:flag/*;critical'] },
  ],
};

describe('compilePrincipalIndex', () => {
  it('compiles each (policy, params) once and shares it between principals', () => {
    const cache = createGrantCache();
    const grant = cache.grant(BUILTIN_POLICIES['project-reader'], { project: 'shop' });
    expect(cache.grant(BUILTIN_POLICIES['project-reader'], { project: 'shop' })).toBe(grant);
    expect(cache.grant(BUILTIN_POLICIES['project-reader'], { project: 'web' })).not.toBe(grant);
    const a = compilePrincipalIndex([{ policy: wide, params: {}, group: 'g' }], cache);
    const b = compilePrincipalIndex([{ policy: wide, params: {}, group: 'g' }], cache);
    expect(b).toBe(a);
    const c = compilePrincipalIndex([{ policy: wide, params: {} }], cache);
    expect(c).not.toBe(a);
    // entries seen through the same group are shared objects
    const d = compilePrincipalIndex(
      [
        { policy: wide, params: {}, group: 'g' },
        { policy: BUILTIN_POLICIES['project-reader'], params: { project: 'x' } },
      ],
      cache,
    );
    expect(actionEntries(d, 'UpdateFlagOn', 'allow')[0]).toBe(actionEntries(a, 'UpdateFlagOn', 'allow')[0]);
  });

  it('indexes by action, with * expanded per resource type and denies apart', () => {
    const index = compilePrincipalIndex([{ policy: wide, params: {} }], createGrantCache());
    const withAllows = ACTION_NAMES.filter((a) => actionEntries(index, a, 'allow').length > 0);
    expect(withAllows).toEqual(['UpdateFlagOn']);
    expect(actionEntries(index, 'DeleteFlag', 'deny')).toHaveLength(1);
    expect(actionEntries(index, 'CanAccessEnv', 'deny')).toHaveLength(0);
    expect(actionEntries(index, 'Nope', 'deny')).toHaveLength(0);
    expect(index.hasDeny).toBe(true);
    expect(index.entryCount).toBe(1 + 15);
  });

  it('finds the first match in order among many projects, wildcards and tags', () => {
    const sources = Array.from({ length: 12 }, (_, i) => ({
      policy: BUILTIN_POLICIES['flag-user'],
      params: { project: `p${i}`, flag: 'f', envs: ['dev', 'qa'] },
    }));
    const index = compilePrincipalIndex([...sources, { policy: wide, params: {} }], createGrantCache());
    const slot = actionSlot('UpdateFlagOn')!;
    expect(actionEntries(index, 'UpdateFlagOn', 'allow')).toHaveLength(12 * 2 + 1);
    expect(firstMatch(index, slot, 'allow', rn.flag('p7', dev, 'f'))?.policy).toBe('flag-user');
    expect(firstMatch(index, slot, 'allow', rn.flag('p7', dev, 'g'))).toBeUndefined();
    expect(firstMatch(index, slot, 'allow', rn.flag('team-a', dev, 'g'))?.policy).toBe('wide');
    expect(firstMatch(index, slot, 'allow', rn.flag('p7', 'prod', 'f'))).toBeUndefined();
    expect(allMatches(index, slot, 'allow', rn.flag('p3', dev, 'f')).map((e) => e.statement)).toEqual([0]);
    const critical = rn.flag('p3', dev, { key: 'f', tags: ['critical'] });
    expect(firstMatch(index, slot, 'deny', critical)?.policy).toBe('wide');
    expect(firstMatch(index, slot, 'deny', rn.flag('p3', dev, 'f'))).toBeUndefined();
    expect(firstMatch(index, actionSlot('CanAccessProject')!, 'allow', rn.project('x'))).toBeUndefined();
  });

  it('starts with the table, the held policies, then the ancestor actions', () => {
    const index = compilePrincipalIndex(
      [{ policy: BUILTIN_POLICIES['project-reader'], params: { project: 'shop' } }],
      createGrantCache(),
    );
    expect(actionSlot('CanAccessProject')).toBe(0);
    expect(actionSlot('CanAccessEnv')).toBe(1);
    expect(actionSlot('Nope')).toBeUndefined();
    const shop = internNameId('shop');
    const run = index.runs[0]!;
    expect(index.runCount).toBe(1);
    const n = SLOT_COUNT;
    // held: [1 pair, (project-reader, shop)]; CanAccessProject's body ([depth, allowAt, end, 1 entry]), CanAccessEnv's right after.
    const held = n + 1;
    expect(run.data[n]).toBe(held);
    expect([...run.data.slice(held, held + 3)]).toEqual([1, internNameId('project-reader'), shop]);
    const cap = held + 3;
    expect(run.data[0]).toBe(cap);
    expect([...run.data.slice(cap, cap + 6)]).toEqual([1, cap + 3, cap + 6, shop, 0, 0]);
    expect(run.data[1]).toBe(cap + 6);
    expect([...run.data.slice(cap + 6, cap + 12)]).toEqual([2, cap + 9, cap + 12, shop, 0, 0]);
    expect(run.refs[Math.floor((cap + 3) / 3)]?.statement).toBe(0);
    expect(run.refs[Math.floor((cap + 9) / 3)]?.statement).toBe(1);
    expect(firstMatch(index, 0, 'allow', rn.project('shop'))?.policy).toBe('project-reader');
    expect(firstMatch(index, 1, 'allow', rn.env('shop', 'dev'))?.statement).toBe(1);
    expect(firstMatch(index, 1, 'allow', rn.env('web', 'dev'))).toBeUndefined();
  });

  it('records which projects each policy is held for', () => {
    const index = compilePrincipalIndex(
      [
        { policy: BUILTIN_POLICIES['production-access'], params: { project: 'shop' }, group: 'rel' },
        { policy: wide, params: {} },
      ],
      createGrantCache(),
    );
    expect(holdsPolicy(index, 'production-access', 'shop')).toBe(true);
    expect(holdsPolicy(index, 'production-access', 'web')).toBe(false);
    expect(holdsPolicy(index, 'wide', 'anything')).toBe(true);
    expect(holdsPolicy(index, 'project-admin', 'shop')).toBe(false);
  });

  it('answers holdsPolicy from its integer list as from the held map, for every policy and project', () => {
    const cache = createGrantCache();
    const policies = ['production-access', 'project-admin', 'project-reader', 'flag-user'] as const;
    const projects = ['shop', 'web', 'never-assigned'];
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.constantFrom(...policies), fc.constantFrom('shop', 'web'), fc.option(fc.constant('g'))),
          { maxLength: 6 },
        ),
        fc.boolean(),
        (grants, withWide) => {
          const sources = grants.map(([key, project, group]) => ({
            policy: BUILTIN_POLICIES[key],
            params: key === 'flag-user' ? { project, flag: 'f' } : { project },
            group: group ?? undefined,
          }));
          const index = compilePrincipalIndex(
            withWide ? [...sources, { policy: wide, params: {} }] : sources,
            cache,
          );
          for (const policy of [...policies, 'wide', 'unknown-policy']) {
            for (const project of [...projects, undefined]) {
              const h = index.held.get(policy);
              const expected =
                h !== undefined && (h.anyProject || (project !== undefined && h.projects.has(project)));
              expect(holdsPolicy(index, policy, project)).toBe(expected);
            }
          }
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('shares the runs of a group between principals and scans runs in source order, project first over all runs', () => {
    const cache = createGrantCache();
    const grantArb = fc.tuple(
      fc.constantFrom('flag-user', 'flag-owner', 'project-reader', 'production-access', 'wide'),
      fc.constantFrom('p0', 'p1', 'p2', 'team-a'),
      fc.constantFrom('f', 'g'),
      fc.constantFrom(undefined, 'g1', 'g2'),
    );
    const resourceArb = fc
      .tuple(
        fc.constantFrom('p0', 'p1', 'p2', 'team-a', 'zz'),
        fc.constantFrom('dev', 'production'),
        fc.constantFrom('f', 'g'),
        fc.subarray(['critical']),
      )
      .map(([p, e, f, t]) => rn.flag(p, { key: e, production: e === 'production' }, { key: f, tags: t }));
    const actions = ['UpdateFlagOn', 'DeleteFlag', 'CanAccessProject', 'CanAccessEnv'] as const;
    fc.assert(
      fc.property(fc.array(grantArb, { maxLength: 14 }), resourceArb, (grants, resource) => {
        const sources = grants.map(([key, project, flag, group]) => ({
          policy: key === 'wide' ? wide : BUILTIN_POLICIES[key],
          params: key.startsWith('flag') ? { project, flag } : key === 'wide' ? {} : { project },
          group,
        }));
        const index = compilePrincipalIndex(sources, cache);
        for (let i = 1; i < index.runs.length; i++) {
          // consecutive runs come through different groups (or one of them directly)
          expect(index.runs[i]).not.toBe(index.runs[i - 1]);
        }
        for (const action of actions) {
          const slot = actionSlot(action)!;
          const target =
            action === 'CanAccessProject'
              ? resource.projectRn!
              : action === 'CanAccessEnv'
                ? resource.envRn!
                : resource;
          for (const effect of ['allow', 'deny'] as const) {
            const all = actionEntries(index, action, effect);
            const ordered =
              all.length > 8
                ? [
                    ...all.filter((e) => e.projectLiteral === target.project),
                    ...all.filter((e) => e.projectLiteral === undefined),
                  ]
                : all;
            const expected = ordered.find((e) => e.pattern.matches(target));
            expect(firstMatch(index, slot, effect, target)).toBe(expected);
            if (target !== resource) expect(firstMatch(index, slot, effect, target, resource)).toBe(expected);
            expect(allMatches(index, slot, effect, target)).toEqual(
              all.filter((e) => e.pattern.matches(target)),
            );
          }
        }
      }),
      { numRuns: 2_000 },
    );
    const group = [
      { policy: BUILTIN_POLICIES['production-access'], params: { project: 'p0' }, group: 'g1' },
      { policy: BUILTIN_POLICIES['project-reader'], params: { project: 'p1' }, group: 'g1' },
    ];
    const fresh = createGrantCache();
    const a = compilePrincipalIndex(
      [{ policy: BUILTIN_POLICIES['flag-user'], params: { project: 'p0', flag: 'f' } }, ...group],
      fresh,
    );
    const b = compilePrincipalIndex(group, fresh);
    expect(a.runCount).toBe(2);
    expect(b.runs[0]).toBe(a.runs[1]);
    expect(b.data0).toBe(a.data1);
  });
});
