import { Writable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type FlagwardServer } from '../src/app/server';
import type { PostgresChangeFeed } from '../src/sdk/change-feed';
import { createTestDatabase, DATABASES, type TestDatabase } from './support/databases';
import { createFlag, patchFlag, serverKeyOf } from './support/sdk-helpers';
import { connectSse, type SseTestClient } from './support/sse-client';
import { setupOrganization, type TestServer } from './support/test-server';

const silent = new Writable({ write: (_chunk, _encoding, callback) => callback() });

/** A TestServer-like wrapper (inject-based requests) around a server of our own. */
function wrap(server: FlagwardServer, database: TestDatabase): TestServer {
  return {
    server,
    database,
    logs: [],
    async request(method, url, opts = {}) {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      if (opts.as && 'token' in opts.as) headers.authorization = `Bearer ${opts.as.token}`;
      const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
      if (payload !== undefined) headers['content-type'] = 'application/json';
      const response = await server.app.inject({
        method: method as 'GET',
        url,
        headers,
        ...(payload === undefined ? {} : { payload }),
      });
      const body = response.body === '' ? undefined : JSON.parse(response.body);
      return { status: response.statusCode, body, headers: response.headers, text: response.body };
    },
    close: () => server.close(),
  };
}

describe.skipIf(!DATABASES.includes('postgres'))(
  'SDK changes across two server processes on PostgreSQL',
  () => {
    let database: TestDatabase;
    let a: TestServer;
    let b: TestServer;
    let baseB: string;
    let token: string;
    let key: string;
    const streams: SseTestClient[] = [];

    beforeAll(async () => {
      database = await createTestDatabase('postgres');
      const open = async () =>
        wrap(
          await createServer(
            { dataDir: database.dataDir, databaseUrl: database.databaseUrl },
            { logStream: silent, webDist: null, backgroundJobs: false, sdkHeartbeatMs: 1_000 },
          ),
          database,
        );
      a = await open();
      b = await open();
      token = (await setupOrganization(a)).token;
      expect(
        (await a.request('POST', '/api/v1/projects', { as: { token }, body: { key: 'shop', name: 'Shop' } }))
          .status,
      ).toBe(201);
      await createFlag(a, token, 'shop', { key: 'checkout' }, { production: { on: true } });
      key = await serverKeyOf(a, token, 'shop', 'production');
      baseB = await b.server.app.listen({ port: 0, host: '127.0.0.1' });
    });
    afterAll(async () => {
      for (const s of streams) s.close();
      await a?.close();
      await b?.close();
      await database?.drop();
    });

    const streamOnB = async () => {
      const client = await connectSse(`${baseB}/sdk/v1/stream`, key);
      streams.push(client);
      return client;
    };

    it('delivers a change made through process A to a stream connected to process B', async () => {
      const client = await streamOnB();
      const put = JSON.parse((await client.next((e) => e.event === 'put')).data);
      expect(put.flags.checkout.on).toBe(true);

      const changed = await patchFlag(a, token, 'shop', 'checkout', 'production', { on: false });
      const patch = await client.next((e) => e.event === 'patch');
      expect(JSON.parse(patch.data)).toMatchObject({
        key: 'checkout',
        flag: { on: false, version: changed.version },
      });

      // B's server-side evaluation follows too (from its cache, updated by the notification).
      const evaluated = await b.request('POST', '/sdk/v1/evaluate', {
        headers: { authorization: key },
        body: { context: { key: 'u' }, flags: ['checkout'] },
      });
      expect(evaluated.body.results.checkout).toMatchObject({ value: false, reason: 'DISABLED' });
    });

    it('catches up after its LISTEN connection was killed: nothing committed meanwhile is lost', async () => {
      const client = await streamOnB();
      await client.next((e) => e.event === 'put');
      const feed = b.server.services.sdk.feed as PostgresChangeFeed;
      expect(feed.listening).toBe(true);
      const admin = new pg.Client({ connectionString: database.databaseUrl });
      await admin.connect();
      try {
        const killed = await admin.query(
          `select pg_terminate_backend(pid) from pg_stat_activity
          where datname = current_database() and query ilike 'LISTEN%' and pid <> pg_backend_pid()`,
        );
        expect(killed.rowCount).toBeGreaterThan(0);
      } finally {
        await admin.end();
      }
      // Committed while B cannot hear: B must find it when it reconnects.
      await patchFlag(a, token, 'shop', 'checkout', 'production', { on: true });
      const patch = await client.next((e) => e.event === 'patch', 15_000);
      expect(JSON.parse(patch.data)).toMatchObject({ key: 'checkout', flag: { on: true } });
      expect(feed.listening).toBe(true);
    });

    it('closes streams on B when the key is rotated through A', async () => {
      const client = await streamOnB();
      await client.next((e) => e.event === 'put');
      const rotated = await a.request(
        'POST',
        '/api/v1/projects/shop/environments/production/sdk-keys/rotate',
        {
          as: { token },
        },
      );
      expect(rotated.status).toBe(200);
      await client.ended;
      const refused = await fetch(`${baseB}/sdk/v1/ruleset`, { headers: { authorization: key } });
      expect(refused.status).toBe(401);
      key = rotated.body.serverKey;
      const accepted = await fetch(`${baseB}/sdk/v1/ruleset`, { headers: { authorization: key } });
      expect(accepted.status).toBe(200);
    });
  },
);
