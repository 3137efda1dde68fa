import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from './support/databases';
import { addMembers, type Caller, check, config, ok, patchConfig } from './support/iam-helpers';
import { auditEntries, setupOrganization, startTestServer, type TestServer } from './support/test-server';

const ENVS = ['dev', 'staging', 'production'] as const;
const FLAG_ACTIONS = [
  'UpdateFlagOn',
  'UpdateFlagRollout',
  'UpdateFlagTargetingRules',
  'UpdateFlagIndividualTargeting',
  'UpdateFlagDefaultRule',
  'UpdateFlagOffVariation',
  'ScheduleFlagRollout',
];
const EVERY_ENV_FLAG_ACTIONS = [
  'UpdateFlagDetails',
  'UpdateFlagTags',
  'UpdateFlagVariations',
  'ArchiveFlag',
  'RestoreFlag',
  'DeleteFlag',
];
const ENV_ACTIONS = [
  'CanAccessEnv',
  'UpdateEnvSettings',
  'DeleteEnv',
  'ReadEnvSecret',
  'RotateEnvSecret',
  'ManageProtectedOperations',
];
const VAR_ACTIONS = ['ReadVariable', 'WriteVariable', 'DeleteVariable'];
const PROJECT_ACTIONS = [
  'CanAccessProject',
  'UpdateProjectSettings',
  'DeleteProject',
  'CreateEnv',
  'ManageProjectAccess',
];

type Role = 'project-admin' | 'production-access' | 'non-production-access' | 'project-reader';

/** The expected Unlaunch-style table: may `role` do `action` in `env` (undefined env: project-wide)? */
function expected(role: Role, action: string, env?: string): boolean {
  const prod = env === 'production';
  switch (role) {
    case 'project-admin':
      return action !== 'DeleteProject';
    case 'project-reader':
      return action === 'CanAccessProject' || action === 'CanAccessEnv';
    case 'production-access':
      if (action === 'CanAccessProject' || action === 'CanAccessEnv') return true;
      if (FLAG_ACTIONS.includes(action) || EVERY_ENV_FLAG_ACTIONS.includes(action) || action === 'CreateFlag')
        return true;
      return action === 'ReadVariable' || action === 'WriteVariable';
    case 'non-production-access':
      if (action === 'CanAccessProject' || action === 'CanAccessEnv' || action === 'CreateFlag') return true;
      if (EVERY_ENV_FLAG_ACTIONS.includes(action)) return false; // they reach production, which it may not change
      if (FLAG_ACTIONS.includes(action)) return !prod;
      return !prod && (action === 'ReadVariable' || action === 'WriteVariable');
  }
}

