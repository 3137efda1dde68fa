import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from './support/databases';
import { snapshotDatabase } from './support/snapshot';
import {
  addMember,
  auditEntries,
  OWNER,
  setupOrganization,
  startTestServer,
  type TestServer,
} from './support/test-server';

describe.each(DATABASES)('flags on %s', (database) => {
  let t: TestServer;
  let token: string;
  const as = () => ({ as: { token } });

  async function entries() {
    return auditEntries(t);
  }

  beforeAll(async () => {
    t = await startTestServer(database, { backgroundJobs: false });
    token = (await setupOrganization(t)).token;
    const project = await t.request('POST', '/api/v1/projects', {
      ...as(),
      body: { key: 'shop', name: 'Shop' },
    });
    expect(project.status).toBe(201);
  });
  afterAll(async () => t.close());

  it('creates a boolean flag off in every environment, with one entry naming its owner', async () => {
    const before = (await entries()).length;
    const response = await t.request('POST', '/api/v1/projects/shop/flags', {
      ...as(),
      body: { key: 'checkout-v2', name: 'Checkout v2', tags: ['web'] },
    });
    expect(response.status, response.text).toBe(201);
    expect(response.body).toMatchObject({
      key: 'checkout-v2',
      name: 'Checkout v2',
      description: '',
      tags: ['web'],
      kind: 'boolean',
      variations: [
        { id: 'true', value: true },
        { id: 'false', value: false },
      ],
      archived: false,
      createdBy: OWNER.email,
      environments: { development: { on: false, version: 1 }, production: { on: false, version: 1 } },
    });
    expect(response.body).not.toHaveProperty('salt');
    for (const env of ['development', 'production']) {
      const config = await t.request(
        'GET',
        `/api/v1/projects/shop/flags/checkout-v2/environments/${env}`,
        as(),
      );
      expect(config.status).toBe(200);
      expect(config.body).toMatchObject({
        flag: 'checkout-v2',
        environment: env,
        on: false,
        offVariation: 'false',
        targets: [],
        rules: [],
        fallthrough: { variation: 'true' },
        version: 1,
      });
    }
    const after = await entries();
    expect(after.length).toBe(before + 1);
    expect(after.at(-1)).toMatchObject({
      outcome: 'applied',
      actions: ['CreateFlag'],
      resource: 'project/shop:env/*:flag/checkout-v2',
      project: 'shop',
      flag: 'checkout-v2',
      summary: `created flag checkout-v2 in project shop (owner ${OWNER.email} in every environment)`,
      after: { key: 'checkout-v2', kind: 'boolean', archived: false },
    });
    const salt = await t.server.store.db
      .selectFrom('flags')
      .select('salt')
      .where('key', '=', 'checkout-v2')
      .executeTakeFirstOrThrow();
    expect(salt.salt).toMatch(/^[0-9a-f]{32}$/);
  });

  it('creates flags of the other kinds with their default or given variations', async () => {
    const string = await t.request('POST', '/api/v1/projects/shop/flags', {
      ...as(),
      body: { key: 'theme', name: 'Theme', kind: 'string' },
    });
    expect(string.status).toBe(201);
    expect(string.body.variations).toEqual([
      { id: 'on', value: 'on' },
      { id: 'off', value: 'off' },
    ]);
    const json = await t.request('POST', '/api/v1/projects/shop/flags', {
      ...as(),
      body: {
        key: 'limits',
        name: 'Limits',
        kind: 'json',
        description: 'per-plan limits',
        variations: [
          { id: 'small', value: { max: 1 }, name: 'Small' },
          { id: 'large', value: { max: 100 } },
        ],
      },
    });
    expect(json.status, json.text).toBe(201);
    const config = await t.request('GET', '/api/v1/projects/shop/flags/limits/environments/production', as());
    expect(config.body).toMatchObject({
      on: false,
      offVariation: 'large',
      fallthrough: { variation: 'small' },
    });
  });

  it('refuses bad definitions naming the field, and duplicate keys with 409, changing nothing', async () => {
    const before = await snapshotDatabase(t.server.store);
    const cases: Array<[unknown, number, string | undefined]> = [
      [
        { key: 'n', name: 'N', kind: 'number', variations: [{ id: 'a', value: 'one' }] },
        400,
        'variations[0].value',
      ],
      [
        {
          key: 'd',
          name: 'D',
          variations: [
            { id: 'x', value: true },
            { id: 'x', value: false },
          ],
        },
        400,
        'variations[1].id',
      ],
      [{ key: 'bad:key', name: 'Bad' }, 400, 'key'],
      [{ key: 'tags', name: 'Tags', tags: ['a', 'a'] }, 400, 'tags[1]'],
      [{ key: 'checkout-v2', name: 'Again' }, 409, undefined],
    ];
    for (const [body, status, path] of cases) {
      const response = await t.request('POST', '/api/v1/projects/shop/flags', { ...as(), body });
      expect(response.status, response.text).toBe(status);
      if (path) expect(response.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    expect(await snapshotDatabase(t.server.store)).toBe(before);
    const missing = await t.request('POST', '/api/v1/projects/nope/flags', {
      ...as(),
      body: { key: 'x', name: 'X' },
    });
    expect(missing.status).toBe(404);
  });

  it('gives every existing flag an off configuration in a new environment', async () => {
    const created = await t.request('POST', '/api/v1/projects/shop/environments', {
      ...as(),
      body: { key: 'staging', name: 'Staging' },
    });
    expect(created.status).toBe(201);
    for (const flag of ['checkout-v2', 'theme', 'limits']) {
      const config = await t.request('GET', `/api/v1/projects/shop/flags/${flag}/environments/staging`, as());
      expect(config.status, flag).toBe(200);
      expect(config.body).toMatchObject({ on: false, version: 1 });
    }
    const flag = await t.request('GET', '/api/v1/projects/shop/flags/checkout-v2', as());
    expect(Object.keys(flag.body.environments)).toEqual(['development', 'production', 'staging']);
  });

  it('updates name, description, tags and variations with the derived actions, and writes nothing for a no-op', async () => {
    const patch = (body: unknown) =>
      t.request('PATCH', '/api/v1/projects/shop/flags/checkout-v2', { ...as(), body });
    const before = (await entries()).length;
    const response = await patch({ name: 'Checkout 2', tags: ['web', 'payments'] });
    expect(response.status, response.text).toBe(200);
    expect(response.body).toMatchObject({ name: 'Checkout 2', tags: ['web', 'payments'] });
    let all = await entries();
    expect(all.length).toBe(before + 1);
    expect(all.at(-1)).toMatchObject({
      actions: ['UpdateFlagDetails', 'UpdateFlagTags'],
      resource: 'project/shop:env/*:flag/checkout-v2',
      summary:
        'renamed checkout-v2 from "Checkout v2" to "Checkout 2"; changed tags of checkout-v2: +payments',
      before: { name: 'Checkout v2', tags: ['web'] },
      after: { name: 'Checkout 2', tags: ['web', 'payments'] },
    });
    const variations = await patch({
      variations: [
        { id: 'true', value: true, name: 'New checkout' },
        { id: 'false', value: false, name: 'Old checkout' },
      ],
    });
    expect(variations.status).toBe(200);
    all = await entries();
    expect(all.at(-1)).toMatchObject({
      actions: ['UpdateFlagVariations'],
      summary: 'changed variations of checkout-v2',
    });

    const count = all.length;
    const same = await patch({ name: 'Checkout 2', tags: ['payments', 'web'] });
    expect(same.status).toBe(200);
    expect((await entries()).length).toBe(count);
  });

  it('refuses removing a variation a configuration still uses, naming it', async () => {
    const before = await snapshotDatabase(t.server.store);
    const response = await t.request('PATCH', '/api/v1/projects/shop/flags/checkout-v2', {
      ...as(),
      body: { variations: [{ id: 'true', value: true }] },
    });
    expect(response.status).toBe(400);
    expect(response.body.errors[0]).toMatchObject({ path: 'variations' });
    expect(response.body.errors[0].message).toContain('"false" is still used');
    const unknown = await t.request('PATCH', '/api/v1/projects/shop/flags/checkout-v2', {
      ...as(),
      body: { key: 'renamed' },
    });
    expect(unknown.status).toBe(400);
    expect(await snapshotDatabase(t.server.store)).toBe(before);
  });

  it('archives, lists by state and tag, restores', async () => {
    const archived = await t.request('POST', '/api/v1/projects/shop/flags/theme/archive', as());
    expect(archived.status).toBe(200);
    expect(archived.body.archived).toBe(true);
    expect((await entries()).at(-1)).toMatchObject({ actions: ['ArchiveFlag'], summary: 'archived theme' });
    const count = (await entries()).length;
    expect((await t.request('POST', '/api/v1/projects/shop/flags/theme/archive', as())).status).toBe(200);
    expect((await entries()).length).toBe(count);

    const keys = async (query: string) =>
      (await t.request('GET', `/api/v1/projects/shop/flags${query}`, as())).body.items.map(
        (f: { key: string }) => f.key,
      );
    expect(await keys('')).toEqual(['checkout-v2', 'limits']);
    expect(await keys('?archived=false')).toEqual(['checkout-v2', 'limits']);
    expect(await keys('?archived=true')).toEqual(['theme']);
    expect(await keys('?tag=payments')).toEqual(['checkout-v2']);
    expect(await keys('?tag=nothing')).toEqual([]);
    const list = await t.request('GET', '/api/v1/projects/shop/flags', as());
    expect(list.body.nextCursor).toBeNull();
    expect(list.body.items[0].environments.production).toEqual({ on: false, version: 1 });
    expect((await t.request('GET', '/api/v1/projects/shop/flags?archived=maybe', as())).status).toBe(400);

    const restored = await t.request('POST', '/api/v1/projects/shop/flags/theme/restore', as());
    expect(restored.body.archived).toBe(false);
    expect((await entries()).at(-1)).toMatchObject({ actions: ['RestoreFlag'], summary: 'restored theme' });
    expect(await keys('')).toEqual(['checkout-v2', 'limits', 'theme']);
  });

  it('deletes a flag with its configurations', async () => {
    const response = await t.request('DELETE', '/api/v1/projects/shop/flags/theme', as());
    expect(response.status).toBe(204);
    expect((await entries()).at(-1)).toMatchObject({
      actions: ['DeleteFlag'],
      resource: 'project/shop:env/*:flag/theme',
      summary: 'deleted flag theme from project shop',
      before: { key: 'theme', kind: 'string' },
    });
    expect((await t.request('GET', '/api/v1/projects/shop/flags/theme', as())).status).toBe(404);
    expect(
      (await t.request('GET', '/api/v1/projects/shop/flags/theme/environments/production', as())).status,
    ).toBe(404);
    const orphans = await t.server.store.db
      .selectFrom('flag_configurations')
      .leftJoin('flags', 'flags.id', 'flag_configurations.flag_id')
      .select('flags.id')
      .where('flags.id', 'is', null)
      .execute();
    expect(orphans).toEqual([]);
    expect((await t.request('DELETE', '/api/v1/projects/shop/flags/theme', as())).status).toBe(404);
  });

  it('shows a reader only the environments they may access', async () => {
    const policy = await t.request('POST', '/api/v1/policies', {
      ...as(),
      body: {
        key: 'dev-reader',
        name: 'Dev reader',
        statements: [
          { effect: 'allow', actions: ['CanAccessProject'], resources: ['project/shop'] },
          { effect: 'allow', actions: ['CanAccessEnv'], resources: ['project/shop:env/development'] },
        ],
      },
    });
    expect(policy.status, policy.text).toBe(201);
    const reader = await addMember(t, token, { email: 'reader@acme.test' });
    const assigned = await t.request('POST', '/api/v1/assignments', {
      ...as(),
      body: { policy: 'dev-reader', member: 'reader@acme.test' },
    });
    expect(assigned.status, assigned.text).toBe(201);
    const readerAs = { as: { token: reader.token } };
    const flag = await t.request('GET', '/api/v1/projects/shop/flags/checkout-v2', readerAs);
    expect(flag.status).toBe(200);
    expect(Object.keys(flag.body.environments)).toEqual(['development']);
    const list = await t.request('GET', '/api/v1/projects/shop/flags', readerAs);
    expect(
      list.body.items.every(
        (f: { environments: object }) => Object.keys(f.environments).join() === 'development',
      ),
    ).toBe(true);
    const base = '/api/v1/projects/shop/flags/checkout-v2/environments';
    expect((await t.request('GET', `${base}/development`, readerAs)).status).toBe(200);
    expect((await t.request('GET', `${base}/production`, readerAs)).status).toBe(403);
    const toggle = await t.request('PATCH', `${base}/development`, { ...readerAs, body: { on: true } });
    expect(toggle.status).toBe(403);
    expect(toggle.body.missing.map((m: { action: string }) => m.action)).toEqual(['UpdateFlagOn']);
  });

  it('refuses an org member every flag change, recording each attempt, and shows them nothing', async () => {
    const member = await addMember(t, token, { email: 'mel@acme.test' });
    const before = (await entries()).length;
    const attempts: Array<[string, string, unknown, string]> = [
      ['POST', '/api/v1/projects/shop/flags', { key: 'sneaky', name: 'Sneaky' }, 'CreateFlag'],
      ['PATCH', '/api/v1/projects/shop/flags/checkout-v2', { description: 'mine' }, 'UpdateFlagDetails'],
      ['POST', '/api/v1/projects/shop/flags/checkout-v2/archive', undefined, 'ArchiveFlag'],
      ['DELETE', '/api/v1/projects/shop/flags/checkout-v2', undefined, 'DeleteFlag'],
    ];
    for (const [method, url, body, action] of attempts) {
      const response = await t.request(method, url, {
        as: { token: member.token },
        ...(body === undefined ? {} : { body }),
      });
      expect(response.status, url).toBe(403);
      expect(response.body.missing.map((m: { action: string }) => m.action)).toContain(action);
    }
    const all = await entries();
    expect(all.length).toBe(before + attempts.length);
    expect(all.slice(-attempts.length).every((e) => e.outcome === 'denied')).toBe(true);
    expect(
      (await t.request('GET', '/api/v1/projects/shop/flags', { as: { token: member.token } })).status,
    ).toBe(403);
    expect(
      (await t.request('GET', '/api/v1/projects/shop/flags/checkout-v2', { as: { token: member.token } }))
        .status,
    ).toBe(403);
    expect((await t.request('GET', '/api/v1/projects/shop/flags/checkout-v2', as())).body.description).toBe(
      '',
    );
  });
});
