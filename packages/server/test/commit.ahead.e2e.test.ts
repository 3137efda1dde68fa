import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tx } from '../src/db/database';
import { FlagRepository } from '../src/flags/flag.repository';
import type { Principal } from '../src/governance/principal';
import { IamRepository } from '../src/iam/iam.repository';
import { inOneBatch } from './support/batches';
import { auditEntries, setupOrganization, startTestServer, type TestServer } from './support/test-server';

/**
 * On SQLite a batch of flag changes is planned in a read transaction, ahead of the write lock, so
 * that other server processes keep writing meanwhile. What another process commits in between must
 * send the batch back to be planned again under the lock. "Another process" is a second connection to
 * the same database file here, writing while the batch plans.
 */
describe('changes planned ahead of the write lock on sqlite', () => {
  let t: TestServer;
  let token: string;
  let owner: Principal;
  let other: SqliteDatabase.Database;
  let orgId: string;

  beforeAll(async () => {
    t = await startTestServer('sqlite');
    token = (await setupOrganization(t)).token;
    await t.request('POST', '/api/v1/projects', { as: { token }, body: { key: 'shop', name: 'Shop' } });
    for (const key of ['f1', 'f2']) {
      await t.request('POST', '/api/v1/projects/shop/flags', { as: { token }, body: { key, name: key } });
    }
    owner = (await t.server.services.auth.authenticate(token, undefined))!.principal as Principal;
    orgId = owner.org.id;
    other = new SqliteDatabase(path.join(t.database.dataDir, 'flagward.sqlite'));
    other.pragma('busy_timeout = 5000');
  });
  afterAll(async () => {
    other.close();
    await t.close();
  });

  const patch = (flag: string, on: boolean) =>
    t.server.services.configurations.patch(
      owner,
      { project: 'shop', flag, env: 'development' },
      { on },
      { requestId: `ahead-${flag}` },
    );
  const stored = (flag: string) =>
    other
      .prepare(
        `select c.version, c.configuration from flag_configurations c join flags f on f.id = c.flag_id
         join environments e on e.id = c.environment_id where f.key = ? and e.key = 'development'`,
      )
      .get(flag) as { version: number; configuration: string };

  /**
   * A change that plans ahead like a flag change (it reads the IAM version and a flag, and stages
   * nothing) and, the first time only, lets `meanwhile` write through the other connection.
   */
  function planner(meanwhile: () => void) {
    let runs = 0;
    const run = () =>
      t.server.services.commits.run(
        async (tx: Tx) => {
          runs += 1;
          await new IamRepository().iamVersion(tx);
          await new FlagRepository('sqlite').findInEnvironmentForUpdate(tx, orgId, {
            project: 'shop',
            flag: 'f2',
            env: 'development',
          });
          if (runs === 1) meanwhile();
          return runs;
        },
        { lane: 'planner', readsAhead: true },
      );
    return { run, runs: () => runs };
  }

  it('plans again under the lock when another process changed a configuration the batch changes', async () => {
    const before = stored('f1');
    const { run, runs } = planner(() => {
      const config = JSON.parse(before.configuration);
      other
        .prepare(
          `update flag_configurations set version = version + 1, configuration = ?
           where flag_id = (select id from flags where key = 'f1')
             and environment_id = (select id from environments where key = 'development')`,
        )
        .run(JSON.stringify({ ...config, rules: [], targets: [{ variation: 'true', values: ['vip'] }] }));
    });
    const [changed] = await inOneBatch<unknown>(t.server.services.commits, [() => patch('f1', true), run]);
    expect(changed!.status).toBe('fulfilled');
    // Planned again against the other process's version, whose targets it keeps.
    const after = stored('f1');
    expect(after.version).toBe(before.version + 2);
    expect(JSON.parse(after.configuration)).toMatchObject({
      on: true,
      targets: [{ variation: 'true', values: ['vip'] }],
    });
    expect(runs()).toBe(2);
    const entry = (await auditEntries(t)).at(-1)!;
    expect(entry.summary).toBe('enabled f1 in development');
    expect((entry.before as { version: number }).version).toBe(before.version + 1);
  });

  it('plans again when the IAM version or a flag the plans read changed meanwhile', async () => {
    const iam = planner(() => other.prepare(`update iam_version set version = 'changed-elsewhere'`).run());
    const [first] = await inOneBatch<unknown>(t.server.services.commits, [() => patch('f1', false), iam.run]);
    expect(first!.status).toBe('fulfilled');
    expect(iam.runs()).toBe(2);

    const flag = planner(() => other.prepare(`update flags set tags = '["billing"]' where key = 'f2'`).run());
    const [second] = await inOneBatch<unknown>(t.server.services.commits, [
      () => patch('f1', true),
      flag.run,
    ]);
    expect(second!.status).toBe('fulfilled');
    expect(flag.runs()).toBe(2);

    const verify = await t.request('GET', '/api/v1/audit/verify', { as: { token } });
    expect(verify.body.ok).toBe(true);
  });

  it('commits a batch planned ahead when nothing it read changed', async () => {
    const quiet = planner(() => undefined);
    const before = stored('f2').version;
    const results = await inOneBatch<unknown>(t.server.services.commits, [
      () => patch('f2', true),
      quiet.run,
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(quiet.runs()).toBe(1);
    expect(stored('f2').version).toBe(before + 1);
  });
});
