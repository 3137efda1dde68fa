import { describe, expect, it } from 'vitest';
import { rn } from '../rn/rn.resource';
import { ACTION_CATALOG, ACTION_NAMES } from './action.catalog';
import { BUILTIN_POLICIES } from './builtin-policies';
import { createDecider, decide, isAllowed } from './decision.engine';
import { createGrantCache } from './grant.compiler';
import type { OrgRole, Policy, Statement } from './policy.types';
import { compilePrincipalIndex, type GrantSource, type Principal } from './principal.index';
import { defaultProductionProtection, type EnvProtection } from './protection.guard';

const cache = createGrantCache();
const prod = { key: 'production', production: true };
const dev = { key: 'dev', production: false };

function member(
  sources: GrantSource[],
  opts: { orgRole?: OrgRole; groups?: string[]; id?: string; email?: string } = {},
): Principal {
  return {
    memberId: opts.id ?? 'm1',
    email: opts.email ?? 'ann@acme.io',
    orgRole: opts.orgRole ?? 'member',
    groups: opts.groups ?? [],
    index: compilePrincipalIndex(sources, cache),
  };
}

function policy(key: string, ...statements: Statement[]): Policy {
  return { key, name: key, description: '', builtIn: false, statements };
}

const reader: GrantSource = { policy: BUILTIN_POLICIES['project-reader'], params: { project: 'shop' } };
const prodAccess: GrantSource = {
  policy: BUILTIN_POLICIES['production-access'],
  params: { project: 'shop' },
};
const flag = (env = prod, tags: string[] = []) => rn.flag('shop', env, { key: 'checkout', tags });

describe('decide: default deny and allow', () => {
  it('denies by default with an actionable message', () => {
    const d = decide(member([]), 'UpdateFlagOn', flag(dev));
    expect(d).toEqual({
      allowed: false,
      decision: 'implicit-deny',
      reason: {
        kind: 'implicit-deny',
        message:
          'Denied: none of your policies allows UpdateFlagOn on project/shop:env/dev:flag/checkout; ask a project admin or an organization admin for a role that grants it.',
      },
    });
    expect(decide(member([]), 'CreateProject', rn.org()).reason.message).toMatch(/ask an organization admin/);
  });

  it('names the allowing policy, statement and group', () => {
    const p = member([{ ...prodAccess, group: 'releasers' }], { groups: ['releasers'] });
    const d = decide(p, 'UpdateFlagTargetingRules', flag(dev));
    expect(d).toEqual({
      allowed: true,
      decision: 'allow',
      reason: {
        kind: 'allow',
        policy: 'production-access',
        statement: 2,
        group: 'releasers',
        message:
          'Allowed: statement 2 of policy "production-access" (assigned to group "releasers") allows UpdateFlagTargetingRules on project/shop:env/dev:flag/checkout.',
      },
    });
  });

  it('refuses unknown actions and actions on the wrong resource type', () => {
    const owner = member([], { orgRole: 'owner' });
    expect(decide(owner, 'Fly', rn.org()).reason.message).toBe('Denied: "Fly" is not a known action.');
    expect(decide(owner, 'UpdateFlagOn', rn.env('shop', dev))).toMatchObject({
      allowed: false,
      decision: 'implicit-deny',
      reason: { message: 'Denied: UpdateFlagOn applies to flag resources, not to project/shop:env/dev.' },
    });
  });
});

