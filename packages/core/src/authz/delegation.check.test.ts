import { describe, expect, it } from 'vitest';
import { compileRnPattern } from '../rn/rn.matcher';
import { BUILTIN_POLICIES } from './builtin-policies';
import { createDecider } from './decision.engine';
import { checkDelegation, limitEnvsForGrantor } from './delegation.check';
import { createGrantCache } from './grant.compiler';
import { bindPolicy } from './policy.binding';
import type { OrgRole, Policy, Statement } from './policy.types';
import { compilePrincipalIndex, type GrantSource } from './principal.index';
import { defaultProductionProtection } from './protection.guard';
import { describeReached, type Universe, type UniverseProject, walkReached } from './universe.walker';

const cache = createGrantCache();
const shop: UniverseProject = {
  key: 'shop',
  envs: [
    { key: 'dev', production: false, variables: ['API_URL'], segments: ['beta'] },
    { key: 'staging', production: false, tags: ['eu'] },
    { key: 'production', production: true, variables: ['API_URL'] },
  ],
  flags: [{ key: 'checkout', tags: ['critical'] }, { key: 'search' }],
};
const billing: UniverseProject = {
  key: 'billing',
  envs: [{ key: 'prod', production: true }],
  flags: [{ key: 'invoice' }],
};
const universe: Universe = { projects: [shop, billing] };
const protection = defaultProductionProtection();

function grantor(sources: GrantSource[], orgRole: OrgRole = 'member') {
  const principal = { memberId: 'g', orgRole, groups: [], index: compilePrincipalIndex(sources, cache) };
  return createDecider(principal, (_p, env) =>
    env === 'production' || env === 'prod' ? protection : undefined,
  );
}

const custom = (...statements: Statement[]): Policy => ({
  key: 'c',
  name: 'c',
  description: '',
  builtIn: false,
  statements,
});
const role = (key: keyof typeof BUILTIN_POLICIES, params: object) =>
  bindPolicy(BUILTIN_POLICIES[key], params);

describe('walkReached', () => {
  const reached = (pattern: string, u: Universe = universe) => {
    const out: string[] = [];
    walkReached(compileRnPattern(pattern), u, (r, future) => {
      out.push(describeReached(r, future) + (future ? ' (future)' : ''));
      return undefined;
    });
    return out;
  };

  it('lists existing resources and stand-ins for future ones', () => {
    expect(reached('project/shop:env/dev*:flag/*')).toEqual([
      'project/shop:env/dev:flag/checkout',
      'project/shop:env/dev:flag/search',
      'project/shop:env/dev:flag/* (future)',
      'project/shop:env/dev*;production:flag/checkout (future)',
      'project/shop:env/dev*;production:flag/search (future)',
      'project/shop:env/dev*;production:flag/* (future)',
      'project/shop:env/dev*;non-production:flag/checkout (future)',
      'project/shop:env/dev*;non-production:flag/search (future)',
      'project/shop:env/dev*;non-production:flag/* (future)',
    ]);
  });

  it('respects tags, literals and absent literals', () => {
    expect(reached('project/shop:env/*;production')).toEqual([
      'project/shop:env/production',
      'project/shop:env/*;production (future)',
    ]);
    expect(reached('project/shop:env/production:flag/*;critical')).toEqual([
      'project/shop:env/production:flag/checkout',
      'project/shop:env/production:flag/*;critical (future)',
    ]);
    expect(reached('project/shop:env/dev:var/*')).toEqual([
      'project/shop:env/dev:var/API_URL',
      'project/shop:env/dev:var/* (future)',
    ]);
    expect(reached('project/shop:env/dev:flag/new-one')).toEqual([
      'project/shop:env/dev:flag/new-one (future)',
    ]);
    expect(reached('org')).toEqual(['org']);
    expect(reached('member/*')).toEqual([]);
  });
});

