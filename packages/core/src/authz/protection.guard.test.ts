import { describe, expect, it } from 'vitest';
import { BUILTIN_POLICIES } from './builtin-policies';
import { createGrantCache } from './grant.compiler';
import { compilePrincipalIndex, type Principal } from './principal.index';
import {
  DEFAULT_PRODUCTION_PROTECTED_OPERATIONS,
  defaultProductionProtection,
  describeProtectionAllowed,
  protectionAllows,
  validateProtection,
} from './protection.guard';

const base: Omit<Principal, 'index'> = {
  memberId: 'm1',
  email: 'ann@acme.io',
  orgRole: 'member',
  groups: ['sre'],
};
const index = compilePrincipalIndex(
  [{ policy: BUILTIN_POLICIES['project-admin'], params: { project: 'shop' } }],
  createGrantCache(),
);

describe('protections', () => {
  it('start production with enable/disable, rollout and variable writes protected', () => {
    const p = defaultProductionProtection();
    expect(p.operations).toEqual([...DEFAULT_PRODUCTION_PROTECTED_OPERATIONS]);
    expect(p.operations).toEqual(
      expect.arrayContaining(['UpdateFlagOn', 'UpdateFlagRollout', 'WriteVariable']),
    );
    expect(p.allowed).toMatchObject({
      orgRoles: ['owner', 'admin'],
      policies: ['production-access', 'project-admin'],
    });
    expect(defaultProductionProtection()).not.toBe(p);
  });

  it('allow by org role, policy held for the project, group or member', () => {
    const p: Principal = { ...base, index };
    expect(protectionAllows(defaultProductionProtection(), p, 'shop')).toBe(true);
    expect(protectionAllows(defaultProductionProtection(), p, 'web')).toBe(false);
    expect(protectionAllows({ operations: [], allowed: { groups: ['sre'] } }, p, 'web')).toBe(true);
    expect(protectionAllows({ operations: [], allowed: { members: ['ann@acme.io'] } }, p, 'web')).toBe(true);
    expect(protectionAllows({ operations: [], allowed: { orgRoles: ['member'] } }, p, 'web')).toBe(true);
    expect(protectionAllows({ operations: [], allowed: {} }, p, 'shop')).toBe(false);
  });

  it('describe who may act', () => {
    expect(describeProtectionAllowed({ operations: [], allowed: {} })).toBe('nobody');
    expect(
      describeProtectionAllowed({
        operations: [],
        allowed: { orgRoles: ['owner'], groups: ['a', 'b'], members: ['x@y.z'] },
      }),
    ).toBe('the org role owner, members of the groups a or b, or x@y.z');
  });

  it('validate submitted protections', () => {
    expect(
      validateProtection({ operations: ['UpdateFlagOn', 'CanAccessEnv'], allowed: { orgRoles: ['admin'] } }),
    ).toEqual([]);
    expect(
      validateProtection({
        operations: ['CreateProject', 'UpdateFlagOm', 3],
        allowed: { orgRoles: ['boss'], policies: ['a b'], groups: 'x', members: ['nope'] },
      }),
    ).toEqual([
      { path: 'operations[0]', message: 'CreateProject is not an operation inside an environment' },
      { path: 'operations[1]', message: 'unknown action (did you mean "UpdateFlagOn"?)' },
      { path: 'operations[2]', message: 'unknown action' },
      { path: 'allowed.orgRoles[0]', message: 'must be owner, admin or member' },
      { path: 'allowed.policies[0]', message: expect.any(String) },
      { path: 'allowed.groups', message: 'must be an array' },
      { path: 'allowed.members[0]', message: expect.stringMatching(/must contain "@"/) },
    ]);
    expect(validateProtection({})).toEqual([{ path: 'operations', message: 'must be an array of actions' }]);
  });
});