describe('decide: explicit deny', () => {
  const freeze = policy('freeze', {
    effect: 'deny',
    actions: ['UpdateFlagOn'],
    resources: ['project/*:env/*:flag/*;critical'],
  });

  it('beats any allow and names policy, statement and group', () => {
    const p = member([prodAccess, { policy: freeze, params: {}, group: 'oncall' }], { groups: ['oncall'] });
    expect(decide(p, 'UpdateFlagOn', flag(dev, ['critical']))).toMatchObject({
      allowed: false,
      decision: 'explicit-deny',
      reason: { kind: 'explicit-deny', policy: 'freeze', statement: 0, group: 'oncall' },
    });
    expect(decide(p, 'UpdateFlagOn', flag(dev)).allowed).toBe(true);
    expect(decide(p, 'UpdateFlagOn', flag(dev, ['critical'])).reason.message).toMatch(
      /^Denied: statement 0 of policy "freeze" \(assigned to group "oncall"\) explicitly denies UpdateFlagOn/,
    );
  });

  it('applies to admins but never to the owner', () => {
    const admin = member([{ policy: freeze, params: {} }], { orgRole: 'admin' });
    expect(decide(admin, 'UpdateFlagOn', flag(dev, ['critical'])).decision).toBe('explicit-deny');
    const owner = member([{ policy: freeze, params: {} }], { orgRole: 'owner' });
    expect(decide(owner, 'UpdateFlagOn', flag(dev, ['critical'])).decision).toBe('allow');
  });
});

describe('decide: org roles', () => {
  it('lets the owner do everything, owner-only actions included', () => {
    const owner = member([], { orgRole: 'owner' });
    for (const action of ['DeleteOrg', 'TransferOwnership', 'UpdateOrgSettings', 'ManagePolicies']) {
      expect(decide(owner, action, rn.org())).toMatchObject({
        allowed: true,
        reason: { kind: 'allow', orgRole: 'owner' },
      });
    }
    expect(decide(owner, 'DeleteProject', rn.project('shop')).allowed).toBe(true);
  });

  it('lets admins do everything but the owner-only actions', () => {
    const admin = member([], { orgRole: 'admin' });
    for (const action of ACTION_NAMES) {
      const resource = {
        org: rn.org(),
        project: rn.project('shop'),
        env: rn.env('shop', prod),
        flag: flag(),
        var: rn.variable('shop', prod, 'X'),
        segment: rn.segment('shop', prod, 's'),
      }[ACTION_CATALOG[action].resourceType as 'org'];
      const d = decide(admin, action, resource);
      const ownerOnly = ['DeleteOrg', 'TransferOwnership', 'UpdateOrgSettings'].includes(action);
      expect(d.allowed, action).toBe(!ownerOnly);
      if (ownerOnly)
        expect(d.reason.message).toBe(
          `Denied: ${action} is reserved to the organization owner; ask the owner.`,
        );
      else expect(d.reason.orgRole).toBe('admin');
    }
  });

  it('never lets a policy grant owner-only actions', () => {
    const sneaky = policy('sneaky', { effect: 'allow', actions: ['*', 'DeleteOrg'], resources: ['org'] });
    const p = member([{ policy: sneaky, params: {} }]);
    expect(decide(p, 'DeleteOrg', rn.org()).allowed).toBe(false);
    expect(decide(p, 'ManageMembers', rn.org()).allowed).toBe(true);
  });
});

