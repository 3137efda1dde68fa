import { hexToBytes, MerkleFrontier, sealEntry, ZERO_HASH } from '@flagward/core';
import { type Kysely, Migrator, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type FlagwardServer } from '../src/app/server';
import type { UnsealedEntry } from '../src/audit/audit.appender';
import { AuditRepository } from '../src/audit/audit.repository';
import type { AuditEntry } from '../src/audit/audit.types';
import { openStore } from '../src/db/database';
import { migrationProvider } from '../src/db/migrations/migrations';
import { createTestDatabase, DATABASES, type TestDatabase } from './support/databases';

const ORG = { id: 'org-1', key: 'acme', name: 'Acme' };

function change(index: number): UnsealedEntry {
  const from = index * 10;
  return {
    id: `0190a0b0-0000-7000-8000-${String(index).padStart(12, '0')}`,
    at: new Date(Date.UTC(2026, 0, 1, 9, index)).toISOString(),
    org: ORG.key,
    actor: { type: 'member', id: 'm-1', email: 'ada@acme.com' },
    actions: ['UpdateFlagRollout'],
    resource: 'project/shop:env/production:flag/checkout-v2',
    project: 'shop',
    environment: 'production',
    flag: 'checkout-v2',
    summary: `rollout changed checkout-v2 ${from}% → ${from + 10}% in production`,
    before: { fallthrough: { rollout: { weights: [{ variation: 'true', weight: from * 1000 }] } } },
    after: { fallthrough: { rollout: { weights: [{ variation: 'true', weight: (from + 10) * 1000 }] } } },
    outcome: 'applied',
    requestId: `req-${index}`,
    ip: '203.0.113.7',
    userAgent: 'curl/8.5.0',
  };
}

/**
 * Writes a log as the server wrote it before migration 009: every value in its own column as well as
 * in the body.
 */
async function writeWideLog(db: Kysely<any>, count: number): Promise<AuditEntry[]> {
  const frontier = new MerkleFrontier();
  const entries: AuditEntry[] = [];
  let prevHash = ZERO_HASH;
  for (let seq = 1; seq <= count; seq++) {
    const entry = { ...change(seq), seq, prevHash } as AuditEntry;
    const { hash, canonical } = sealEntry(entry);
    entry.hash = hash;
    frontier.append(hexToBytes(hash));
    await db
      .insertInto('audit_entries')
      .values({
        org_id: ORG.id,
        seq,
        id: entry.id,
        at: entry.at,
        actor: JSON.stringify(entry.actor),
        actor_email: 'ada@acme.com',
        actions: JSON.stringify(entry.actions),
        resource: entry.resource,
        project: 'shop',
        environment: 'production',
        flag: 'checkout-v2',
        summary: entry.summary,
        before: JSON.stringify(entry.before),
        after: JSON.stringify(entry.after),
        outcome: 'applied',
        reason: null,
        request_id: entry.requestId,
        ip: entry.ip,
        user_agent: entry.userAgent,
        prev_hash: prevHash,
        hash,
        body: canonical,
      })
      .execute();
    entries.push(entry);
    prevHash = hash;
  }
  await db
    .insertInto('audit_heads')
    .values({ org_id: ORG.id, seq: count, hash: prevHash, frontier: JSON.stringify(frontier.toJSON()) })
    .execute();
  return entries;
}

describe.each(DATABASES)('migration 009 (slim audit rows) on %s', (name) => {
  let database: TestDatabase | undefined;
  let server: FlagwardServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
    // Let the pool's connections finish closing before the database is dropped with force.
    await new Promise((resolve) => setTimeout(resolve, 100));
    await database?.drop();
    database = undefined;
  });

  it('keeps every entry of an existing log, which still verifies, stays append-only and grows', async () => {
    database = await createTestDatabase(name);
    const before = openStore({ dataDir: database.dataDir, databaseUrl: database.databaseUrl });
    const migrated = await new Migrator({ db: before.db, provider: migrationProvider }).migrateTo(
      '008-token-policy',
    );
    expect(migrated.error).toBeUndefined();
    const written = await writeWideLog(before.db, 12);
    await before.close();

    server = await createServer(
      { dataDir: database.dataDir, databaseUrl: database.databaseUrl },
      { backgroundJobs: false, webDist: null, logLevel: 'silent' },
    );
    const db = server.store.db;
    const repository = new AuditRepository(server.store.dialect);
    expect(await repository.listAll(db, ORG.id)).toEqual(written);
    await expect(sql`select before from audit_entries`.execute(db)).rejects.toThrow();
    expect(await server.services.audit.verifyLog(ORG)).toMatchObject({ ok: true, size: 12 });

    await expect(
      sql`update audit_entries set summary = 'nothing happened' where seq = 3`.execute(db),
    ).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_entries where seq = 3`.execute(db)).rejects.toThrow(/append-only/);

    const [appended] = await db
      .transaction()
      .execute((tx) => repository.appendSealed(tx, ORG.id, [change(13)]));
    expect(appended).toMatchObject({ seq: 13, prevHash: written[11]!.hash });
    expect(await repository.listAll(db, ORG.id)).toEqual([...written, appended]);
    expect(await server.services.audit.verifyLog(ORG)).toMatchObject({ ok: true, size: 13 });
  });
});