describe.each(DATABASES)('built-in project roles on %s', (database) => {
  let t: TestServer;
  let owner: string;
  let people: Record<string, Caller>;
  const roleOf: Record<string, Role> = {
    'admin@acme.test': 'project-admin',
    'prod@acme.test': 'production-access',
    'np@acme.test': 'non-production-access',
    'reader@acme.test': 'project-reader',
  };

  beforeAll(async () => {
    t = await startTestServer(database, { backgroundJobs: false });
    owner = (await setupOrganization(t)).token;
    await ok(
      t.request('POST', '/api/v1/projects', {
        as: { token: owner },
        body: {
          key: 'shop',
          name: 'Shop',
          environments: [
            { key: 'dev', name: 'Dev' },
            { key: 'staging', name: 'Staging' },
            { key: 'production', name: 'Production', production: true },
          ],
        },
      }),
      201,
    );
    await ok(
      t.request('POST', '/api/v1/projects/shop/flags', {
        as: { token: owner },
        body: { key: 'checkout', name: 'Checkout', tags: ['web'] },
      }),
      201,
    );
    people = await addMembers(t, owner, [
      ...Object.keys(roleOf),
      'lead@acme.test',
      'sarah@acme.test',
      'temp@acme.test',
      'ops@acme.test',
    ]);
    for (const [email, role] of Object.entries(roleOf)) {
      await ok(
        t.request('POST', '/api/v1/assignments', {
          as: { token: owner },
          body: { policy: role, member: email, params: { project: 'shop' } },
        }),
        201,
      );
    }
  });
  afterAll(async () => t.close());

  it('matches the role table for every flag, environment, variable and project action', async () => {
    const mismatches: string[] = [];
    for (const [email, role] of Object.entries(roleOf)) {
      const cases: Array<[string, string, string | undefined]> = [];
      for (const env of ENVS) {
        for (const a of FLAG_ACTIONS) cases.push([a, `project/shop:env/${env}:flag/checkout`, env]);
        for (const a of ENV_ACTIONS) cases.push([a, `project/shop:env/${env}`, env]);
        for (const a of VAR_ACTIONS) cases.push([a, `project/shop:env/${env}:var/API_URL`, env]);
      }
      for (const a of [...EVERY_ENV_FLAG_ACTIONS, 'CreateFlag'])
        cases.push([a, 'project/shop:env/*:flag/checkout', undefined]);
      for (const a of PROJECT_ACTIONS) cases.push([a, 'project/shop', undefined]);
      const principal = (await t.server.services.auth.authenticate(people[email]!.token, undefined))!
        .principal;
      for (const [action, resource, env] of cases) {
        const refused = await t.server.services.deps.authorizer.refusals(t.server.store.db, principal, [
          { action, resource },
        ]);
        const allowed = refused.length === 0;
        if (allowed !== expected(role, action, env))
          mismatches.push(`${role} ${action} ${resource}: ${allowed}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('Non-Production Access creates flags off everywhere, toggles dev and staging, is refused in production, cannot archive or delete', async () => {
    const token = people['np@acme.test']!.token;
    await ok(
      t.request('POST', '/api/v1/projects/shop/flags', {
        as: { token },
        body: { key: 'np-flag', name: 'NP' },
      }),
      201,
    );
    for (const env of ENVS) expect((await ok(config(t, token, 'shop', 'np-flag', env))).on).toBe(false);
    await ok(patchConfig(t, token, 'shop', 'np-flag', 'dev', { on: true }));
    await ok(patchConfig(t, token, 'shop', 'np-flag', 'staging', { on: true }));
    const prod = await patchConfig(t, token, 'shop', 'np-flag', 'production', { on: true });
    expect(prod.status).toBe(403);
    expect(
      (await t.request('POST', '/api/v1/projects/shop/flags/np-flag/archive', { as: { token } })).status,
    ).toBe(403);
    expect((await t.request('DELETE', '/api/v1/projects/shop/flags/np-flag', { as: { token } })).status).toBe(
      403,
    );
    const permissions = await ok(
      t.request('GET', '/api/v1/projects/shop/flags/np-flag/permissions', { as: { token } }),
    );
    expect(permissions.items).toEqual([
      expect.objectContaining({ member: 'np@acme.test', level: 'owner', envs: ['dev', 'staging'] }),
    ]);
  });

  it('cannot smuggle an on change in production inside a rules change; the 403 names the action and the protection', async () => {
    const token = people['np@acme.test']!.token;
    const before = await ok(config(t, owner, 'shop', 'checkout', 'production'));
    const rules = [
      {
        id: 'r1',
        clauses: [{ attribute: 'country', op: 'in', values: ['NL'] }],
        serve: { variation: 'true' },
      },
    ];
    const response = await patchConfig(t, token, 'shop', 'checkout', 'production', { rules, on: true });
    expect(response.status).toBe(403);
    const actions = response.body.missing.map((m: { action: string }) => m.action).sort();
    expect(actions).toEqual(['UpdateFlagOn', 'UpdateFlagTargetingRules']);
    const on = response.body.missing.find((m: { action: string }) => m.action === 'UpdateFlagOn');
    expect(on.decision).toBe('protected');
    expect(on.protection).toMatchObject({ environment: 'production', operation: 'UpdateFlagOn' });
    expect(await ok(config(t, owner, 'shop', 'checkout', 'production'))).toEqual(before);
  });

  it('a protection refuses an allow policy for UpdateFlagOn in production and names itself', async () => {
    await ok(
      t.request('POST', '/api/v1/policies', {
        as: { token: owner },
        body: {
          key: 'prod-toggler',
          name: 'Prod toggler',
          statements: [
            { effect: 'allow', actions: ['CanAccessProject'], resources: ['project/shop'] },
            { effect: 'allow', actions: ['CanAccessEnv'], resources: ['project/shop:env/*'] },
            { effect: 'allow', actions: ['UpdateFlagOn'], resources: ['project/shop:env/production:flag/*'] },
          ],
        },
      }),
      201,
    );
    await ok(
      t.request('POST', '/api/v1/assignments', {
        as: { token: owner },
        body: { policy: 'prod-toggler', member: 'ops@acme.test' },
      }),
      201,
    );
    const response = await patchConfig(t, people['ops@acme.test']!.token, 'shop', 'checkout', 'production', {
      on: true,
    });
    expect(response.status).toBe(403);
    expect(response.body.missing[0]).toMatchObject({ action: 'UpdateFlagOn', decision: 'protected' });
    expect(response.body.missing[0].reason).toMatch(/protected/);
    await ok(
      t.request('PUT', '/api/v1/projects/shop/environments/production/protection', {
        as: { token: owner },
        body: {
          operations: ['UpdateFlagOn', 'UpdateFlagRollout', 'WriteVariable'],
          allowed: {
            orgRoles: ['owner', 'admin'],
            policies: ['production-access', 'project-admin'],
            members: ['ops@acme.test'],
          },
        },
      }),
    );
    await ok(patchConfig(t, people['ops@acme.test']!.token, 'shop', 'checkout', 'production', { on: true }));
  });

  it('flag owners grant Owner, flag users grant User, nobody changes their own, the last owner stays', async () => {
    await ok(
      t.request('POST', '/api/v1/projects/shop/flags', {
        as: { token: owner },
        body: { key: 'owned', name: 'Owned' },
      }),
      201,
    );
    const perms = (as: string) => `/api/v1/projects/shop/flags/owned/permissions${as}`;
    // Flag roles carry no access to the project itself (the ancestor rule): readers of the project.
    for (const member of ['lead@acme.test', 'sarah@acme.test', 'temp@acme.test']) {
      await ok(
        t.request('POST', '/api/v1/assignments', {
          as: { token: owner },
          body: { policy: 'project-reader', member, params: { project: 'shop' } },
        }),
        201,
      );
    }
    await ok(
      t.request('PUT', perms(''), {
        as: { token: owner },
        body: { member: 'lead@acme.test', level: 'owner' },
      }),
    );
    await ok(
      t.request('PUT', perms(''), {
        as: { token: owner },
        body: { member: 'sarah@acme.test', level: 'user' },
      }),
    );
    const lead = people['lead@acme.test']!.token;
    const sarah = people['sarah@acme.test']!.token;
    // a user may grant User, not Owner
    await ok(
      t.request('PUT', perms(''), {
        as: { token: sarah },
        body: { member: 'temp@acme.test', level: 'user' },
      }),
    );
    expect(
      (
        await t.request('PUT', perms(''), {
          as: { token: sarah },
          body: { member: 'temp@acme.test', level: 'owner' },
        })
      ).status,
    ).toBe(403);
    // nobody changes their own
    expect(
      (
        await t.request('PUT', perms(''), {
          as: { token: sarah },
          body: { member: 'sarah@acme.test', level: 'owner' },
        })
      ).status,
    ).toBe(403);
    // an owner grants Owner
    await ok(
      t.request('PUT', perms(''), {
        as: { token: lead },
        body: { member: 'temp@acme.test', level: 'owner' },
      }),
    );
    await ok(t.request('DELETE', perms('?member=temp@acme.test'), { as: { token: lead } }), 204);
    // the owner (org) created the flag and is an owner too; remove it, then lead is the last owner
    await ok(t.request('DELETE', perms('?member=owner@acme.test'), { as: { token: lead } }), 204);
    const last = await t.request('DELETE', perms('?member=lead@acme.test'), { as: { token: owner } });
    expect(last.status).toBe(409);
  });

  it('tag patterns: ;a,b matches flags carrying either tag, and a flag cannot be tagged out of a deny', async () => {
    await ok(
      t.request('POST', '/api/v1/projects/shop/flags', {
        as: { token: owner },
        body: { key: 'pay', name: 'Pay', tags: ['payments'] },
      }),
      201,
    );
    await ok(
      t.request('POST', '/api/v1/projects/shop/flags', {
        as: { token: owner },
        body: { key: 'plain', name: 'Plain', tags: ['misc'] },
      }),
      201,
    );
    await ok(
      t.request('POST', '/api/v1/policies', {
        as: { token: owner },
        body: {
          key: 'no-money',
          name: 'No money',
          statements: [
            { effect: 'deny', actions: ['*'], resources: ['project/shop:env/*:flag/*;payments,billing'] },
          ],
        },
      }),
      201,
    );
    await ok(
      t.request('POST', '/api/v1/assignments', {
        as: { token: owner },
        body: { policy: 'no-money', member: 'prod@acme.test' },
      }),
      201,
    );
    expect(
      (await check(t, owner, 'prod@acme.test', 'UpdateFlagOn', 'project/shop:env/dev:flag/pay')).decision,
    ).toBe('explicit-deny');
    expect(
      (await check(t, owner, 'prod@acme.test', 'UpdateFlagOn', 'project/shop:env/dev:flag/plain')).allowed,
    ).toBe(true);
    const untag = await t.request('PATCH', '/api/v1/projects/shop/flags/pay', {
      as: { token: people['prod@acme.test']!.token },
      body: { tags: ['misc'] },
    });
    expect(untag.status).toBe(403);
    const intoDeny = await t.request('PATCH', '/api/v1/projects/shop/flags/plain', {
      as: { token: people['prod@acme.test']!.token },
      body: { tags: ['billing'] },
    });
    expect(intoDeny.status).toBe(403);
    expect(
      (await ok(t.request('GET', '/api/v1/projects/shop/flags/pay', { as: { token: owner } }))).tags,
    ).toEqual(['payments']);
  });

  it('refuses escalation: granting what one lacks, editing a policy one holds, assigning oneself', async () => {
    const np = people['np@acme.test']!.token;
    const grant = await t.request('POST', '/api/v1/assignments', {
      as: { token: np },
      body: { policy: 'production-access', member: 'temp@acme.test', params: { project: 'shop' } },
    });
    expect(grant.status).toBe(403);
    const projectAdmin = people['admin@acme.test']!.token;
    const pa = await t.request('POST', '/api/v1/assignments', {
      as: { token: projectAdmin },
      body: { policy: 'production-access', member: 'temp@acme.test', params: { project: 'shop' } },
    });
    expect(pa.status).toBe(201);
    const self = await t.request('POST', '/api/v1/assignments', {
      as: { token: projectAdmin },
      body: { policy: 'project-reader', member: 'admin@acme.test', params: { project: 'shop' } },
    });
    expect(self.status).toBe(403);
    await ok(
      t.request('PATCH', '/api/v1/members/lead@acme.test', {
        as: { token: owner },
        body: { orgRole: 'admin' },
      }),
    );
    await ok(
      t.request('POST', '/api/v1/assignments', {
        as: { token: owner },
        body: { policy: 'no-money', member: 'lead@acme.test' },
      }),
      201,
    );
    const edit = await t.request('PUT', '/api/v1/policies/no-money', {
      as: { token: people['lead@acme.test']!.token },
      body: { name: 'No money', statements: [] },
    });
    expect(edit.status).toBe(403);
    const entries = await t.request('GET', '/api/v1/members/temp@acme.test', { as: { token: owner } });
    expect(entries.status).toBe(200);
  });

  it('an expired assignment stops working at its expiry, and the expiry is recorded by the system actor', async () => {
    let now = new Date();
    const expiring = await startTestServer(database, { backgroundJobs: false, clock: () => now });
    try {
      const ownerToken = (await setupOrganization(expiring)).token;
      await ok(
        expiring.request('POST', '/api/v1/projects', {
          as: { token: ownerToken },
          body: { key: 'shop', name: 'Shop' },
        }),
        201,
      );
      const temp = (await addMembers(expiring, ownerToken, ['temp@acme.test']))['temp@acme.test']!;
      const expiresAt = new Date(now.getTime() + 60_000).toISOString();
      await ok(
        expiring.request('POST', '/api/v1/assignments', {
          as: { token: ownerToken },
          body: {
            policy: 'project-reader',
            member: 'temp@acme.test',
            params: { project: 'shop' },
            expiresAt,
          },
        }),
        201,
      );
      expect(
        (await expiring.request('GET', '/api/v1/projects/shop', { as: { token: temp.token } })).status,
      ).toBe(200);
      now = new Date(now.getTime() + 60_000);
      expect(
        (await expiring.request('GET', '/api/v1/projects/shop', { as: { token: temp.token } })).status,
      ).toBe(403);
      expect(await expiring.server.services.expiries.tick()).toBe(1);
      expect(await expiring.server.services.expiries.tick()).toBe(0);
      const org = await expiring.server.store.db
        .selectFrom('organizations')
        .select('id')
        .executeTakeFirstOrThrow();
      const last = (
        await expiring.server.services.auditRepository.listAll(expiring.server.store.db, org.id)
      ).at(-1)!;
      expect(last).toMatchObject({
        actor: { type: 'system' },
        summary: 'permission expired temp@acme.test project-reader on shop project',
      });
    } finally {
      await expiring.close();
    }
  });

  it('summarizes grants like a person would', async () => {
    const summaries = (await auditEntries(t)).map((e) => e.summary);
    expect(summaries).toContain('permission granted prod@acme.test production-access on shop project');
  });
});