describe('decide: protected operations', () => {
  const protection = defaultProductionProtection();
  const nonProd: GrantSource = {
    policy: BUILTIN_POLICIES['flag-user'],
    params: { project: 'shop', flag: 'checkout' },
  };

  it('refuses anyone not allowed by the protection, whatever their policies, naming it', () => {
    const p = member([reader, nonProd]);
    const d = decide(p, 'UpdateFlagOn', flag(), protection);
    expect(d.decision).toBe('protected');
    expect(d.reason.protection).toEqual({
      project: 'shop',
      environment: 'production',
      operation: 'UpdateFlagOn',
    });
    expect(d.reason.message).toBe(
      'Denied: UpdateFlagOn is a protected operation in environment "production" of project "shop"; only the org roles owner and admin, or holders of the policies production-access or project-admin of this project may perform it. Ask one of them, or an organization admin to change the protection.',
    );
    // unprotected operations and unprotected environments are unaffected
    expect(decide(p, 'UpdateFlagTargetingRules', flag(), protection).allowed).toBe(true);
    expect(decide(p, 'UpdateFlagOn', flag()).allowed).toBe(true);
  });

  it('lets holders of the listed policy for that project through, not for another project', () => {
    expect(decide(member([prodAccess]), 'UpdateFlagOn', flag(), protection).allowed).toBe(true);
    const other = member([
      reader,
      nonProd,
      { policy: BUILTIN_POLICIES['production-access'], params: { project: 'billing' } },
    ]);
    expect(decide(other, 'UpdateFlagOn', flag(), protection).decision).toBe('protected');
    const viaGroup = member([reader, nonProd, { ...prodAccess, group: 'rel' }], { groups: ['rel'] });
    expect(decide(viaGroup, 'UpdateFlagOn', flag(), protection).allowed).toBe(true);
  });

  it('lets listed groups and members (by id or email) through', () => {
    const prot: EnvProtection = {
      operations: ['UpdateFlagOn'],
      allowed: { groups: ['sre'], members: ['m9', 'bob@acme.io'] },
    };
    const grants = [reader, nonProd];
    expect(decide(member(grants, { groups: ['sre'] }), 'UpdateFlagOn', flag(), prot).allowed).toBe(true);
    expect(decide(member(grants, { id: 'm9' }), 'UpdateFlagOn', flag(), prot).allowed).toBe(true);
    expect(decide(member(grants, { email: 'bob@acme.io' }), 'UpdateFlagOn', flag(), prot).allowed).toBe(true);
    expect(decide(member(grants), 'UpdateFlagOn', flag(), prot).reason.message).toMatch(
      /only members of the group sre, or m9 or bob@acme.io may perform it/,
    );
  });

  it('comes before deny and binds admins and the owner unless listed', () => {
    const prot: EnvProtection = {
      operations: ['UpdateFlagOn', 'ManageProtectedOperations'],
      allowed: { members: ['x@y.z'] },
    };
    expect(decide(member([], { orgRole: 'admin' }), 'UpdateFlagOn', flag(), prot).decision).toBe('protected');
    expect(decide(member([], { orgRole: 'owner' }), 'UpdateFlagOn', flag(), prot).decision).toBe('protected');
    const denied = member([
      {
        policy: policy('d', { effect: 'deny', actions: ['*'], resources: ['project/*:env/*:flag/*'] }),
        params: {},
      },
    ]);
    expect(decide(denied, 'UpdateFlagOn', flag(), prot).decision).toBe('protected');
    expect(
      decide(member([], { orgRole: 'admin' }), 'ManageProtectedOperations', rn.env('shop', prod), prot)
        .decision,
    ).toBe('protected');
  });

  it('never locks the owner out of changing the protection list', () => {
    const prot: EnvProtection = {
      operations: ['ManageProtectedOperations', 'CanAccessEnv'],
      allowed: { orgRoles: [] },
    };
    const owner = member([], { orgRole: 'owner' });
    expect(decide(owner, 'ManageProtectedOperations', rn.env('shop', prod), prot)).toMatchObject({
      allowed: true,
      reason: { orgRole: 'owner' },
    });
    expect(isAllowed(owner, 'ManageProtectedOperations', rn.env('shop', prod), prot)).toBe(true);
    // …while everyone else, admins included, is bound by it
    expect(decide(owner, 'UpdateEnvSettings', rn.env('shop', prod), prot).decision).toBe('missing-access');
    expect(
      decide(member([], { orgRole: 'admin' }), 'ManageProtectedOperations', rn.env('shop', prod), prot)
        .decision,
    ).toBe('protected');
  });
});

