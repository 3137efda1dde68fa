import type { ConfigurationPatch } from '@flagward/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unsealedEntryOf } from '../src/audit/audit.appender';
import type { Principal } from '../src/governance/principal';
import { inOneBatch } from './support/batches';
import { DATABASES } from './support/databases';
import {
  addMember,
  auditEntries,
  setupOrganization,
  startTestServer,
  type TestServer,
} from './support/test-server';

describe.each(DATABASES)('changes of a batch side by side on %s', (database) => {
  let t: TestServer;
  let token: string;
  let owner: Principal;
  let reader: Principal;
  const flags = ['f0', 'f1', 'f2', 'f3', 'f4'];

  beforeAll(async () => {
    t = await startTestServer(database);
    token = (await setupOrganization(t)).token;
    await t.request('POST', '/api/v1/projects', { as: { token }, body: { key: 'shop', name: 'Shop' } });
    for (const key of flags) {
      const created = await t.request('POST', '/api/v1/projects/shop/flags', {
        as: { token },
        body: { key, name: key },
      });
      expect(created.status).toBe(201);
    }
    const readerToken = (await addMember(t, token, { email: 'quinn@acme.test' })).token;
    const granted = await t.request('POST', '/api/v1/assignments', {
      as: { token },
      body: { policy: 'project-reader', member: 'quinn@acme.test', params: { project: 'shop' } },
    });
    expect(granted.status).toBe(201);
    const principal = async (bearer: string) =>
      (await t.server.services.auth.authenticate(bearer, undefined))!.principal as Principal;
    owner = await principal(token);
    reader = await principal(readerToken);
  });
  afterAll(async () => t.close());

  /**
   * Changes a flag's configuration through the service (an HTTP request would first wait for the
   * connection that SQLite's batch holds), answering like the API: a status and the configuration.
   */
  const patch = async (flag: string, body: ConfigurationPatch, as = owner) => {
    try {
      const view = await t.server.services.configurations.patch(
        as,
        { project: 'shop', flag, env: 'development' },
        body,
        { requestId: `lanes-${flag}` },
      );
      return { status: 200, body: view as any };
    } catch (error) {
      const code = (error as { code?: string }).code;
      return {
        status: code === 'forbidden' ? 403 : code === 'version-conflict' ? 409 : 500,
        body: error as any,
      };
    }
  };
  const configuration = async (flag: string) =>
    (
      await t.request('GET', `/api/v1/projects/shop/flags/${flag}/environments/development`, {
        as: { token },
      })
    ).body;

  /** Runs `requests` as one batch (see inOneBatch); none of them rejects. */
  async function oneBatch<T>(requests: Array<() => Promise<T>>, laterBatches = 0): Promise<T[]> {
    const settled = await inOneBatch(t.server.services.commits, requests, laterBatches);
    return settled.map((s) => {
      if (s.status === 'rejected') throw s.reason;
      return s.value;
    });
  }

  it('runs changes of different lanes at the same time in one transaction', async () => {
    const commits = t.server.services.commits;
    let bothStarted!: () => void;
    const second = new Promise<void>((resolve) => (bothStarted = resolve));
    const order: string[] = [];
    // The first one finishes only once the second one has started: one after the other, they would wait forever.
    const results = await oneBatch([
      () =>
        commits.run(
          async () => {
            order.push('a starts');
            await second;
            order.push('a ends');
            return 'a';
          },
          { lane: 'lane a' },
        ),
      () =>
        commits.run(
          async () => {
            order.push('b starts');
            bothStarted();
            return 'b';
          },
          { lane: 'lane b' },
        ),
    ]);
    expect(results).toEqual(['a', 'b']);
    expect(order).toEqual(['a starts', 'b starts', 'a ends']);
  });

  it('runs the changes of one lane one after the other', async () => {
    const commits = t.server.services.commits;
    const order: string[] = [];
    const work = (name: string) => () =>
      commits.run(
        async () => {
          order.push(`${name} starts`);
          await new Promise((resolve) => setTimeout(resolve, 5));
          order.push(`${name} ends`);
        },
        { lane: 'one lane' },
      );
    await oneBatch([work('first'), work('second')]);
    expect(order).toEqual(['first starts', 'first ends', 'second starts', 'second ends']);
  });

  it('applies flag changes side by side, two of one flag in order, each with its entry', async () => {
    const entriesBefore = (await auditEntries(t)).length;
    const versions = await Promise.all(
      flags.map(async (flag) => (await configuration(flag)).version as number),
    );
    const responses = await oneBatch([
      ...flags.map((flag) => () => patch(flag, { on: true })),
      // Sent with the version the first change of f0 produces: it must run after it and see it.
      () =>
        patch('f0', {
          version: versions[0]! + 1,
          fallthrough: {
            rollout: {
              weights: [
                { variation: 'true', weight: 25_000 },
                { variation: 'false', weight: 75_000 },
              ],
            },
          },
        }),
    ]);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(responses[5]!.body.version).toBe(versions[0]! + 2);
    for (const [index, flag] of flags.entries()) {
      const stored = await configuration(flag);
      expect(stored.on).toBe(true);
      expect(stored.version).toBe(versions[index]! + (flag === 'f0' ? 2 : 1));
    }
    expect((await configuration('f0')).fallthrough.rollout.weights[0].weight).toBe(25_000);

    const added = (await auditEntries(t)).slice(entriesBefore);
    expect(added.map((e) => e.summary).sort()).toEqual(
      [
        ...flags.map((flag) => `enabled ${flag} in development`),
        'changed default rule of f0 in development',
      ].sort(),
    );
    // The second change of f0 comes after the first in the log too.
    const f0 = added.filter((e) => e.flag === 'f0');
    expect(f0.map((e) => (e.after as { version: number }).version)).toEqual([
      versions[0]! + 1,
      versions[0]! + 2,
    ]);
    const verify = await t.request('GET', '/api/v1/audit/verify', { as: { token } });
    expect(verify.body).toMatchObject({ ok: true, size: (await auditEntries(t)).length });
  });

  it('leaves out a refused or stale change of the batch and commits the others', async () => {
    const before = await Promise.all(flags.map(configuration));
    const entriesBefore = (await auditEntries(t)).length;
    const responses = await oneBatch(
      [
        () => patch('f1', { on: false }),
        () => patch('f2', { on: false }, reader),
        () => patch('f3', { on: false, version: before[3]!.version - 1 }),
        () => patch('f4', { on: false }),
      ],
      1,
    );
    expect(responses.map((r) => r.status)).toEqual([200, 403, 409, 200]);
    expect(responses[1]!.body.details.missing.map((m: { action: string }) => m.action)).toEqual([
      'UpdateFlagOn',
    ]);
    const after = await Promise.all(flags.map(configuration));
    expect(after.map((c) => c.on)).toEqual([true, false, true, true, false]);
    expect(after[2]).toEqual(before[2]);
    expect(after[3]).toEqual(before[3]);
    const added = (await auditEntries(t)).slice(entriesBefore);
    expect(added.map((e) => `${e.outcome} ${e.flag}`).sort()).toEqual([
      'applied f1',
      'applied f4',
      'denied f2',
    ]);
    const verify = await t.request('GET', '/api/v1/audit/verify', { as: { token } });
    expect(verify.body.ok).toBe(true);
  });

  it('runs the batch again one change at a time when a change failed after writing', async () => {
    const commits = t.server.services.commits;
    const db = t.server.store.db;
    const org = await db.selectFrom('organizations').select(['id', 'name']).executeTakeFirstOrThrow();
    let runs = 0;
    const [failed, kept] = await oneBatch<PromiseSettledResult<unknown>>([
      () =>
        commits
          .run(
            async (tx) => {
              await tx
                .updateTable('organizations')
                .set({ name: 'Renamed' })
                .where('id', '=', org.id)
                .execute();
              throw new Error('fails after writing');
            },
            { lane: 'lane x' },
          )
          .then(
            (value) => ({ status: 'fulfilled', value }) as const,
            (reason) => ({ status: 'rejected', reason }) as const,
          ),
      () =>
        commits
          .run(
            async (tx) => {
              runs += 1;
              const [entry] = await t.server.services.auditRepository.appendSealed(tx, org.id, [
                unsealedEntryOf(
                  {
                    org: { id: org.id, key: 'acme', name: org.name },
                    actor: { type: 'system' },
                    actions: ['UpdateOrgSettings'],
                    resource: 'org',
                    summary: 'kept beside a failed write',
                    outcome: 'applied',
                    meta: { requestId: 'lanes-kept' },
                  },
                  new Date(),
                ),
              ]);
              return entry!.summary;
            },
            { lane: 'lane y' },
          )
          .then((value) => ({ status: 'fulfilled', value }) as const),
    ]);
    expect(failed!.status).toBe('rejected');
    expect(kept!.status).toBe('fulfilled');
    expect(runs).toBe(2);
    const stored = await db
      .selectFrom('organizations')
      .select('name')
      .where('id', '=', org.id)
      .executeTakeFirstOrThrow();
    expect(stored.name).toBe(org.name);
    const entries = await auditEntries(t);
    expect(entries.at(-1)!.summary).toBe('kept beside a failed write');
    expect(entries.filter((e) => e.summary === 'kept beside a failed write')).toHaveLength(1);
    const verify = await t.request('GET', '/api/v1/audit/verify', { as: { token } });
    expect(verify.body.ok).toBe(true);
  });

  it('lets a change without a lane read what the flag changes before it wrote', async () => {
    const commits = t.server.services.commits;
    const db = t.server.store.db;
    const flag = await db.selectFrom('flags').select('id').where('key', '=', 'f1').executeTakeFirstOrThrow();
    const versionBefore = (await configuration('f1')).version as number;
    const [changed, seen] = await oneBatch<unknown>([
      () => patch('f1', { on: true }),
      () =>
        commits.run((tx) =>
          tx
            .selectFrom('flag_configurations')
            .select('version')
            .where('flag_id', '=', flag.id)
            .execute()
            .then((rows) => rows.map((row) => row.version)),
        ),
    ]);
    expect((changed as { status: number }).status).toBe(200);
    expect(seen).toContain(versionBefore + 1);
  });
});
