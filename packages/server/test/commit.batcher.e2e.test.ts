import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unsealedEntryOf } from '../src/audit/audit.appender';
import type { Tx } from '../src/db/database';
import { bumpIamVersion, IamRepository } from '../src/iam/iam.repository';
import { inOneBatch } from './support/batches';
import { DATABASES } from './support/databases';
import { auditEntries, setupOrganization, startTestServer, type TestServer } from './support/test-server';

describe.each(DATABASES)('group commit on %s', (database) => {
  let t: TestServer;
  let token: string;
  let org: { id: string; key: string; name: string };

  beforeAll(async () => {
    t = await startTestServer(database);
    token = (await setupOrganization(t)).token;
    org = await t.server.store.db
      .selectFrom('organizations')
      .select(['id', 'key', 'name'])
      .executeTakeFirstOrThrow();
  });
  afterAll(async () => t.close());

  function append(tx: Tx, summary: string) {
    return t.server.services.auditRepository.appendSealed(tx, org.id, [
      unsealedEntryOf(
        {
          org,
          actor: { type: 'system' },
          actions: ['UpdateOrgSettings'],
          resource: 'org',
          summary,
          outcome: 'applied',
          meta: { requestId: summary },
        },
        new Date(),
      ),
    ]);
  }

  /** Runs `works` as one batch (see inOneBatch). */
  const oneBatch = (works: Array<(tx: Tx) => Promise<unknown>>) =>
    inOneBatch(
      t.server.services.commits,
      works.map((work) => () => t.server.services.commits.run(work)),
    );

  it('rolls a failed change back with its entry, its head and the IAM version it set', async () => {
    const iam = new IamRepository();
    const versionBefore = await iam.iamVersion(t.server.store.db);
    const entriesBefore = (await auditEntries(t)).length;
    let seenByLast: string | undefined;
    const settled = await oneBatch([
      (tx) => append(tx, 'first change'),
      async (tx) => {
        await bumpIamVersion(tx);
        await append(tx, 'rolled back change');
        throw new Error('fails after its append');
      },
      async (tx) => {
        seenByLast = await iam.iamVersion(tx);
        return append(tx, 'last change');
      },
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(seenByLast).toBe(versionBefore);
    expect(await iam.iamVersion(t.server.store.db)).toBe(versionBefore);

    const entries = await auditEntries(t);
    expect(entries.slice(entriesBefore).map((e) => e.summary)).toEqual(['first change', 'last change']);
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
    const verify = await t.request('GET', '/api/v1/audit/verify', { as: { token } });
    expect(verify.status).toBe(200);
    expect(verify.body.ok).toBe(true);
    expect(verify.body.size).toBe(entries.length);
  });

  it('leaves out a change that fails before writing, and reruns a batch whose failed change wrote or failed in the database', async () => {
    const entriesBefore = (await auditEntries(t)).length;
    const runs = { clean: 0, dirty: 0 };
    const cleanFailure = await oneBatch([
      (tx) => {
        runs.clean += 1;
        return append(tx, 'beside a refused change');
      },
      async () => {
        throw new Error('refused before writing anything');
      },
      (tx) => append(tx, 'after a refused change'),
    ]);
    expect(cleanFailure.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(runs.clean).toBe(1);

    const dirtyFailure = await oneBatch([
      (tx) => {
        runs.dirty += 1;
        return append(tx, 'beside a failed write');
      },
      async (tx) => {
        await tx.updateTable('organizations').set({ name: 'Renamed' }).where('id', '=', org.id).execute();
        throw new Error('fails after writing');
      },
      (tx) => append(tx, 'after a failed write'),
    ]);
    expect(dirtyFailure.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    // A batch runs without savepoints first and has to run this one again with them.
    expect(runs.dirty).toBe(2);
    const stored = await t.server.store.db
      .selectFrom('organizations')
      .select('name')
      .where('id', '=', org.id)
      .executeTakeFirstOrThrow();
    expect(stored.name).toBe(org.name);

    let statementRuns = 0;
    const failedStatement = await oneBatch([
      (tx) => {
        statementRuns += 1;
        return append(tx, 'beside a failed statement');
      },
      (tx) => sql`select * from no_such_table`.execute(tx),
      (tx) => append(tx, 'after a failed statement'),
    ]);
    expect(failedStatement.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(statementRuns).toBe(2);

    const entries = await auditEntries(t);
    expect(entries.slice(entriesBefore).map((e) => e.summary)).toEqual([
      'beside a refused change',
      'after a refused change',
      'beside a failed write',
      'after a failed write',
      'beside a failed statement',
      'after a failed statement',
    ]);
    const verify = await t.request('GET', '/api/v1/audit/verify', { as: { token } });
    expect(verify.body.ok).toBe(true);
  });

  it('lets a change read the entries appended before it in the same transaction', async () => {
    const repository = t.server.services.auditRepository;
    const countBefore = await repository.count(t.server.store.db, org.id);
    const counts: number[] = [];
    await oneBatch([
      (tx) => append(tx, 'staged one'),
      async (tx) => {
        await append(tx, 'staged two');
        counts.push(await repository.count(tx, org.id));
        counts.push((await repository.head(tx, org.id))!.seq);
        return append(tx, 'staged three');
      },
    ]);
    expect(counts).toEqual([countBefore + 2, countBefore + 2]);
    const head = await repository.head(t.server.store.db, org.id);
    expect(head!.seq).toBe(countBefore + 3);
    expect(await repository.count(t.server.store.db, org.id)).toBe(countBefore + 3);
    const verify = await t.request('GET', '/api/v1/audit/verify', { as: { token } });
    expect(verify.body.ok).toBe(true);
  });
});