describe('decide: ancestor access', () => {
  const user: GrantSource = {
    policy: BUILTIN_POLICIES['flag-user'],
    params: { project: 'shop', flag: 'checkout' },
  };

  it('requires CanAccessProject on the project', () => {
    const d = decide(member([user]), 'UpdateFlagRollout', flag(dev));
    expect(d.decision).toBe('missing-access');
    expect(d.reason.missing).toEqual({ action: 'CanAccessProject', resource: 'project/shop' });
    expect(d.reason.cause?.kind).toBe('implicit-deny');
    expect(d.reason.message).toBe(
      'Denied: UpdateFlagRollout on project/shop:env/dev:flag/checkout also needs CanAccessProject on project/shop, which you do not have; ask a project admin or an organization admin for access to that project.',
    );
  });

  it('requires CanAccessEnv on the environment, explaining why it is refused', () => {
    const onlyProject = policy('p', {
      effect: 'allow',
      actions: ['CanAccessProject'],
      resources: ['project/shop'],
    });
    const noProd = policy('no-prod', {
      effect: 'deny',
      actions: ['CanAccessEnv'],
      resources: ['project/*:env/*;production'],
    });
    const p = member(
      [user, { policy: onlyProject, params: {} }, { policy: noProd, params: {}, group: 'g' }],
      { groups: ['g'] },
    );
    expect(decide(p, 'UpdateFlagRollout', flag(dev)).reason.missing).toEqual({
      action: 'CanAccessEnv',
      resource: 'project/shop:env/dev',
    });
    const d = decide(p, 'UpdateFlagRollout', flag(prod));
    expect(d.decision).toBe('missing-access');
    expect(d.reason.cause).toMatchObject({ kind: 'explicit-deny', policy: 'no-prod', group: 'g' });
  });

  it('applies to actions on the project or environment itself, not to the access actions', () => {
    const settings = policy('s', {
      effect: 'allow',
      actions: ['UpdateProjectSettings', 'CanAccessEnv'],
      resources: ['project/shop'],
    });
    expect(
      decide(member([{ policy: settings, params: {} }]), 'UpdateProjectSettings', rn.project('shop')).reason
        .missing,
    ).toEqual({
      action: 'CanAccessProject',
      resource: 'project/shop',
    });
    const envOnly = policy('e', {
      effect: 'allow',
      actions: ['CanAccessEnv'],
      resources: ['project/shop:env/*'],
    });
    expect(
      decide(member([{ policy: envOnly, params: {} }]), 'CanAccessEnv', rn.env('shop', dev)).reason.missing
        ?.action,
    ).toBe('CanAccessProject');
    expect(decide(member([reader]), 'CanAccessEnv', rn.env('shop', dev)).allowed).toBe(true);
  });

  it('passes the environment protection to the CanAccessEnv check', () => {
    const prot: EnvProtection = { operations: ['CanAccessEnv'], allowed: { groups: ['sre'] } };
    const d = decide(member([reader, user]), 'UpdateFlagOn', flag(), prot);
    expect(d.decision).toBe('missing-access');
    expect(d.reason.cause?.kind).toBe('protected');
  });
});

describe('createDecider / isAllowed', () => {
  it('looks up the protection of the resource environment', () => {
    const protections = new Map([['shop/production', defaultProductionProtection()]]);
    const p = member([
      reader,
      { policy: BUILTIN_POLICIES['flag-user'], params: { project: 'shop', flag: 'checkout' } },
    ]);
    const can = createDecider(p, (project, env) => protections.get(`${project}/${env}`));
    expect(can('UpdateFlagOn', flag()).decision).toBe('protected');
    expect(can('UpdateFlagOn', flag(dev)).allowed).toBe(true);
    expect(can('CanAccessProject', rn.project('shop')).allowed).toBe(true);
    expect(createDecider(p)('UpdateFlagOn', flag()).allowed).toBe(true);
  });

  it('agrees with decide', () => {
    const p = member([reader, prodAccess]);
    const protection = defaultProductionProtection();
    for (const action of ACTION_NAMES) {
      for (const r of [
        flag(),
        flag(dev),
        rn.env('shop', prod),
        rn.project('shop'),
        rn.org(),
        rn.variable('shop', dev, 'X'),
      ]) {
        expect(isAllowed(p, action, r, protection), `${action} ${r.text}`).toBe(
          decide(p, action, r, protection).allowed,
        );
      }
    }
  });
});
