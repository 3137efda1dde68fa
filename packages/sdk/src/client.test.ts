import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createFlag,
  type Flagward,
  latestAuditHash,
  nextEvent,
  patchFlag,
  removeDataDir,
  restartFlagward,
  serverKey,
  startFlagward,
  startProxy,
  type TcpProxy,
  until,
} from '../test/support/flagward-server';
import { createClient, type FlagwardClient, type FlagwardRuleset } from './client';

const FAST_RETRY = { initialRetryDelayMs: 20, maxRetryDelayMs: 200 };

describe('Node SDK against a real Flagward server (SQLite)', () => {
  let flagward: Flagward;
  let key: string;
  const clients: FlagwardClient[] = [];
  const client = (options: Partial<Parameters<typeof createClient>[0]> = {}) => {
    const created = createClient({ url: flagward.url, serverKey: key, ...FAST_RETRY, ...options });
    clients.push(created);
    return created;
  };

  beforeAll(async () => {
    flagward = await startFlagward();
    await createFlag(flagward, { key: 'checkout' }, { on: true });
    await createFlag(
      flagward,
      {
        key: 'theme',
        kind: 'string',
        variations: [
          { id: 'light', value: 'light' },
          { id: 'dark', value: 'dark' },
        ],
      },
      {
        on: true,
        rules: [
          {
            id: 'pros',
            clauses: [{ attribute: 'plan', op: 'in', values: ['pro'] }],
            serve: { variation: 'dark' },
          },
        ],
        fallthrough: { variation: 'light' },
      },
    );
    await createFlag(
      flagward,
      {
        key: 'page-size',
        kind: 'number',
        variations: [
          { id: 'small', value: 10 },
          { id: 'large', value: 50 },
        ],
      },
      {
        on: true,
        fallthrough: {
          rollout: {
            weights: [
              { variation: 'small', weight: 50000 },
              { variation: 'large', weight: 50000 },
            ],
          },
        },
      },
    );
    await createFlag(
      flagward,
      {
        key: 'limits',
        kind: 'json',
        variations: [
          { id: 'basic', value: { rpm: 60 } },
          { id: 'high', value: { rpm: 600 } },
        ],
      },
      { on: true, fallthrough: { variation: 'high' } },
    );
    await createFlag(flagward, { key: 'dormant' });
    key = await serverKey(flagward);
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await flagward.close();
    removeDataDir(flagward);
  });

  it('becomes ready and serves typed values with OpenFeature reasons', async () => {
    const flags = client();
    expect(flags.ready).toBe(false);
    expect(flags.evaluate('checkout', { key: 'u' }, false)).toMatchObject({
      value: false,
      reason: 'ERROR',
      errorCode: 'PROVIDER_NOT_READY',
    });
    await flags.waitForReady(5_000);
    expect(flags.ready).toBe(true);
    expect(flags.connected).toBe(true);

    expect(flags.boolean('checkout', { key: 'u' }, false)).toBe(true);
    expect(flags.string('theme', { key: 'u', plan: 'pro' }, 'none')).toBe('dark');
    expect(flags.string('theme', { key: 'u', plan: 'free' }, 'none')).toBe('light');
    expect([10, 50]).toContain(flags.number('page-size', { key: 'u' }, 0));
    expect(flags.json('limits', { key: 'u' }, { rpm: 1 })).toEqual({ rpm: 600 });
    expect(flags.boolean('dormant', { key: 'u' }, true)).toBe(false);

    expect(flags.evaluate('checkout', { key: 'u' }, false)).toMatchObject({
      value: true,
      variant: 'true',
      reason: 'DEFAULT',
    });
    expect(flags.evaluate('theme', { key: 'u', plan: 'pro' }, 'none')).toMatchObject({
      value: 'dark',
      reason: 'TARGETING_MATCH',
      flagMetadata: { ruleId: 'pros', ruleIndex: 0, auditHash: expect.any(String) },
    });
    expect(flags.evaluate('page-size', { key: 'u' }, 0).reason).toBe('SPLIT');
    expect(flags.evaluate('dormant', { key: 'u' }, true)).toMatchObject({ value: false, reason: 'DISABLED' });
    // The same answers as the server's own evaluation.
    const server = await fetch(`${flagward.url}/sdk/v1/evaluate`, {
      method: 'POST',
      headers: { authorization: key, 'content-type': 'application/json' },
      body: JSON.stringify({ context: { key: 'user-7', plan: 'pro' } }),
    }).then((r) => r.json());
    for (const [flag, result] of Object.entries(server.results as Record<string, any>)) {
      const local = flags.evaluate(flag, { key: 'user-7', plan: 'pro' }, result.value);
      expect(local, flag).toEqual(result);
    }
  });

  it('serves the default with an error code for unknown flags, type mismatches and evaluation errors', async () => {
    const flags = client();
    await flags.waitForReady(5_000);
    expect(flags.evaluate('missing', { key: 'u' }, 'x')).toEqual({
      value: 'x',
      reason: 'ERROR',
      errorCode: 'FLAG_NOT_FOUND',
      errorMessage: expect.any(String),
      flagMetadata: { version: 0 },
    });
    expect(flags.evaluate('checkout', { key: 'u' }, 'a string')).toMatchObject({
      value: 'a string',
      reason: 'ERROR',
      errorCode: 'TYPE_MISMATCH',
    });
    expect(flags.string('checkout', { key: 'u' }, 'fallback')).toBe('fallback');
    expect(flags.number('theme', { key: 'u' }, 3)).toBe(3);
    expect(flags.json('checkout', { key: 'u' }, { a: 1 })).toEqual({ a: 1 });
    expect(flags.evaluate('page-size', {}, 7)).toMatchObject({
      value: 7,
      reason: 'ERROR',
      errorCode: 'TARGETING_KEY_MISSING',
    });
    expect(flags.boolean('missing', { key: 'u' }, true)).toBe(true);
  });

  it('reports a change made through the API as a change event, with flagMetadata naming the audit entry', async () => {
    const flags = client();
    await flags.waitForReady(5_000);
    const changed = nextEvent<string[]>((listener) => flags.on('change', listener));
    const configuration = await patchFlag(flagward, 'checkout', {
      targets: [{ variation: 'false', values: ['vip'] }],
    });
    expect(await changed).toEqual(['checkout']);
    const hash = await latestAuditHash(flagward);
    expect(flags.evaluate('checkout', { key: 'vip' }, true)).toEqual({
      value: false,
      variant: 'false',
      reason: 'TARGETING_MATCH',
      flagMetadata: { version: configuration.version, auditHash: hash },
    });
    expect(flags.version).toBeGreaterThan(0);
  });

  it('serves offline from a bootstrap ruleset without any network access', async () => {
    const online = client();
    await online.waitForReady(5_000);
    const snapshot: FlagwardRuleset = JSON.parse(JSON.stringify(online.ruleset()));
    const offline = createClient({
      offline: true,
      bootstrap: snapshot,
      fetch: () => {
        throw new Error('no network offline');
      },
    });
    clients.push(offline);
    expect(offline.ready).toBe(true);
    await offline.waitForReady(0);
    expect(offline.string('theme', { key: 'u', plan: 'pro' }, 'none')).toBe('dark');
    expect(offline.evaluate('checkout', { key: 'u' }, false)).toEqual(
      online.evaluate('checkout', { key: 'u' }, false),
    );
    const empty = createClient({ offline: true });
    expect(empty.evaluate('checkout', {}, true).errorCode).toBe('PROVIDER_NOT_READY');
    await expect(empty.waitForReady(10)).rejects.toThrow(/not ready/);
    expect(() => createClient({ url: flagward.url })).toThrow(/serverKey/);
  });

  it('receives a change it missed while its stream was dropped, after reconnecting', async () => {
    let proxy: TcpProxy | undefined;
    try {
      proxy = await startProxy(flagward.port);
      const flags = client({ url: proxy.url });
      await flags.waitForReady(5_000);
      const disconnected = nextEvent<void>((listener) => flags.on('disconnected', listener));
      proxy.down();
      await disconnected;
      await patchFlag(flagward, 'theme', { fallthrough: { variation: 'dark' } });
      // Still serving the last ruleset it had.
      expect(flags.string('theme', { key: 'u' }, 'none')).toBe('light');
      const changed = nextEvent<string[]>((listener) => flags.on('change', listener));
      proxy.up();
      expect(await changed).toContain('theme');
      expect(flags.string('theme', { key: 'u' }, 'none')).toBe('dark');
      expect(flags.connected).toBe(true);
    } finally {
      await proxy?.close();
    }
  });

  it('keeps serving while the server is down and catches up after a restart on the same data directory', async () => {
    const flags = client();
    await flags.waitForReady(5_000);
    expect(flags.boolean('dormant', { key: 'u' }, true)).toBe(false);
    const disconnected = nextEvent<void>((listener) => flags.on('disconnected', listener));
    await flagward.close();
    await disconnected;
    // The server is gone: evaluations go on from the last ruleset.
    for (let i = 0; i < 5; i++) {
      expect(flags.boolean('dormant', { key: 'u' }, true)).toBe(false);
      expect(flags.evaluate('checkout', { key: 'u' }, false)).toMatchObject({
        value: true,
        reason: 'DEFAULT',
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const changed = nextEvent<string[]>((listener) => flags.on('change', listener));
    // Changed before the restarted server accepts connections: only a catch-up can deliver it.
    flagward = await restartFlagward(flagward, async (restarted) => {
      await patchFlag(restarted, 'dormant', { on: true });
    });
    expect(await changed).toContain('dormant');
    expect(flags.evaluate('dormant', { key: 'u' }, false)).toMatchObject({
      value: true,
      reason: 'DEFAULT',
      flagMetadata: { auditHash: await latestAuditHash(flagward) },
    });
    await until(() => flags.connected);
  });

  it('stops retrying quickly when its key is refused, keeping the last ruleset', async () => {
    const flags = client();
    await flags.waitForReady(5_000);
    const refused = nextEvent<Error>((listener) => flags.on('error', listener));
    const rotated = await flagward.api(
      'POST',
      '/api/v1/projects/shop/environments/production/sdk-keys/rotate',
    );
    expect(rotated.status).toBe(200);
    expect((await refused).message).toMatch(/refused the server key/);
    expect(flags.boolean('checkout', { key: 'u' }, false)).toBe(true);
    key = rotated.body.serverKey;
  });
});
