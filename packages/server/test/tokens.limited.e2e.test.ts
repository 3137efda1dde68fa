import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from './support/databases';
import { addMembers, type Caller, config, ok, patchConfig } from './support/iam-helpers';
import {
  addMember,
  auditEntries,
  setupOrganization,
  startTestServer,
  type TestServer,
} from './support/test-server';

const HALF = {
  rollout: {
    weights: [
      { variation: 'true', weight: 50_000 },
      { variation: 'false', weight: 50_000 },
    ],
  },
};
const NON_PROD_SHOP = { key: 'non-production-access', params: { project: 'shop' } };

describe.each(DATABASES)('API tokens limited to a policy on %s', (database) => {
  let t: TestServer;
  let owner: string;
  /** An organization admin: holds everything but the owner's actions. */
  let admin: string;
  let people: Record<string, Caller>;

  const createToken = (as: string, body: unknown) =>
    t.request('POST', '/api/v1/tokens', { as: { token: as }, body });
  const isOn = async (project: string, flag: string, env: string) =>
    (await ok(config(t, owner, project, flag, env))).on as boolean;

  beforeAll(async () => {
    t = await startTestServer(database, { backgroundJobs: false });
    owner = (await setupOrganization(t)).token;
    for (const [key, envs] of [
      ['shop', ['dev', 'staging', 'production']],
      ['billing', ['dev', 'production']],
    ] as const) {
      await ok(
        t.request('POST', '/api/v1/projects', {
          as: { token: owner },
          body: {
            key,
            name: key,
            environments: envs.map((env) => ({ key: env, name: env, production: env === 'production' })),
          },
        }),
        201,
      );
    }
    await ok(
      t.request('POST', '/api/v1/projects/shop/flags', {
        as: { token: owner },
        body: { key: 'checkout', name: 'Checkout' },
      }),
      201,
    );
    await ok(
      t.request('POST', '/api/v1/projects/billing/flags', {
        as: { token: owner },
        body: { key: 'invoice', name: 'Invoice' },
      }),
      201,
    );
    admin = (await addMember(t, owner, { email: 'ada@acme.test', orgRole: 'admin' })).token;
    people = await addMembers(t, owner, ['dev@acme.test']);
    await ok(
      t.request('POST', '/api/v1/assignments', {
        as: { token: owner },
        body: { policy: 'non-production-access', member: 'dev@acme.test', params: { project: 'shop' } },
      }),
      201,
    );
  });
  afterAll(async () => t.close());

  it('lets an admin hand out a token that may change only what its policy allows', async () => {
    const created = await ok(createToken(admin, { name: 'ci', policy: NON_PROD_SHOP }), 201);
    expect(created).toMatchObject({ name: 'ci', policy: NON_PROD_SHOP });
    const ci = created.secret as string;

    const me = await ok(t.request('GET', '/api/v1/me', { as: { token: ci } }));
    expect(me).toMatchObject({ orgRole: 'admin', token: { name: 'ci', policy: NON_PROD_SHOP } });
    const listed = await ok(t.request('GET', '/api/v1/tokens', { as: { token: admin } }));
    expect(listed.items.find((x: { name: string }) => x.name === 'ci')).toMatchObject({
      policy: NON_PROD_SHOP,
    });

    await ok(patchConfig(t, ci, 'shop', 'checkout', 'dev', { on: true }));
    expect(await isOn('shop', 'checkout', 'dev')).toBe(true);

    // The admin may do both; the token may do neither.
    for (const [project, flag, env] of [
      ['shop', 'checkout', 'production'],
      ['billing', 'invoice', 'dev'],
    ] as const) {
      const refused = await patchConfig(t, ci, project, flag, env, { on: true });
      expect(refused.status, refused.text).toBe(403);
      expect(refused.body.detail).toContain(
        'the API token "ci" is limited to non-production-access on shop project',
      );
      expect(refused.body.detail).toContain(`UpdateFlagOn on project/${project}:env/${env}:flag/${flag}`);
      expect(await isOn(project, flag, env)).toBe(false);
    }
    await ok(patchConfig(t, admin, 'billing', 'invoice', 'dev', { on: true }));
    await ok(patchConfig(t, admin, 'billing', 'invoice', 'dev', { on: false }));

    const entries = await auditEntries(t);
    const creation = entries.find(
      (e) => e.actions.includes('CreateToken') && (e.after as { name?: string } | undefined)?.name === 'ci',
    )!;
    expect(creation.summary).toBe(
      'created API token "ci" for ada@acme.test limited to non-production-access on shop project',
    );
    expect(creation.after).toEqual({ name: 'ci', expiresAt: null, policy: NON_PROD_SHOP });
    expect(JSON.stringify(entries)).not.toContain(ci);
    const denied = entries.filter((e) => e.outcome === 'denied' && e.actor.token?.name === 'ci');
    expect(denied.map((e) => e.environment)).toEqual(['production', 'dev']);
    expect(denied[0]!.actor).toMatchObject({
      type: 'member',
      email: 'ada@acme.test',
      token: { id: created.id },
    });
    expect(denied[0]!.reason).toContain('limited to non-production-access on shop project');
  });

  it('answers authz/check about oneself with what the limited token may do', async () => {
    const ci = (await ok(createToken(admin, { name: 'ci-check', policy: NON_PROD_SHOP }), 201))
      .secret as string;
    const ask = async (token: string, resource: string) =>
      ok(
        t.request('POST', '/api/v1/authz/check', {
          as: { token },
          body: { action: 'UpdateFlagOn', resource },
        }),
      );
    const production = 'project/shop:env/production:flag/checkout';
    expect(await ask(admin, production)).toMatchObject({ allowed: true });
    expect(await ask(ci, production)).toMatchObject({
      allowed: false,
      decision: 'implicit-deny',
      reason: {
        message: expect.stringContaining('the API token "ci-check" is limited to non-production-access'),
      },
    });
    expect(await ask(ci, 'project/shop:env/dev:flag/checkout')).toMatchObject({ allowed: true });
  });

  it('refuses through a limited token what its member could do beyond the limit', async () => {
    const ci = (await ok(createToken(admin, { name: 'ci-2', policy: NON_PROD_SHOP }), 201)).secret as string;
    const before = (await ok(t.request('GET', '/api/v1/tokens', { as: { token: admin } }))).items.length;

    // A limited token cannot mint a token without the limit (or with another one).
    const minted = await createToken(ci, { name: 'escape' });
    expect(minted.status, minted.text).toBe(403);
    expect(minted.body.detail).toContain('a limited token cannot create API tokens');
    expect((await ok(t.request('GET', '/api/v1/tokens', { as: { token: admin } }))).items).toHaveLength(
      before,
    );

    const policy = await t.request('POST', '/api/v1/policies', {
      as: { token: ci },
      body: {
        key: 'sneaky',
        name: 'Sneaky',
        statements: [{ effect: 'allow', actions: ['UpdateFlagOn'], resources: ['project/*:env/*:flag/*'] }],
      },
    });
    expect(policy.status, policy.text).toBe(403);
    expect((await t.request('GET', '/api/v1/policies/sneaky', { as: { token: admin } })).status).toBe(404);

    // Admins grant flag permissions without holding ManageFlagPermissions; their limited token may not.
    const grant = await t.request('PUT', '/api/v1/projects/shop/flags/checkout/permissions', {
      as: { token: ci },
      body: { member: 'dev@acme.test', level: 'owner' },
    });
    expect(grant.status, grant.text).toBe(403);
    expect(grant.body.detail).toContain('ManageFlagPermissions');
    const holders = await ok(
      t.request('GET', '/api/v1/projects/shop/flags/checkout/permissions', { as: { token: admin } }),
    );
    expect(JSON.stringify(holders)).not.toContain('dev@acme.test');

    // It cannot revoke its member's other tokens, only itself.
    const others = (await ok(t.request('GET', '/api/v1/tokens', { as: { token: admin } }))).items as Array<{
      id: string;
      name: string;
      revoked: boolean;
    }>;
    const unlimited = others.find((x) => x.name === 'test')!;
    const cut = await t.request('DELETE', `/api/v1/tokens/${unlimited.id}`, { as: { token: ci } });
    expect(cut.status, cut.text).toBe(403);
    expect(cut.body.detail).toContain('a limited token can revoke only itself');
    expect((await t.request('GET', '/api/v1/me', { as: { token: admin } })).status).toBe(200);

    const invite = await t.request('POST', '/api/v1/members', {
      as: { token: ci },
      body: { email: 'new@acme.test', name: 'New' },
    });
    expect(invite.status, invite.text).toBe(403);
  });

  it('lets a limited token revoke itself', async () => {
    const created = await ok(createToken(admin, { name: 'ci-self', policy: NON_PROD_SHOP }), 201);
    await ok(t.request('DELETE', `/api/v1/tokens/${created.id}`, { as: { token: created.secret } }), 204);
    expect((await t.request('GET', '/api/v1/me', { as: { token: created.secret } })).status).toBe(401);
  });

  it('never gives a token more than its member holds', async () => {
    const dev = people['dev@acme.test']!;
    const wide = await ok(
      createToken(dev.token, { name: 'wide', policy: { key: 'project-admin', params: { project: 'shop' } } }),
      201,
    );
    await ok(patchConfig(t, wide.secret, 'shop', 'checkout', 'staging', { on: true }));
    const production = await patchConfig(t, wide.secret, 'shop', 'checkout', 'production', { on: true });
    expect(production.status, production.text).toBe(403);
    expect(production.body.detail).not.toContain('the API token');
    expect(await isOn('shop', 'checkout', 'production')).toBe(false);
    const rename = await t.request('PATCH', '/api/v1/projects/shop', {
      as: { token: wide.secret },
      body: { name: 'Renamed' },
    });
    expect(rename.status, rename.text).toBe(403);
  });

  it('follows edits of a custom policy it is limited to, and allows nothing once it is deleted', async () => {
    const statements = (actions: string[]) => [
      { effect: 'allow', actions: ['CanAccessProject'], resources: ['project/shop'] },
      { effect: 'allow', actions: ['CanAccessEnv'], resources: ['project/shop:env/dev*'] },
      { effect: 'allow', actions, resources: ['project/shop:env/dev*:flag/*'] },
    ];
    await ok(
      t.request('POST', '/api/v1/policies', {
        as: { token: owner },
        body: { key: 'dev-toggler', name: 'Dev toggler', statements: statements(['UpdateFlagOn']) },
      }),
      201,
    );
    const toggler = (await ok(createToken(admin, { name: 'toggler', policy: { key: 'dev-toggler' } }), 201))
      .secret as string;
    await ok(patchConfig(t, toggler, 'shop', 'checkout', 'dev', { on: false }));
    const rules = await patchConfig(t, toggler, 'shop', 'checkout', 'dev', {
      fallthrough: HALF,
    });
    expect(rules.status, rules.text).toBe(403);
    expect(rules.body.detail).toContain('limited to dev-toggler, which does not allow');

    await ok(
      t.request('PUT', '/api/v1/policies/dev-toggler', {
        as: { token: owner },
        body: {
          name: 'Dev toggler',
          statements: statements(['UpdateFlagOn', 'UpdateFlagDefaultRule', 'UpdateFlagRollout']),
        },
      }),
    );
    await ok(
      patchConfig(t, toggler, 'shop', 'checkout', 'dev', {
        fallthrough: HALF,
      }),
    );

    await ok(t.request('DELETE', '/api/v1/policies/dev-toggler', { as: { token: owner } }), 204);
    const gone = await patchConfig(t, toggler, 'shop', 'checkout', 'dev', { on: true });
    expect(gone.status, gone.text).toBe(403);
    expect(gone.body.detail).toContain('policy dev-toggler no longer exists');
    expect(await isOn('shop', 'checkout', 'dev')).toBe(false);
  });

  it('refuses a limit that does not bind, naming the field, and creates nothing', async () => {
    const before = (await auditEntries(t)).length;
    const cases: Array<[unknown, { path: string; message: string }]> = [
      [{ key: 'no-such-policy' }, { path: 'policy.key', message: 'no policy no-such-policy' }],
      [
        { key: 'non-production-access' },
        { path: 'policy.params.project', message: 'required by policy "non-production-access"' },
      ],
      [
        { key: 'non-production-access', params: { project: 'nowhere' } },
        { path: 'policy.params.project', message: 'no project nowhere' },
      ],
    ];
    for (const [policy, error] of cases) {
      const refused = await createToken(admin, { name: 'bad', policy });
      expect(refused.status, refused.text).toBe(400);
      expect(refused.body.errors).toEqual([error]);
    }
    const unknownField = await createToken(admin, {
      name: 'bad',
      policy: { key: 'project-reader', scope: 'x' },
    });
    expect(unknownField.status, unknownField.text).toBe(400);
    expect(JSON.stringify(unknownField.body.errors)).toContain('policy');
    const tokens = (await ok(t.request('GET', '/api/v1/tokens', { as: { token: admin } }))).items;
    expect(tokens.map((x: { name: string }) => x.name)).not.toContain('bad');
    expect((await auditEntries(t)).length).toBe(before);
  });
});
