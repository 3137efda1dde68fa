import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from './support/databases';
import { countQueries, createFlag, latestFlagEntry, patchFlag, serverKeyOf } from './support/sdk-helpers';
import { connectSse, type SseTestClient } from './support/sse-client';
import { auditEntries, setupOrganization, startTestServer, type TestServer } from './support/test-server';

const HALF = [
  { variation: 'true', weight: 50000 },
  { variation: 'false', weight: 50000 },
];

describe.each(DATABASES)('SDK endpoints on %s', (database) => {
  let t: TestServer;
  let token: string;
  let key: string;
  let base: string;
  const streams: SseTestClient[] = [];

  const sdk = (method: string, url: string, authorization: string | undefined, body?: unknown) =>
    t.request(method, url, {
      ...(authorization === undefined ? {} : { headers: { authorization } }),
      ...(body === undefined ? {} : { body }),
    });
  const stream = async (authorization: string, lastEventId?: string) => {
    const client = await connectSse(`${base}/sdk/v1/stream`, authorization, lastEventId);
    streams.push(client);
    return client;
  };

  beforeAll(async () => {
    t = await startTestServer(database, { backgroundJobs: false, sdkHeartbeatMs: 200 });
    token = (await setupOrganization(t)).token;
    const project = await t.request('POST', '/api/v1/projects', {
      as: { token },
      body: { key: 'shop', name: 'Shop' },
    });
    expect(project.status).toBe(201);
    await createFlag(t, token, 'shop', { key: 'checkout' }, { production: { on: true } });
    await createFlag(
      t,
      token,
      'shop',
      {
        key: 'banner',
        kind: 'string',
        variations: [
          { id: 'plain', value: 'plain' },
          { id: 'fancy', value: 'fancy' },
        ],
      },
      {
        production: {
          on: true,
          rules: [
            {
              id: 'staff',
              clauses: [{ attribute: 'email', op: 'endsWith', values: ['@acme.test'] }],
              serve: { variation: 'fancy' },
            },
          ],
          fallthrough: { variation: 'plain' },
        },
      },
    );
    await createFlag(
      t,
      token,
      'shop',
      { key: 'rollout' },
      { production: { on: true, fallthrough: { rollout: { weights: HALF } } } },
    );
    key = await serverKeyOf(t, token, 'shop', 'production');
    base = await t.server.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    for (const s of streams) s.close();
    await t.close();
  });

  it('refuses a missing, malformed or unknown server key with 401 problem+json, and accepts "Bearer <key>"', async () => {
    for (const authorization of [undefined, 'fw_srv_unknown', 'Basic abc def', `Token ${key}`]) {
      const response = await sdk('GET', '/sdk/v1/ruleset', authorization);
      expect(response.status, String(authorization)).toBe(401);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.body.code).toBe('unauthenticated');
    }
    const unknownEvaluate = await sdk('POST', '/sdk/v1/evaluate', 'fw_srv_unknown', { nope: 1 });
    expect(unknownEvaluate.status).toBe(401);
    expect((await sdk('GET', '/sdk/v1/ruleset', key)).status).toBe(200);
    expect((await sdk('GET', '/sdk/v1/ruleset', `Bearer ${key}`)).status).toBe(200);
    // A development key reads the development ruleset, never production's.
    const devKey = await serverKeyOf(t, token, 'shop', 'development');
    const dev = await sdk('GET', '/sdk/v1/ruleset', devKey);
    expect(dev.body.environment).toBe('development');
    expect(dev.body.flags.checkout.on).toBe(false);
  });

  it('serves the ruleset: every flag with its configuration, salt, kind and the hash of its audit entry', async () => {
    const response = await sdk('GET', '/sdk/v1/ruleset', key);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toContain('application/json');
    const entries = await auditEntries(t);
    const ruleset = response.body;
    expect(ruleset.environment).toBe('production');
    expect(ruleset.version).toBe(entries.at(-1)!.seq);
    expect(Object.keys(ruleset.flags).sort()).toEqual(['banner', 'checkout', 'rollout']);
    expect(ruleset.flags.checkout).toEqual({
      kind: 'boolean',
      variations: [
        { id: 'true', value: true },
        { id: 'false', value: false },
      ],
      on: true,
      offVariation: 'false',
      targets: [],
      rules: [],
      fallthrough: { variation: 'true' },
      version: 2,
      salt: expect.any(String),
      archived: false,
      auditHash: latestFlagEntry(entries, 'checkout', 'production')!.hash,
    });
    expect(ruleset.flags.rollout.fallthrough).toEqual({ rollout: { weights: HALF } });
    expect(ruleset.flags.banner.auditHash).toBe(latestFlagEntry(entries, 'banner', 'production')!.hash);
  });

  it('evaluates on the server: values, variants, OpenFeature reasons and metadata naming the audit entry', async () => {
    const response = await sdk('POST', '/sdk/v1/evaluate', key, {
      context: { key: 'user-1', email: 'ann@acme.test' },
    });
    expect(response.status).toBe(200);
    const entries = await auditEntries(t);
    const { results } = response.body;
    expect(results.checkout).toEqual({
      value: true,
      variant: 'true',
      reason: 'DEFAULT',
      flagMetadata: { version: 2, auditHash: latestFlagEntry(entries, 'checkout', 'production')!.hash },
    });
    expect(results.banner).toMatchObject({
      value: 'fancy',
      reason: 'TARGETING_MATCH',
      flagMetadata: { ruleId: 'staff', ruleIndex: 0 },
    });
    expect(results.rollout.reason).toBe('SPLIT');
    expect(typeof results.rollout.value).toBe('boolean');
  });

  it('returns evaluation errors as data: unknown flags and a rollout without a key', async () => {
    const response = await sdk('POST', '/sdk/v1/evaluate', key, {
      context: { email: 'bob@example.com' },
      flags: ['banner', 'nope', 'rollout'],
    });
    expect(response.status).toBe(200);
    const { results } = response.body;
    expect(Object.keys(results)).toEqual(['banner', 'nope', 'rollout']);
    expect(results.banner).toMatchObject({ value: 'plain', reason: 'DEFAULT' });
    expect(results.nope).toMatchObject({
      reason: 'ERROR',
      errorCode: 'FLAG_NOT_FOUND',
      flagMetadata: { version: 0 },
    });
    expect(results.nope).not.toHaveProperty('value');
    expect(results.rollout).toMatchObject({ reason: 'ERROR', errorCode: 'TARGETING_KEY_MISSING' });
    const invalid = await sdk('POST', '/sdk/v1/evaluate', key, { context: 'user-1' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors[0].path).toBe('context');
  });

  it('evaluates without touching the database once the environment is cached', async () => {
    // Sanity check of the counter: a cold environment is read from the database.
    const qa = await t.request('POST', '/api/v1/projects/shop/environments', {
      as: { token },
      body: { key: 'qa', name: 'QA' },
    });
    expect(qa.status).toBe(201);
    const qaKey = await serverKeyOf(t, token, 'shop', 'qa');
    const cold = await countQueries(t, async () => {
      await sdk('POST', '/sdk/v1/evaluate', qaKey, { context: { key: 'a' } });
    });
    expect(cold).toBeGreaterThan(0);
    await sdk('POST', '/sdk/v1/evaluate', key, { context: { key: 'warm-up' } });
    const hot = await countQueries(t, async () => {
      for (let i = 0; i < 50; i++) {
        const response = await sdk('POST', '/sdk/v1/evaluate', key, { context: { key: `user-${i}` } });
        expect(response.status).toBe(200);
      }
      expect((await sdk('GET', '/sdk/v1/ruleset', key)).status).toBe(200);
    });
    expect(hot).toBe(0);
  });

  it('sees its own writes: an evaluation right after a change answers with the change', async () => {
    await patchFlag(t, token, 'shop', 'checkout', 'production', { on: false });
    const off = await sdk('POST', '/sdk/v1/evaluate', key, { context: { key: 'u' }, flags: ['checkout'] });
    expect(off.body.results.checkout).toMatchObject({
      value: false,
      reason: 'DISABLED',
      flagMetadata: { version: 3 },
    });
    await patchFlag(t, token, 'shop', 'checkout', 'production', { on: true });
    const on = await sdk('POST', '/sdk/v1/evaluate', key, { context: { key: 'u' }, flags: ['checkout'] });
    expect(on.body.results.checkout).toMatchObject({ value: true, flagMetadata: { version: 4 } });
  });

  it('streams a put on connect, a patch per change (id = ruleset version) and heartbeats', async () => {
    const client = await stream(key);
    expect(client.status).toBe(200);
    expect(client.contentType).toContain('text/event-stream');
    const put = await client.next((e) => e.event === 'put');
    const ruleset = JSON.parse(put.data);
    expect(put.id).toBe(String(ruleset.version));
    expect(ruleset.flags.checkout.on).toBe(true);

    const changed = await patchFlag(t, token, 'shop', 'checkout', 'production', {
      targets: [{ variation: 'false', values: ['blocked-user'] }],
    });
    const patch = await client.next((e) => e.event === 'patch');
    const body = JSON.parse(patch.data);
    const entries = await auditEntries(t);
    const entry = latestFlagEntry(entries, 'checkout', 'production')!;
    expect(body).toEqual({
      key: 'checkout',
      flag: expect.objectContaining({
        version: changed.version,
        targets: [{ variation: 'false', values: ['blocked-user'] }],
        auditHash: entry.hash,
      }),
      version: entry.seq,
    });
    expect(patch.id).toBe(String(entry.seq));
    await client.next((e) => e.event === 'comment' && e.data === 'heartbeat', 2_000);

    // A change in another environment is not streamed here.
    await patchFlag(t, token, 'shop', 'checkout', 'development', { on: true });
    await patchFlag(t, token, 'shop', 'banner', 'production', { on: false });
    const next = await client.next((e) => e.event === 'patch');
    expect(JSON.parse(next.data).key).toBe('banner');
  });

  it('gives a client that reconnects with an older Last-Event-ID a fresh put with every change it missed', async () => {
    const first = await stream(key);
    const put = await first.next((e) => e.event === 'put');
    first.close();
    await patchFlag(t, token, 'shop', 'banner', 'production', {
      on: true,
      fallthrough: { variation: 'fancy' },
    });
    const again = await stream(key, put.id);
    const fresh = await again.next((e) => e.event === 'put');
    expect(Number(fresh.id)).toBeGreaterThan(Number(put.id));
    expect(JSON.parse(fresh.data).flags.banner).toMatchObject({
      on: true,
      fallthrough: { variation: 'fancy' },
    });
  });

  it('streams archived and deleted flags', async () => {
    await createFlag(t, token, 'shop', { key: 'doomed' });
    const client = await stream(key);
    const put = await client.next((e) => e.event === 'put');
    expect(JSON.parse(put.data).flags.doomed).toMatchObject({ on: false });

    expect(
      (await t.request('POST', '/api/v1/projects/shop/flags/doomed/archive', { as: { token } })).status,
    ).toBe(200);
    const archived = await client.next((e) => e.event === 'patch');
    expect(JSON.parse(archived.data)).toMatchObject({ key: 'doomed', flag: { archived: true } });

    expect((await t.request('DELETE', '/api/v1/projects/shop/flags/doomed', { as: { token } })).status).toBe(
      204,
    );
    const deleted = await client.next((e) => e.event === 'patch');
    expect(JSON.parse(deleted.data)).toEqual({ key: 'doomed', deleted: true, version: Number(deleted.id) });
    const ruleset = await sdk('GET', '/sdk/v1/ruleset', key);
    expect(ruleset.body.flags).not.toHaveProperty('doomed');
  });

  it('stops accepting a rotated key at once, closing its streams, and accepts the new key', async () => {
    const client = await stream(key);
    await client.next((e) => e.event === 'put');
    const rotated = await t.request('POST', '/api/v1/projects/shop/environments/production/sdk-keys/rotate', {
      as: { token },
    });
    expect(rotated.status).toBe(200);
    await client.ended;
    expect((await sdk('GET', '/sdk/v1/ruleset', key)).status).toBe(401);
    expect((await sdk('POST', '/sdk/v1/evaluate', key, { context: { key: 'u' } })).status).toBe(401);
    const refused = await fetch(`${base}/sdk/v1/stream`, { headers: { authorization: key } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');

    key = rotated.body.serverKey;
    const ruleset = await sdk('GET', '/sdk/v1/ruleset', key);
    expect(ruleset.status).toBe(200);
    expect(ruleset.body.environment).toBe('production');
    const renewed = await stream(key);
    expect((await renewed.next((e) => e.event === 'put')).event).toBe('put');
  });

  it('closes the streams of a deleted environment and refuses its key', async () => {
    const created = await t.request('POST', '/api/v1/projects/shop/environments', {
      as: { token },
      body: { key: 'staging', name: 'Staging' },
    });
    expect(created.status).toBe(201);
    const stagingKey = await serverKeyOf(t, token, 'shop', 'staging');
    const client = await stream(stagingKey);
    expect(Object.keys(JSON.parse((await client.next((e) => e.event === 'put')).data).flags).sort()).toEqual([
      'banner',
      'checkout',
      'rollout',
    ]);
    expect(
      (await t.request('DELETE', '/api/v1/projects/shop/environments/staging', { as: { token } })).status,
    ).toBe(204);
    await client.ended;
    expect((await sdk('GET', '/sdk/v1/ruleset', stagingKey)).status).toBe(401);
  });

  it('describes the SDK routes in the OpenAPI document', async () => {
    const response = await t.request('GET', '/api/v1/openapi.json');
    for (const [path, method] of [
      ['/sdk/v1/ruleset', 'get'],
      ['/sdk/v1/evaluate', 'post'],
      ['/sdk/v1/stream', 'get'],
    ] as const) {
      expect(response.body.paths[path][method]['x-flagward-access']).toEqual({
        public: true,
        why: 'authenticated by the environment server key',
      });
    }
  });

  it('ends open streams when the server closes', async () => {
    const client = await stream(key);
    await client.next((e) => e.event === 'put');
    expect(t.server.services.sdk.streamCount).toBeGreaterThan(0);
    await t.server.services.sdk.close();
    await client.ended;
    expect(t.server.services.sdk.streamCount).toBe(0);
  });
});
