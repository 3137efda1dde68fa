import { describe, expect, it } from 'vitest';
import { rn } from '../rn/rn.resource';
import type { ResourceName } from '../rn/rn.types';
import { ACTION_CATALOG, ACTION_NAMES, FLAG_CONFIG_ACTIONS } from './action.catalog';
import {
  BUILTIN_POLICIES,
  BUILTIN_POLICY_LIST,
  FLAG_ROLE_KEYS,
  getBuiltinPolicy,
  isBuiltinPolicyKey,
  PROJECT_ROLE_KEYS,
} from './builtin-policies';
import { createDecider, decide } from './decision.engine';
import { createGrantCache } from './grant.compiler';
import type { AssignmentParams } from './policy.types';
import { compilePrincipalIndex, type GrantSource, type Principal } from './principal.index';
import { defaultProductionProtection } from './protection.guard';
import { decideScoped, type EnvInfo } from './scope.check';

const cache = createGrantCache();
const dev: EnvInfo = { key: 'dev', production: false };
const staging: EnvInfo = { key: 'staging', production: false, tags: ['eu'] };
const prod: EnvInfo = { key: 'production', production: true };
const envs = [dev, staging, prod];
const protection = defaultProductionProtection();
const protectionOf = (_p: string, env: string) => (env === 'production' ? protection : undefined);

function holder(...grants: [keyof typeof BUILTIN_POLICIES, AssignmentParams][]): Principal {
  const sources: GrantSource[] = grants.map(([key, params]) => ({ policy: BUILTIN_POLICIES[key], params }));
  return { memberId: 'm', orgRole: 'member', groups: [], index: compilePrincipalIndex(sources, cache) };
}

function resourcesOf(type: string, project = 'shop'): ResourceName[] {
  switch (type) {
    case 'org':
      return [rn.org()];
    case 'project':
      return [rn.project(project)];
    case 'env':
      return envs.map((e) => rn.env(project, e));
    case 'flag':
      return envs.map((e) => rn.flag(project, e, 'checkout'));
    case 'var':
      return envs.map((e) => rn.variable(project, e, 'API_URL'));
    default:
      return envs.map((e) => rn.segment(project, e, 'beta'));
  }
}

/** Every (action, resource) pair the principal may perform in project `shop` (single-resource checks). */
function allowedIn(p: Principal, project = 'shop'): Set<string> {
  const out = new Set<string>();
  for (const action of ACTION_NAMES) {
    for (const r of resourcesOf(ACTION_CATALOG[action].resourceType, project)) {
      const prot = r.env === undefined ? undefined : protectionOf(project, r.env);
      if (decide(p, action, r, prot).allowed) out.add(`${action} ${r.text}`);
    }
  }
  return out;
}

const scoped = (p: Principal, action: string, flag = 'checkout') =>
  decideScoped(createDecider(p, protectionOf), action, { project: 'shop', flag, envs });

describe('built-in policy catalogue', () => {
  it('is read-only and keyed as API.md says', () => {
    expect(BUILTIN_POLICY_LIST.map((p) => p.key)).toEqual([...PROJECT_ROLE_KEYS, ...FLAG_ROLE_KEYS]);
    for (const p of BUILTIN_POLICY_LIST) expect(p.builtIn).toBe(true);
    expect(isBuiltinPolicyKey('flag-owner')).toBe(true);
    expect(isBuiltinPolicyKey('toString')).toBe(false);
    expect(getBuiltinPolicy('nope')).toBeUndefined();
  });
});

describe('Project Admin', () => {
  const p = holder(['project-admin', { project: 'shop' }]);

  it('does everything in its project except deleting it, managing its access included', () => {
    const allowed = allowedIn(p);
    for (const action of ACTION_NAMES) {
      const type = ACTION_CATALOG[action].resourceType;
      if (type === 'org') continue;
      for (const r of resourcesOf(type)) {
        expect(allowed.has(`${action} ${r.text}`), `${action} ${r.text}`).toBe(action !== 'DeleteProject');
      }
    }
    expect(scoped(p, 'DeleteFlag').allowed).toBe(true);
  });

  it('reaches neither other projects nor the organization', () => {
    expect(allowedIn(p, 'billing').size).toBe(0);
    expect(decide(p, 'CreateProject', rn.org()).allowed).toBe(false);
    expect(decide(p, 'ManagePolicies', rn.org()).allowed).toBe(false);
  });
});

describe('Production Access', () => {
  const p = holder(['production-access', { project: 'shop' }]);

  it('creates, changes, enables and launches flags everywhere, production included', () => {
    for (const action of [...FLAG_CONFIG_ACTIONS, 'UpdateFlagDetails', 'ArchiveFlag', 'CreateFlag']) {
      expect(scoped(p, action).allowed, action).toBe(true);
    }
    for (const e of envs) {
      expect(
        decide(p, 'UpdateFlagOn', rn.flag('shop', e, 'checkout'), protectionOf('shop', e.key)).allowed,
      ).toBe(true);
    }
  });

  it('reads and writes variables and manages flags, but not environments or project access', () => {
    expect(decide(p, 'WriteVariable', rn.variable('shop', prod, 'X'), protection).allowed).toBe(true);
    expect(decide(p, 'ReadVariable', rn.variable('shop', prod, 'X')).allowed).toBe(true);
    expect(decide(p, 'DeleteVariable', rn.variable('shop', prod, 'X')).allowed).toBe(false);
    expect(scoped(p, 'DeleteFlag').allowed).toBe(true);
    expect(scoped(p, 'ManageFlagPermissions').allowed).toBe(true);
    expect(decide(p, 'UpdateEnvSettings', rn.env('shop', prod)).allowed).toBe(false);
    expect(decide(p, 'ManageProtectedOperations', rn.env('shop', prod)).allowed).toBe(false);
    expect(decide(p, 'ManageProjectAccess', rn.project('shop')).allowed).toBe(false);
  });
});

