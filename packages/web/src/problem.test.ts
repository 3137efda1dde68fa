import { describe, expect, it } from 'vitest';
import { describeAllowed, describeMissing, environmentOf, orList, problemLines } from './problem';

const protectedReason =
  'Denied: UpdateFlagOn is a protected operation in environment "production" of project "shop"; only the org roles owner and admin, or holders of the policies production-access or project-admin of this project may perform it. Ask one of them, or an organization admin to change the protection.';

describe('problem → message', () => {
  it('finds the environment of a resource name', () => {
    expect(environmentOf('project/shop:env/production:flag/checkout')).toBe('production');
    expect(environmentOf('project/shop:env/*:flag/checkout')).toBe('*');
    expect(environmentOf('project/shop')).toBeUndefined();
  });

  it('joins alternatives in plain words', () => {
    expect(orList([])).toBe('');
    expect(orList(['a'])).toBe('a');
    expect(orList(['a', 'b'])).toBe('a or b');
    expect(orList(['a', 'b', 'c'])).toBe('a, b or c');
  });

  it('says who a protection lets through, with the roles’ names', () => {
    expect(
      describeAllowed(
        { orgRoles: ['owner', 'admin'], policies: ['production-access'], groups: [], members: [] },
        { 'production-access': 'Production Access' },
      ),
    ).toBe('an owner, an admin or someone with Production Access');
    expect(
      describeAllowed({ orgRoles: [], policies: ['a', 'b'], groups: ['sre'], members: ['x@acme.com'] }, {}),
    ).toBe('someone with a or b, a member of the group sre or x@acme.com');
    expect(describeAllowed({})).toMatch(/^nobody/);
  });

  it('names a protected operation, the environment and whom to ask', () => {
    const missing = {
      action: 'UpdateFlagOn',
      resource: 'project/shop:env/production:flag/checkout',
      decision: 'protected',
      reason: protectedReason,
      protection: { project: 'shop', environment: 'production', operation: 'UpdateFlagOn' },
    };
    expect(describeMissing(missing, () => 'an owner, an admin or someone with Production Access')).toBe(
      'UpdateFlagOn in production is protected: ask an owner, an admin or someone with Production Access',
    );
    // Without the protection at hand, the server's own words say whom to ask.
    expect(describeMissing(missing)).toBe(
      'UpdateFlagOn in production is protected: ask the org roles owner and admin, or holders of the policies production-access or project-admin of this project',
    );
  });

  it('keeps the server explanation of other refusals', () => {
    expect(
      describeMissing({
        action: 'DeleteFlag',
        resource: 'project/shop:env/*:flag/checkout',
        decision: 'implicit-deny',
        reason:
          'Denied: none of your policies allows DeleteFlag on project/shop:env/production:flag/checkout.',
      }),
    ).toBe(
      'You may not DeleteFlag in every environment: none of your policies allows DeleteFlag on project/shop:env/production:flag/checkout.',
    );
  });

  it('lists one line per missing action, the fields of a validation failure, or the detail', () => {
    expect(
      problemLines({
        status: 403,
        code: 'forbidden',
        detail: 'not allowed: …',
        missing: [
          { action: 'UpdateFlagOn', resource: 'project/s:env/dev:flag/f', reason: 'Denied: no.' },
          { action: 'UpdateFlagRollout', resource: 'project/s:env/dev:flag/f', reason: 'Denied: no.' },
        ],
      }),
    ).toEqual(['You may not UpdateFlagOn in dev: no.', 'You may not UpdateFlagRollout in dev: no.']);
    expect(
      problemLines({
        status: 400,
        code: 'validation-failed',
        detail: 'the request is invalid',
        errors: [{ path: 'key', message: 'must not be empty' }],
      }),
    ).toEqual(['the request is invalid', 'key: must not be empty']);
    expect(problemLines({ status: 409, code: 'version-conflict', detail: 'stale version 3' })[0]).toMatch(
      /^stale version 3 — reload/,
    );
    expect(problemLines({ status: 404, code: 'not-found', detail: 'no flag x' })).toEqual(['no flag x']);
  });
});
