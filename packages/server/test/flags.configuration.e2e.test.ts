import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from './support/databases';
import { snapshotDatabase } from './support/snapshot';
import {
  addMember,
  auditEntries,
  setupOrganization,
  startTestServer,
  type TestServer,
} from './support/test-server';

const URL = '/api/v1/projects/shop/flags/checkout-v2/environments/production';

const betaRule = {
  id: 'beta',
  description: 'beta testers',
  clauses: [{ attribute: 'email', op: 'endsWith', values: ['@acme.test'] }],
  serve: { variation: 'true' },
};
const split = (on: number) => ({
  rollout: {
    weights: [
      { variation: 'true', weight: on },
      { variation: 'false', weight: 100000 - on },
    ],
  },
});

describe.each(DATABASES)('flag configurations on %s', (database) => {
  let t: TestServer;
  let token: string;

  async function entries() {
    return auditEntries(t);
  }
  const patch = (body: unknown, as = token) => t.request('PATCH', URL, { as: { token: as }, body });
  const read = () => t.request('GET', URL, { as: { token } });

  beforeAll(async () => {
    t = await startTestServer(database, { backgroundJobs: false });
    token = (await setupOrganization(t)).token;
    await t.request('POST', '/api/v1/projects', { as: { token }, body: { key: 'shop', name: 'Shop' } });
    const flag = await t.request('POST', '/api/v1/projects/shop/flags', {
      as: { token },
      body: { key: 'checkout-v2', name: 'Checkout v2' },
    });
    expect(flag.status).toBe(201);
  });
  afterAll(async () => t.close());

  it('applies each kind of change with the action it needs, its summary and exactly one entry', async () => {
    const steps: Array<[unknown, string[], string]> = [
      [{ on: true }, ['UpdateFlagOn'], 'enabled checkout-v2 in production'],
      [
        { fallthrough: split(25000) },
        ['UpdateFlagDefaultRule'],
        'changed default rule of checkout-v2 in production',
      ],
      [
        { fallthrough: split(50000) },
        ['UpdateFlagRollout'],
        'rollout changed checkout-v2 25% → 50% in production',
      ],
      [
        { rules: [betaRule] },
        ['UpdateFlagTargetingRules'],
        'added rule "beta testers" to checkout-v2 in production',
      ],
      [
        { rules: [{ ...betaRule, serve: split(10000) }] },
        ['UpdateFlagTargetingRules'],
        'changed rule "beta testers" of checkout-v2 in production',
      ],
      [
        { rules: [{ ...betaRule, serve: split(12500) }] },
        ['UpdateFlagRollout'],
        'rollout changed checkout-v2 rule "beta testers" 10% → 12.5% in production',
      ],
      [
        { targets: [{ variation: 'true', values: ['user-1', 'user-2'] }] },
        ['UpdateFlagIndividualTargeting'],
        'changed individual targets of checkout-v2 in production',
      ],
      [
        { offVariation: 'true' },
        ['UpdateFlagOffVariation'],
        'changed off variation of checkout-v2 in production',
      ],
      [
        { on: false, rules: [] },
        ['UpdateFlagOn', 'UpdateFlagTargetingRules'],
        'disabled checkout-v2 in production; removed rule "beta testers" from checkout-v2 in production',
      ],
    ];
    for (const [body, actions, summary] of steps) {
      const before = (await read()).body;
      const count = (await entries()).length;
      const response = await patch({ ...(body as object), version: before.version });
      expect(response.status, response.text).toBe(200);
      expect(response.body.version).toBe(before.version + 1);
      expect(response.body).toMatchObject(body as object);
      expect(await read().then((r) => r.body)).toEqual(response.body);
      const all = await entries();
      expect(all.length, summary).toBe(count + 1);
      const entry = all.at(-1)!;
      expect(entry).toMatchObject({
        outcome: 'applied',
        actions,
        summary,
        resource: 'project/shop:env/production:flag/checkout-v2',
        project: 'shop',
        environment: 'production',
        flag: 'checkout-v2',
      });
      const { flag: _f, environment: _e, updatedAt: _u, ...configurationBefore } = before;
      const { flag: _f2, environment: _e2, updatedAt: _u2, ...configurationAfter } = response.body;
      expect(entry.before).toEqual(configurationBefore);
      expect(entry.after).toEqual(configurationAfter);
    }
    const development = await t.request(
      'GET',
      '/api/v1/projects/shop/flags/checkout-v2/environments/development',
      {
        as: { token },
      },
    );
    expect(development.body).toMatchObject({ on: false, version: 1, rules: [] });
  });

  it('keeps the comment in the audit entry', async () => {
    const response = await patch({ on: true, comment: 'launch for the spring campaign' });
    expect(response.status).toBe(200);
    expect((await entries()).at(-1)).toMatchObject({
      summary: 'enabled checkout-v2 in production',
      comment: 'launch for the spring campaign',
    });
  });

  it('answers a change that changes nothing with the configuration, writing nothing', async () => {
    const before = await snapshotDatabase(t.server.store);
    const current = (await read()).body;
    for (const body of [
      {},
      { on: current.on },
      { fallthrough: current.fallthrough, version: current.version },
    ]) {
      const response = await patch(body);
      expect(response.status).toBe(200);
      expect(response.body).toEqual(current);
    }
    expect(await snapshotDatabase(t.server.store)).toBe(before);
  });

  it('refuses a stale version with 409 version-conflict and applies nothing', async () => {
    const current = (await read()).body;
    const before = await snapshotDatabase(t.server.store);
    const response = await patch({ on: !current.on, version: current.version - 1 });
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('version-conflict');
    expect(response.body.currentVersion).toBe(current.version);
    expect(await snapshotDatabase(t.server.store)).toBe(before);
  });

  it('refuses invalid configurations naming the path, changing nothing', async () => {
    const before = await snapshotDatabase(t.server.store);
    const cases: Array<[unknown, string]> = [
      [
        {
          rules: [
            {
              ...betaRule,
              serve: {
                rollout: {
                  weights: [
                    { variation: 'true', weight: 30000 },
                    { variation: 'false', weight: 30000 },
                  ],
                },
              },
            },
          ],
        },
        'rules[0].serve.rollout.weights',
      ],
      [{ fallthrough: split(100001) }, 'fallthrough.rollout.weights[0].weight'],
      [{ offVariation: 'maybe' }, 'offVariation'],
      [{ targets: [{ variation: 'nope', values: ['u'] }] }, 'targets[0].variation'],
      [{ fallthrough: {} }, 'fallthrough'],
      [{ fallthrough: { variation: 'true', rollout: split(1).rollout } }, 'fallthrough'],
      [{ rules: [{ ...betaRule, clauses: [] }] }, 'rules[0].clauses'],
      [
        { rules: [{ ...betaRule, clauses: [{ attribute: 'age', op: 'between', values: [1] }] }] },
        'rules[0].clauses[0].op',
      ],
      [
        { rules: [{ ...betaRule, clauses: [{ attribute: 'v', op: 'semVerEqual', values: ['one'] }] }] },
        'rules[0].clauses[0].values[0]',
      ],
      [{ rules: [betaRule, betaRule] }, 'rules[1].id'],
      [{ on: 'yes' }, 'on'],
      [{ comment: 'x'.repeat(501) }, 'comment'],
      [{ enabled: true }, ''],
    ];
    for (const [body, path] of cases) {
      const response = await patch(body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.code).toBe('validation-failed');
      const paths = response.body.errors.map((e: { path: string }) => e.path);
      expect(paths, JSON.stringify(body)).toContain(path);
    }
    expect(await snapshotDatabase(t.server.store)).toBe(before);
  });

  it('answers 404 for an unknown flag or environment', async () => {
    expect(
      (await t.request('GET', '/api/v1/projects/shop/flags/nope/environments/production', { as: { token } }))
        .status,
    ).toBe(404);
    expect(
      (await t.request('GET', '/api/v1/projects/shop/flags/checkout-v2/environments/qa', { as: { token } }))
        .status,
    ).toBe(404);
    expect(
      (
        await t.request('PATCH', '/api/v1/projects/shop/flags/checkout-v2/environments/qa', {
          as: { token },
          body: { on: true },
        })
      ).status,
    ).toBe(404);
  });

  it('refuses a member every action the change needs, listing all of them, and records the attempt', async () => {
    const member = await addMember(t, token, { email: 'mallory@acme.test' });
    const current = (await read()).body;
    const count = (await entries()).length;
    const response = await patch(
      { on: !current.on, rules: [betaRule], targets: current.targets },
      member.token,
    );
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('forbidden');
    const missing = response.body.missing.map((m: { action: string }) => m.action).sort();
    expect(missing).toEqual(['UpdateFlagOn', 'UpdateFlagTargetingRules']);
    for (const m of response.body.missing)
      expect(m.resource).toBe('project/shop:env/production:flag/checkout-v2');
    expect((await read()).body).toEqual(current);
    const all = await entries();
    expect(all.length).toBe(count + 1);
    expect(all.at(-1)).toMatchObject({
      outcome: 'denied',
      actions: ['UpdateFlagOn', 'UpdateFlagTargetingRules'],
      actor: { type: 'member', email: 'mallory@acme.test' },
    });
    expect(all.at(-1)).not.toHaveProperty('after');
    // Reading is refused too, and a no-op answers nothing to a caller who may not read it.
    expect((await t.request('GET', URL, { as: { token: member.token } })).status).toBe(403);
    expect((await patch({}, member.token)).status).toBe(403);
  });
});