describe('Non-Production Access', () => {
  const p = holder(['non-production-access', { project: 'shop' }]);

  it('creates flags (any-env) and edits and toggles them outside production', () => {
    expect(scoped(p, 'CreateFlag', 'new-flag').allowed).toBe(true);
    for (const e of [dev, staging]) {
      for (const action of FLAG_CONFIG_ACTIONS)
        expect(decide(p, action, rn.flag('shop', e, 'checkout')).allowed).toBe(true);
      expect(decide(p, 'WriteVariable', rn.variable('shop', e, 'X')).allowed).toBe(true);
    }
  });

  it('reads production but cannot change it, even without a protection', () => {
    expect(decide(p, 'CanAccessEnv', rn.env('shop', prod)).allowed).toBe(true);
    for (const action of FLAG_CONFIG_ACTIONS) {
      const d = decide(p, action, rn.flag('shop', prod, 'checkout'));
      expect(d.decision, action).toBe('implicit-deny');
    }
    expect(decide(p, 'WriteVariable', rn.variable('shop', prod, 'X')).allowed).toBe(false);
    expect(decide(p, 'ReadVariable', rn.variable('shop', prod, 'X')).allowed).toBe(false);
  });

  it('cannot delete or archive a flag, because those reach production (every-env)', () => {
    expect(decide(p, 'DeleteFlag', rn.flag('shop', dev, 'checkout')).allowed).toBe(true);
    for (const action of ['DeleteFlag', 'ArchiveFlag', 'UpdateFlagDetails']) {
      const d = scoped(p, action);
      expect(d.allowed, action).toBe(false);
      expect(d.reason.environment).toBe('production');
      expect(d.reason.message).toMatch(
        new RegExp(`^${action} reaches every environment of project "shop"; in "production": Denied`),
      );
    }
  });

  it('is additive with Production Access held through another assignment', () => {
    const both = holder(
      ['non-production-access', { project: 'shop' }],
      ['production-access', { project: 'shop' }],
    );
    expect(decide(both, 'UpdateFlagOn', rn.flag('shop', prod, 'checkout'), protection).allowed).toBe(true);
    expect(scoped(both, 'ArchiveFlag').allowed).toBe(true);
  });

  it('fails closed on an environment whose production flag is unknown', () => {
    expect(decide(p, 'UpdateFlagOn', rn.flag('shop', 'mystery', 'checkout')).allowed).toBe(false);
  });
});

describe('Reader', () => {
  it('only reads the project and its environments', () => {
    const allowed = allowedIn(holder(['project-reader', { project: 'shop' }]));
    expect([...allowed].sort()).toEqual(
      ['CanAccessProject project/shop', ...envs.map((e) => `CanAccessEnv project/shop:env/${e.key}`)].sort(),
    );
  });
});

describe('Flag Owner and Flag User', () => {
  const reader: [keyof typeof BUILTIN_POLICIES, AssignmentParams] = ['project-reader', { project: 'shop' }];

  it('Flag Owner does every flag action on that flag only, in every environment', () => {
    const p = holder(reader, ['flag-owner', { project: 'shop', flag: 'checkout' }]);
    const unprotected = createDecider(p);
    for (const action of ACTION_NAMES.filter((a) => ACTION_CATALOG[a].resourceType === 'flag')) {
      expect(
        decideScoped(unprotected, action, { project: 'shop', flag: 'checkout', envs }).allowed,
        action,
      ).toBe(true);
      expect(
        decideScoped(unprotected, action, { project: 'shop', flag: 'other', envs }).allowed,
        action,
      ).toBe(false);
    }
    // the production protection still applies to flag owners
    expect(scoped(p, 'UpdateFlagOn').decision).toBe('protected');
  });

  it('Flag Owner limited to non-production environments cannot delete, archive or touch production', () => {
    const p = holder(reader, ['flag-owner', { project: 'shop', flag: 'checkout', envs: ['dev', 'staging'] }]);
    expect(scoped(p, 'DeleteFlag').allowed).toBe(false);
    expect(scoped(p, 'ArchiveFlag').allowed).toBe(false);
    expect(decide(p, 'UpdateFlagOn', rn.flag('shop', prod, 'checkout')).allowed).toBe(false);
    expect(decide(p, 'UpdateFlagOn', rn.flag('shop', dev, 'checkout')).allowed).toBe(true);
  });

  it('Flag User changes configuration and toggles in every environment, subject to protections', () => {
    const p = holder(reader, ['flag-user', { project: 'shop', flag: 'checkout' }]);
    for (const action of FLAG_CONFIG_ACTIONS) {
      expect(decide(p, action, rn.flag('shop', dev, 'checkout')).allowed, action).toBe(true);
    }
    expect(decide(p, 'UpdateFlagTargetingRules', rn.flag('shop', prod, 'checkout'), protection).allowed).toBe(
      true,
    );
    expect(decide(p, 'UpdateFlagOn', rn.flag('shop', prod, 'checkout'), protection).decision).toBe(
      'protected',
    );
    expect(scoped(p, 'UpdateFlagDetails').allowed).toBe(false);
    expect(scoped(p, 'ManageFlagPermissions').allowed).toBe(false);
  });

  it('flag roles alone do not open the project (ancestor rule)', () => {
    const p = holder(['flag-owner', { project: 'shop', flag: 'checkout' }]);
    expect(decide(p, 'UpdateFlagOn', rn.flag('shop', dev, 'checkout')).decision).toBe('missing-access');
  });
});
