import { describe, expect, it } from 'vitest';
import { rn } from '../rn/rn.resource';
import { BUILTIN_POLICIES } from './builtin-policies';
import { createGrantCache } from './grant.compiler';
import type { Policy } from './policy.types';
import { allMatches, compilePrincipalIndex, firstMatch, holdsPolicy } from './principal.index';

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
    expect(d.allow.get('UpdateFlagOn')?.entries[0]).toBe(a.allow.get('UpdateFlagOn')?.entries[0]);
  });

  it('indexes by action, with * expanded per resource type and denies apart', () => {
    const index = compilePrincipalIndex([{ policy: wide, params: {} }], createGrantCache());
    expect([...index.allow.keys()]).toEqual(['UpdateFlagOn']);
    expect(index.deny.has('DeleteFlag')).toBe(true);
    expect(index.deny.has('CanAccessEnv')).toBe(false);
    expect(index.entryCount).toBe(1 + 15);
  });

  it('splits large buckets by project literal and still finds every match', () => {
    const sources = Array.from({ length: 12 }, (_, i) => ({
      policy: BUILTIN_POLICIES['flag-user'],
      params: { project: `p${i}`, flag: 'f', envs: ['dev', 'qa'] },
    }));
    const index = compilePrincipalIndex([...sources, { policy: wide, params: {} }], createGrantCache());
    const bucket = index.allow.get('UpdateFlagOn')!;
    expect(bucket.byProject?.size).toBe(12);
    expect(bucket.unscoped).toHaveLength(1);
    expect(firstMatch(bucket, rn.flag('p7', dev, 'f'))?.policy).toBe('flag-user');
    expect(firstMatch(bucket, rn.flag('p7', dev, 'g'))).toBeUndefined();
    expect(firstMatch(bucket, rn.flag('team-a', dev, 'g'))?.policy).toBe('wide');
    expect(firstMatch(bucket, rn.flag('p7', 'prod', 'f'))).toBeUndefined();
    expect(allMatches(bucket, rn.flag('p3', dev, 'f')).map((e) => e.statement)).toEqual([0]);
    expect(firstMatch(undefined, rn.project('x'))).toBeUndefined();
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
});
