import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from './support/databases';
import { addMembers, type Caller, check, ok } from './support/iam-helpers';
import { auditEntries, setupOrganization, startTestServer, type TestServer } from './support/test-server';

describe.each(DATABASES)('policies, assignments and explanations on %s', (database) => {
  let t: TestServer;
  let owner: string;
  let people: Record<string, Caller>;

  beforeAll(async () => {
    t = await startTestServer(database, { backgroundJobs: false });
    owner = (await setupOrganization(t)).token;
    await ok(
      t.request('POST', '/api/v1/projects', {
        as: { token: owner },
        body: { key: 'checkout', name: 'Checkout' },
      }),
      201,
    );
    people = await addMembers(t, owner, ['sarah@acme.test', 'lee@acme.test', 'kim@acme.test']);
  });
  afterAll(async () => t.close());

  it('lists the built-in roles as read-only policies', async () => {
    const policies = await ok(
      t.request('GET', '/api/v1/policies', { as: { token: people['kim@acme.test']!.token } }),
    );
    const builtIn = policies.items
      .filter((p: { builtIn: boolean }) => p.builtIn)
      .map((p: { key: string }) => p.key);
    expect(builtIn).toEqual([
      'project-admin',
      'production-access',
      'non-production-access',
      'project-reader',
      'flag-owner',
      'flag-user',
    ]);
    const edit = await t.request('PUT', '/api/v1/policies/project-admin', {
      as: { token: owner },
      body: { name: 'x', statements: [] },
    });
    expect(edit.status).toBe(409);
  });

  it('rejects a malformed pattern or an inapplicable action, naming the statement, position and reason', async () => {
    const badPattern = await t.request('POST', '/api/v1/policies', {
      as: { token: owner },
      body: {
        key: 'bad',
        name: 'Bad',
        statements: [{ effect: 'allow', actions: ['UpdateFlagOn'], resources: ['project/a:flag/x'] }],
      },
    });
    expect(badPattern.status).toBe(400);
    expect(badPattern.body.errors[0].path).toBe('statements[0].resources[0]');
    expect(badPattern.body.errors[0].message).toMatch(/position|at \d+|column/i);
    const badAction = await t.request('POST', '/api/v1/policies', {
      as: { token: owner },
      body: {
        key: 'bad',
        name: 'Bad',
        statements: [{ effect: 'allow', actions: ['UpdateFlagOn'], resources: ['project/a'] }],
      },
    });
    expect(badAction.status).toBe(400);
    expect(badAction.body.errors[0].path).toMatch(/^statements\[0\]/);
    const typo = await t.request('POST', '/api/v1/policies', {
      as: { token: owner },
      body: {
        key: 'bad',
        name: 'Bad',
        statements: [
          { effect: 'allow', actions: ['UpdateFlagsOn'], resources: ['project/a:env/dev:flag/*'] },
        ],
      },
    });
    expect(typo.status).toBe(400);
    expect(JSON.stringify(typo.body.errors)).toContain('UpdateFlagOn');
    expect((await t.request('GET', '/api/v1/policies/bad', { as: { token: owner } })).status).toBe(404);
  });

  it('grants, explains, lists who can, shows effective permissions, and revokes', async () => {
    const granted = await ok(
      t.request('POST', '/api/v1/assignments', {
        as: { token: owner },
        body: { policy: 'production-access', member: 'sarah@acme.test', params: { project: 'checkout' } },
      }),
      201,
    );
    expect(granted).toMatchObject({
      policy: 'production-access',
      member: 'sarah@acme.test',
      params: { project: 'checkout' },
    });

    const decision = await check(
      t,
      owner,
      'sarah@acme.test',
      'UpdateFlagOn',
      'project/checkout:env/production:flag/checkout-v2',
    );
    expect(decision).toMatchObject({
      allowed: true,
      decision: 'allow',
      reason: { policy: 'production-access' },
    });
    const denied = await check(
      t,
      owner,
      'lee@acme.test',
      'UpdateFlagOn',
      'project/checkout:env/production:flag/checkout-v2',
    );
    expect(denied.allowed).toBe(false);
    expect(denied.decision).toBe('protected');

    const who = await ok(
      t.request(
        'GET',
        '/api/v1/authz/who-can?action=UpdateFlagOn&resource=project/checkout:env/production:flag/checkout-v2',
        { as: { token: owner } },
      ),
    );
    const members = who.items.map((i: { member: string }) => i.member).sort();
    expect(members).toEqual(['owner@acme.test', 'sarah@acme.test']);
    expect(who.items.find((i: { member: string }) => i.member === 'sarah@acme.test').via[0]).toMatchObject({
      policy: 'production-access',
    });

    const effective = await ok(
      t.request('GET', '/api/v1/members/sarah@acme.test/permissions', {
        as: { token: people['sarah@acme.test']!.token },
      }),
    );
    const production = effective.projects[0].environments.find(
      (e: { environment: string }) => e.environment === 'production',
    );
    expect(production.flagActions).toContain('UpdateFlagOn');
    expect(production.actions).toContain('CanAccessEnv');
    expect(effective.projects[0].actions).not.toContain('DeleteProject');

    const someoneElse = await t.request('GET', '/api/v1/members/sarah@acme.test/permissions', {
      as: { token: people['lee@acme.test']!.token },
    });
    expect(someoneElse.status).toBe(403);

    await ok(t.request('DELETE', `/api/v1/assignments/${granted.id}`, { as: { token: owner } }), 204);
    expect(
      (
        await check(
          t,
          owner,
          'sarah@acme.test',
          'UpdateFlagOn',
          'project/checkout:env/production:flag/checkout-v2',
        )
      ).allowed,
    ).toBe(false);
  });

  it('previews who gains and who loses what before saving', async () => {
    await ok(
      t.request('POST', '/api/v1/policies', {
        as: { token: owner },
        body: {
          key: 'dev-toggles',
          name: 'Dev toggles',
          statements: [
            { effect: 'allow', actions: ['CanAccessProject'], resources: ['project/checkout'] },
            { effect: 'allow', actions: ['CanAccessEnv'], resources: ['project/checkout:env/development'] },
          ],
        },
      }),
      201,
    );
    const preview = await ok(
      t.request('POST', '/api/v1/assignments/preview', {
        as: { token: owner },
        body: { policy: 'dev-toggles', member: 'lee@acme.test' },
      }),
    );
    expect(preview.members).toEqual([
      {
        member: 'lee@acme.test',
        gains: expect.arrayContaining([
          { action: 'CanAccessEnv', resource: 'project/checkout:env/development' },
        ]),
        losses: [],
      },
    ]);
    await ok(
      t.request('POST', '/api/v1/assignments', {
        as: { token: owner },
        body: { policy: 'dev-toggles', member: 'lee@acme.test' },
      }),
      201,
    );
    const edit = await ok(
      t.request('POST', '/api/v1/policies/dev-toggles/preview', {
        as: { token: owner },
        body: {
          statements: [{ effect: 'allow', actions: ['CanAccessProject'], resources: ['project/checkout'] }],
        },
      }),
    );
    expect(edit.members).toEqual([
      {
        member: 'lee@acme.test',
        gains: [],
        losses: [{ action: 'CanAccessEnv', resource: 'project/checkout:env/development' }],
      },
    ]);
    // nothing was saved by either preview
    expect(
      (await check(t, owner, 'lee@acme.test', 'CanAccessEnv', 'project/checkout:env/development')).allowed,
    ).toBe(true);
  });

  it('starts production with its protected operations and lets the owner change them', async () => {
    const protection = await ok(
      t.request('GET', '/api/v1/projects/checkout/environments/production/protection', {
        as: { token: owner },
      }),
    );
    expect(protection.operations).toEqual(
      expect.arrayContaining(['UpdateFlagOn', 'UpdateFlagRollout', 'WriteVariable']),
    );
    expect(protection.allowed.policies).toEqual(['production-access', 'project-admin']);
    const dev = await ok(
      t.request('GET', '/api/v1/projects/checkout/environments/development/protection', {
        as: { token: owner },
      }),
    );
    expect(dev.operations).toEqual([]);
    const bad = await t.request('PUT', '/api/v1/projects/checkout/environments/production/protection', {
      as: { token: owner },
      body: { operations: ['CreateProject'], allowed: {} },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('operations[0]');
    const byMember = await t.request('PUT', '/api/v1/projects/checkout/environments/production/protection', {
      as: { token: people['kim@acme.test']!.token },
      body: { operations: [], allowed: {} },
    });
    expect(byMember.status).toBe(403);
  });

  it('drops the grants bound to a project when the project is deleted', async () => {
    await ok(
      t.request('POST', '/api/v1/projects', {
        as: { token: owner },
        body: { key: 'tmp', name: 'Temporary' },
      }),
      201,
    );
    await ok(
      t.request('POST', '/api/v1/assignments', {
        as: { token: owner },
        body: { policy: 'project-reader', member: 'kim@acme.test', params: { project: 'tmp' } },
      }),
      201,
    );
    await ok(t.request('DELETE', '/api/v1/projects/tmp', { as: { token: owner } }), 204);
    await ok(
      t.request('POST', '/api/v1/projects', {
        as: { token: owner },
        body: { key: 'tmp', name: 'Temporary again' },
      }),
      201,
    );
    const assignments = await ok(
      t.request('GET', '/api/v1/assignments?member=kim@acme.test', { as: { token: owner } }),
    );
    expect(assignments.items).toEqual([]);
    expect((await check(t, owner, 'kim@acme.test', 'CanAccessProject', 'project/tmp')).allowed).toBe(false);
  });

  it('records every grant and revocation with a readable summary', async () => {
    const summaries = (await auditEntries(t)).map((e) => e.summary);
    expect(summaries).toContain('permission granted sarah@acme.test production-access on checkout project');
    expect(summaries).toContain('permission revoked sarah@acme.test production-access on checkout project');
    expect(
      summaries.some((s) => s.startsWith('protected') || s.startsWith('created policy dev-toggles')),
    ).toBe(true);
  });
});