describe('checkDelegation', () => {
  it('passes when the grantor holds everything the grant gives', () => {
    const admin = grantor([{ policy: BUILTIN_POLICIES['project-admin'], params: { project: 'shop' } }]);
    for (const key of [
      'project-admin',
      'production-access',
      'non-production-access',
      'project-reader',
    ] as const) {
      expect(checkDelegation(admin, role(key, { project: 'shop' }), universe), key).toEqual({
        ok: true,
        lacking: [],
        truncated: false,
      });
    }
    expect(
      checkDelegation(admin, role('flag-owner', { project: 'shop', flag: 'checkout' }), universe).ok,
    ).toBe(true);
    expect(
      checkDelegation(grantor([], 'owner'), role('project-admin', { project: 'billing' }), universe).ok,
    ).toBe(true);
  });

  it('names what the grantor lacks, existing and future resources alike', () => {
    const nonProd = grantor([
      { policy: BUILTIN_POLICIES['non-production-access'], params: { project: 'shop' } },
    ]);
    const r = checkDelegation(nonProd, role('production-access', { project: 'shop' }), universe, {
      limit: 3,
    });
    expect(r.ok).toBe(false);
    expect(r.truncated).toBe(true);
    expect(r.lacking).toEqual([
      { action: 'UpdateFlagOn', resource: 'project/shop:env/production:flag/checkout', future: false },
      { action: 'UpdateFlagRollout', resource: 'project/shop:env/production:flag/checkout', future: false },
      {
        action: 'UpdateFlagTargetingRules',
        resource: 'project/shop:env/production:flag/checkout',
        future: false,
      },
    ]);
    const literalOnly = grantor([
      {
        policy: custom({
          effect: 'allow',
          actions: ['CanAccessProject'],
          resources: ['project/shop', 'project/billing'],
        }),
        params: {},
      },
    ]);
    const wide = bindPolicy(
      custom({ effect: 'allow', actions: ['CanAccessProject'], resources: ['project/*'] }),
      {},
    );
    expect(checkDelegation(literalOnly, wide, universe).lacking).toEqual([
      { action: 'CanAccessProject', resource: 'project/*', future: true },
    ]);
  });

  it('never requires holding deny statements', () => {
    const g = grantor([{ policy: BUILTIN_POLICIES['project-reader'], params: { project: 'shop' } }]);
    const denies = bindPolicy(
      custom({ effect: 'deny', actions: ['*'], resources: ['project/*:env/*:flag/*'] }),
      {},
    );
    expect(checkDelegation(g, denies, universe).ok).toBe(true);
  });

  it('catches escalation through tags', () => {
    const g = grantor([
      { policy: BUILTIN_POLICIES['production-access'], params: { project: 'shop' } },
      {
        policy: custom({
          effect: 'deny',
          actions: ['UpdateFlagOn'],
          resources: ['project/*:env/*:flag/*;critical'],
        }),
        params: {},
      },
    ]);
    const grant = bindPolicy(
      custom({ effect: 'allow', actions: ['UpdateFlagOn'], resources: ['project/shop:env/dev:flag/*'] }),
      {},
    );
    expect(checkDelegation(g, grant, universe).lacking).toEqual([
      { action: 'UpdateFlagOn', resource: 'project/shop:env/dev:flag/checkout', future: false },
    ]);
  });
});

describe('limitEnvsForGrantor', () => {
  const nonProd = grantor([
    { policy: BUILTIN_POLICIES['non-production-access'], params: { project: 'shop' } },
  ]);

  it('limits a flag creator’s ownership to the environments they can change', () => {
    const owner = BUILTIN_POLICIES['flag-owner'];
    // DESIGN §5: a Non-Production Access member who creates a flag owns it in the non-production envs
    expect(limitEnvsForGrantor(nonProd, owner, { project: 'shop', flag: 'new-flag' }, shop)).toEqual([
      'dev',
      'staging',
    ]);
    const reader = grantor([{ policy: BUILTIN_POLICIES['project-reader'], params: { project: 'shop' } }]);
    expect(limitEnvsForGrantor(reader, owner, { project: 'shop', flag: 'new-flag' }, shop)).toEqual([]);
    expect(
      limitEnvsForGrantor(
        nonProd,
        BUILTIN_POLICIES['flag-user'],
        { project: 'shop', flag: 'checkout' },
        shop,
      ),
    ).toEqual(['dev', 'staging']);
  });

  it('gives every environment to a grantor holding everything, and honours requested envs', () => {
    const admin = grantor([{ policy: BUILTIN_POLICIES['project-admin'], params: { project: 'shop' } }]);
    const params = { project: 'shop', flag: 'checkout' };
    expect(limitEnvsForGrantor(admin, BUILTIN_POLICIES['flag-owner'], params, shop)).toEqual([
      'dev',
      'staging',
      'production',
    ]);
    expect(
      limitEnvsForGrantor(admin, BUILTIN_POLICIES['flag-owner'], { ...params, envs: ['*ing', 'dev'] }, shop),
    ).toEqual(['dev', 'staging']);
  });

  it('lets a flag owner limited to some environments share exactly those', () => {
    const g = grantor([
      { policy: BUILTIN_POLICIES['project-reader'], params: { project: 'shop' } },
      {
        policy: BUILTIN_POLICIES['flag-owner'],
        params: { project: 'shop', flag: 'checkout', envs: ['dev', 'staging'] },
      },
    ]);
    expect(
      limitEnvsForGrantor(g, BUILTIN_POLICIES['flag-owner'], { project: 'shop', flag: 'checkout' }, shop),
    ).toEqual(['dev', 'staging']);
    expect(
      limitEnvsForGrantor(g, BUILTIN_POLICIES['flag-user'], { project: 'shop', flag: 'search' }, shop),
    ).toEqual([]);
    const narrowed = role('flag-user', { project: 'shop', flag: 'checkout', envs: ['dev', 'staging'] });
    expect(checkDelegation(g, narrowed, universe).ok).toBe(true);
  });
});
