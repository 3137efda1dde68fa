import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from './support/databases';
import { addMembers, type Caller, check, config, ok, patchConfig } from './support/iam-helpers';
import { setupOrganization, startTestServer, type TestServer } from './support/test-server';

/**
 * A FeatBit-style organization built only from custom policies: projects alpha and beta, each with dev
 * and prod (production), and personas defined by groups and policies.
 */
describe.each(DATABASES)('a FeatBit-style organization on %s', (database) => {
  let t: TestServer;
  let owner: string;
  let people: Record<string, Caller>;
  const as = (email: string) => ({ token: people[email]!.token });

  beforeAll(async () => {
    t = await startTestServer(database, { backgroundJobs: false });
    owner = (await setupOrganization(t)).token;
    const envs = [
      { key: 'dev', name: 'Dev' },
      { key: 'prod', name: 'Prod', production: true },
    ];
    await ok(
      t.request('POST', '/api/v1/projects', {
        as: { token: owner },
        body: { key: 'alpha', name: 'Alpha', environments: envs },
      }),
      201,
    );
    await ok(
      t.request('POST', '/api/v1/projects', {
        as: { token: owner },
        body: { key: 'beta', name: 'Beta', environments: envs },
      }),
      201,
    );
    for (const [project, flag, tags] of [
      ['alpha', 'checkout', ['web']],
      ['alpha', 'search', ['web']],
      ['beta', 'billing', []],
    ] as const) {
      await ok(
        t.request('POST', `/api/v1/projects/${project}/flags`, {
          as: { token: owner },
          body: { key: flag, name: flag, tags },
        }),
        201,
      );
    }
    people = await addMembers(t, owner, [
      'mia@acme.test',
      'quinn@acme.test',
      'pam@acme.test',
      'dev@acme.test',
      'ext@acme.test',
      'dual@acme.test',
    ]);

    const policy = (key: string, statements: unknown[]) =>
      ok(
        t.request('POST', '/api/v1/policies', { as: { token: owner }, body: { key, name: key, statements } }),
        201,
      );
    const read = (envs: string) => [
      { effect: 'allow', actions: ['CanAccessProject'], resources: ['project/alpha'] },
      { effect: 'allow', actions: ['CanAccessEnv'], resources: [`project/alpha:env/${envs}`] },
    ];
    await policy('alpha-maintainer', [
      {
        effect: 'allow',
        actions: ['*'],
        resources: [
          'project/alpha',
          'project/alpha:env/*',
          'project/alpha:env/*:flag/*',
          'project/alpha:env/*:var/*',
        ],
      },
    ]);
    await policy('alpha-qa', read('*'));
    await policy('alpha-pm', [
      ...read('*'),
      { effect: 'allow', actions: ['*'], resources: ['project/alpha:env/*:flag/*'] },
      {
        effect: 'deny',
        actions: ['CreateFlag', 'ArchiveFlag', 'DeleteFlag'],
        resources: ['project/alpha:env/*:flag/*'],
      },
    ]);
    await policy('alpha-developer', [
      ...read('*'),
      { effect: 'allow', actions: ['*'], resources: ['project/alpha:env/dev:flag/*'] },
      {
        effect: 'allow',
        actions: [
          'UpdateFlagTags',
          'UpdateFlagDefaultRule',
          'UpdateFlagIndividualTargeting',
          'UpdateFlagTargetingRules',
        ],
        resources: ['project/alpha:env/prod:flag/checkout'],
      },
    ]);
    await policy('alpha-external', [
      ...read('dev'),
      { effect: 'allow', actions: ['*'], resources: ['project/alpha:env/dev:flag/*'] },
    ]);
    await policy('no-dev-toggles', [
      { effect: 'deny', actions: ['UpdateFlagOn'], resources: ['project/alpha:env/dev:flag/*'] },
    ]);

    const group = (key: string, members: string[], policyKey: string) =>
      ok(
        t.request('POST', '/api/v1/groups', { as: { token: owner }, body: { key, name: key, members } }),
        201,
      ).then(() =>
        ok(
          t.request('POST', '/api/v1/assignments', {
            as: { token: owner },
            body: { policy: policyKey, group: key },
          }),
          201,
        ),
      );
    await group('maintainers', ['mia@acme.test'], 'alpha-maintainer');
    await group('qa', ['quinn@acme.test'], 'alpha-qa');
    await group('pms', ['pam@acme.test'], 'alpha-pm');
    await group('developers', ['dev@acme.test', 'dual@acme.test'], 'alpha-developer');
    await group('externals', ['ext@acme.test'], 'alpha-external');
    await group('contractors', ['dual@acme.test'], 'no-dev-toggles');
    // Production stays guarded: maintainers and PMs are added to alpha/prod's protected operations.
    await ok(
      t.request('PUT', '/api/v1/projects/alpha/environments/prod/protection', {
        as: { token: owner },
        body: {
          operations: ['UpdateFlagOn', 'UpdateFlagRollout', 'WriteVariable'],
          allowed: { orgRoles: ['owner', 'admin'], groups: ['maintainers', 'pms'] },
        },
      }),
    );
  });
  afterAll(async () => t.close());

  it('the maintainer does everything in alpha and nothing in beta', async () => {
    await ok(
      t.request('POST', '/api/v1/projects/alpha/flags', {
        as: as('mia@acme.test'),
        body: { key: 'm-flag', name: 'M' },
      }),
      201,
    );
    await ok(patchConfig(t, people['mia@acme.test']!.token, 'alpha', 'checkout', 'prod', { on: true }));
    await ok(
      t.request('PUT', '/api/v1/projects/alpha/environments/prod/variables/API_URL', {
        as: as('mia@acme.test'),
        body: { value: 'https://x' },
      }),
    );
    await ok(t.request('POST', '/api/v1/projects/alpha/flags/m-flag/archive', { as: as('mia@acme.test') }));
    expect((await t.request('GET', '/api/v1/projects/beta', { as: as('mia@acme.test') })).status).toBe(403);
    expect((await config(t, people['mia@acme.test']!.token, 'beta', 'billing', 'dev')).status).toBe(403);
    expect(
      (await patchConfig(t, people['mia@acme.test']!.token, 'beta', 'billing', 'dev', { on: true })).status,
    ).toBe(403);
    const projects = await ok(t.request('GET', '/api/v1/projects', { as: as('mia@acme.test') }));
    expect(projects.items.map((p: { key: string }) => p.key)).toEqual(['alpha']);
  });

  it('QA sees flags in every environment of alpha but changes nothing', async () => {
    const token = people['quinn@acme.test']!.token;
    expect((await config(t, token, 'alpha', 'checkout', 'dev')).status).toBe(200);
    expect((await config(t, token, 'alpha', 'checkout', 'prod')).status).toBe(200);
    const refused = await patchConfig(t, token, 'alpha', 'search', 'dev', { on: true });
    expect(refused.status).toBe(403);
    expect(refused.body.missing).toEqual([
      expect.objectContaining({ action: 'UpdateFlagOn', decision: 'implicit-deny' }),
    ]);
    expect(
      (
        await t.request('POST', '/api/v1/projects/alpha/flags', {
          as: { token },
          body: { key: 'q', name: 'Q' },
        })
      ).status,
    ).toBe(403);
  });

  it('PMs do every flag operation in alpha except create, archive and delete', async () => {
    const token = people['pam@acme.test']!.token;
    await ok(patchConfig(t, token, 'alpha', 'search', 'prod', { on: true }));
    await ok(
      t.request('PATCH', '/api/v1/projects/alpha/flags/search', {
        as: { token },
        body: { description: 'searching' },
      }),
    );
    for (const [method, url, body] of [
      ['POST', '/api/v1/projects/alpha/flags', { key: 'pm-flag', name: 'PM' }],
      ['POST', '/api/v1/projects/alpha/flags/search/archive', undefined],
      ['DELETE', '/api/v1/projects/alpha/flags/search', undefined],
    ] as const) {
      const response = await t.request(method, url, { as: { token }, ...(body ? { body } : {}) });
      expect(response.status, url).toBe(403);
      expect(response.body.missing[0].decision).toBe('explicit-deny');
      expect(response.body.missing[0].reason).toContain('alpha-pm');
    }
  });

  it('developers do everything in dev, only read prod, and may change rules but not toggle the named flag in prod', async () => {
    const token = people['dev@acme.test']!.token;
    await ok(patchConfig(t, token, 'alpha', 'search', 'dev', { on: true }));
    const rules = [
      {
        id: 'beta',
        description: 'beta testers',
        clauses: [{ attribute: 'email', op: 'endsWith', values: ['@acme.test'] }],
        serve: { variation: 'true' },
      },
    ];
    await ok(patchConfig(t, token, 'alpha', 'checkout', 'prod', { rules }));
    await ok(
      patchConfig(t, token, 'alpha', 'checkout', 'prod', {
        targets: [{ variation: 'true', values: ['user-1'] }],
      }),
    );
    await ok(
      t.request('PATCH', '/api/v1/projects/alpha/flags/checkout', {
        as: { token },
        body: { tags: ['web', 'payments'] },
      }),
    );
    const toggle = await patchConfig(t, token, 'alpha', 'checkout', 'prod', { on: false });
    expect(toggle.status).toBe(403);
    const before = await ok(config(t, token, 'alpha', 'search', 'prod'));
    const other = await patchConfig(t, token, 'alpha', 'search', 'prod', { rules });
    expect(other.status).toBe(403);
    expect((await ok(config(t, token, 'alpha', 'search', 'prod'))).version).toBe(before.version);
  });

  it('external developers see and operate alpha/dev only and cannot even see alpha/prod', async () => {
    const token = people['ext@acme.test']!.token;
    await ok(patchConfig(t, token, 'alpha', 'search', 'dev', { on: false }));
    const prod = await config(t, token, 'alpha', 'checkout', 'prod');
    expect(prod.status).toBe(403);
    const project = await ok(t.request('GET', '/api/v1/projects/alpha', { as: { token } }));
    expect(project.environments.map((e: { key: string }) => e.key)).toEqual(['dev']);
    const explained = await check(
      t,
      owner,
      'ext@acme.test',
      'UpdateFlagTargetingRules',
      'project/alpha:env/prod:flag/checkout',
    );
    expect(explained.allowed).toBe(false);
  });

  it('applies the ancestor rule: a flag grant without access to its environment is missing access', async () => {
    await ok(
      t.request('POST', '/api/v1/policies', {
        as: { token: owner },
        body: {
          key: 'orphan-grant',
          name: 'orphan',
          statements: [
            { effect: 'allow', actions: ['UpdateFlagOn'], resources: ['project/beta:env/dev:flag/*'] },
          ],
        },
      }),
      201,
    );
    await ok(
      t.request('POST', '/api/v1/assignments', {
        as: { token: owner },
        body: { policy: 'orphan-grant', member: 'quinn@acme.test' },
      }),
      201,
    );
    const decision = await check(
      t,
      owner,
      'quinn@acme.test',
      'UpdateFlagOn',
      'project/beta:env/dev:flag/billing',
    );
    expect(decision).toMatchObject({ allowed: false, decision: 'missing-access' });
    expect(decision.reason.message).toContain('CanAccessProject');
  });

  it('a deny from one group beats an allow from another', async () => {
    const response = await patchConfig(t, people['dual@acme.test']!.token, 'alpha', 'search', 'dev', {
      on: true,
    });
    expect(response.status).toBe(403);
    expect(response.body.missing[0]).toMatchObject({ action: 'UpdateFlagOn', decision: 'explicit-deny' });
    const decision = await check(
      t,
      owner,
      'dual@acme.test',
      'UpdateFlagOn',
      'project/alpha:env/dev:flag/search',
    );
    expect(decision.reason).toMatchObject({ policy: 'no-dev-toggles', group: 'contractors' });
    const allowedForDev = await check(
      t,
      owner,
      'dev@acme.test',
      'UpdateFlagOn',
      'project/alpha:env/dev:flag/search',
    );
    expect(allowedForDev.allowed).toBe(true);
  });
});
