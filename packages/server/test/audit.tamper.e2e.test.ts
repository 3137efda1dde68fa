import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSignerKey, MerkleFrontier, parseCheckpoint, signCheckpoint } from '@flagward/core';
import { sql } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AuditEntry } from '../src/audit/audit.types';
import { DATABASES } from './support/databases';
import { ok } from './support/iam-helpers';
import { auditEntries, setupOrganization, startTestServer, type TestServer } from './support/test-server';

// Every check here runs the CLI in a child process, which is slow on a busy machine.
vi.setConfig({ testTimeout: 180_000 });

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/flagward.mjs');
const FLAG_URL = '/api/v1/projects/shop/flags/checkout-v2/environments/production';

/** Runs the offline verifier as a reviewer would: the CLI, three files, no server, no database. */
function verifyOffline(dir: string, files: { file: string; checkpoint: string; key: string }) {
  const result = spawnSync(
    process.execPath,
    [
      bin,
      'audit',
      'verify',
      '--file',
      files.file,
      '--checkpoint',
      files.checkpoint,
      '--key',
      files.key,
      '--json',
    ],
    // No database settings at all: the offline verifier must not need one.
    { encoding: 'utf8', cwd: dir, env: { PATH: process.env.PATH ?? '' } },
  );
  const line = result.stdout.trim().split('\n').at(-1) ?? '{}';
  return {
    status: result.status,
    stderr: result.stderr,
    result: JSON.parse(line) as Record<string, unknown>,
  };
}

describe.each(DATABASES)('tampering with the audit log on %s is detected', (database) => {
  let t: TestServer;
  let token: string;
  afterEach(async () => {
    if (!t) return;
    await t.server.close();
    // Let the pool's connections finish closing before the database is dropped with force.
    await new Promise((resolve) => setTimeout(resolve, 100));
    await t.database.drop();
  });

  /** A log of 14 entries and a checkpoint over all of them, signed before anyone tampers. */
  async function seed(): Promise<{ entries: AuditEntry[]; orgId: string }> {
    t = await startTestServer(database, { backgroundJobs: false });
    token = (await setupOrganization(t)).token;
    const as = { token };
    await ok(t.request('POST', '/api/v1/projects', { as, body: { key: 'shop', name: 'Shop' } }), 201);
    await ok(
      t.request('POST', '/api/v1/projects/shop/flags', { as, body: { key: 'checkout-v2', name: 'C' } }),
      201,
    );
    for (let i = 0; i < 11; i++) await ok(t.request('PATCH', FLAG_URL, { as, body: { on: i % 2 === 0 } }));
    expect((await t.request('POST', '/api/v1/audit/checkpoint', { as })).status).toBe(200);
    const entries = await auditEntries(t);
    expect(entries).toHaveLength(14);
    expect((await ok(t.request('GET', '/api/v1/audit/verify', { as }))).ok).toBe(true);
    const org = await t.server.store.db.selectFrom('organizations').select('id').executeTakeFirstOrThrow();
    return { entries, orgId: org.id };
  }

  /** What a database administrator does first: switch the append-only triggers off. */
  async function disableTriggers(): Promise<void> {
    const db = t.server.store.db;
    if (database === 'postgres') {
      await sql`alter table audit_entries disable trigger all`.execute(db);
      await sql`alter table audit_checkpoints disable trigger all`.execute(db);
      return;
    }
    for (const table of ['audit_entries', 'audit_checkpoints']) {
      for (const kind of ['no_update', 'no_delete', 'no_replace']) {
        await sql.raw(`drop trigger ${table}_${kind}`).execute(db);
      }
    }
  }

  /** Online verify, then an export, its checkpoint and the public key verified offline by the CLI. */
  async function detect(expected: { problem: string | RegExp; firstBadSeq?: number; exitCode: number }) {
    const as = { token };
    const online = await ok(t.request('GET', '/api/v1/audit/verify', { as }));
    expect(online.ok).toBe(false);
    expect(online.problem).toMatch(expected.problem);
    if (expected.firstBadSeq !== undefined) expect(online.firstBadSeq).toBe(expected.firstBadSeq);

    const dir = t.database.dataDir;
    const exported = await t.request('GET', '/api/v1/audit/export', { as });
    expect(exported.status).toBe(200);
    const size = exported.headers['x-flagward-checkpoint-size'];
    const files = {
      file: path.join(dir, 'export.ndjson'),
      checkpoint: path.join(dir, 'checkpoint.txt'),
      key: path.join(dir, 'vkey.txt'),
    };
    fs.writeFileSync(files.file, exported.text);
    fs.writeFileSync(
      files.checkpoint,
      (await t.request('GET', `/api/v1/audit/checkpoint?size=${size}`, { as })).text,
    );
    fs.writeFileSync(files.key, (await t.request('GET', '/api/v1/audit/public-key')).text);
    const offline = verifyOffline(dir, files);
    expect(offline.status, offline.stderr).toBe(expected.exitCode);
    expect(offline.result.problem).toMatch(
      expected.problem === 'checkpoint-signature-invalid' ? /signature/ : expected.problem,
    );
    if (expected.firstBadSeq !== undefined) expect(offline.result.firstBadSeq).toBe(expected.firstBadSeq);
    return { online, offline };
  }

  it('verifies an untouched log offline with exit code 0, and reports malformed input with 2', async () => {
    await seed();
    const as = { token };
    const dir = t.database.dataDir;
    const exported = await t.request('GET', '/api/v1/audit/export', { as });
    const files = {
      file: path.join(dir, 'export.ndjson'),
      checkpoint: path.join(dir, 'checkpoint.txt'),
      key: path.join(dir, 'vkey.txt'),
    };
    fs.writeFileSync(files.file, exported.text);
    fs.writeFileSync(files.checkpoint, (await t.request('GET', '/api/v1/audit/checkpoint', { as })).text);
    fs.writeFileSync(files.key, (await t.request('GET', '/api/v1/audit/public-key')).text);
    const good = verifyOffline(dir, files);
    expect(good.status, good.stderr).toBe(0);
    expect(good.result).toMatchObject({ ok: true, mode: 'complete', checked: 14 });

    fs.writeFileSync(path.join(dir, 'bad-key.txt'), 'not a key\n');
    expect(verifyOffline(dir, { ...files, key: path.join(dir, 'bad-key.txt') }).status).toBe(2);
    expect(verifyOffline(dir, { ...files, file: path.join(dir, 'missing.ndjson') }).status).toBe(2);
    fs.writeFileSync(path.join(dir, 'garbage.ndjson'), `${exported.text.split('\n')[0]}\n{not json\n`);
    expect(verifyOffline(dir, { ...files, file: path.join(dir, 'garbage.ndjson') }).result).toMatchObject({
      problem: 'malformed-entry',
      firstBadSeq: 2,
    });

    // A filtered export verifies entry by entry with its inclusion proofs.
    const filtered = await t.request('GET', '/api/v1/audit/export?environment=production', { as });
    fs.writeFileSync(path.join(dir, 'filtered.ndjson'), filtered.text);
    fs.writeFileSync(
      files.checkpoint,
      (
        await t.request(
          'GET',
          `/api/v1/audit/checkpoint?size=${filtered.headers['x-flagward-checkpoint-size']}`,
          { as },
        )
      ).text,
    );
    const proved = verifyOffline(dir, { ...files, file: path.join(dir, 'filtered.ndjson') });
    expect(proved.status, proved.stderr).toBe(0);
    expect(proved.result).toMatchObject({ ok: true, mode: 'filtered', checked: 11 });
    // One altered entry in a filtered export breaks its proof.
    const altered = filtered.text.replace('enabled checkout-v2', 'disabled checkout-v2');
    fs.writeFileSync(path.join(dir, 'filtered.ndjson'), altered);
    expect(verifyOffline(dir, { ...files, file: path.join(dir, 'filtered.ndjson') })).toMatchObject({
      status: 4,
      result: { problem: 'hash-mismatch', firstBadSeq: 4 },
    });
  });

  it('detects one changed field of one entry', async () => {
    const { entries } = await seed();
    await disableTriggers();
    const target = entries[4]!;
    expect(target.summary).toMatch(/checkout-v2/);
    const forged = JSON.stringify({ ...JSON.parse(JSON.stringify(target)), summary: 'nothing to see here' });
    await sql`update audit_entries set summary = 'nothing to see here', body = ${forged} where seq = 5`.execute(
      t.server.store.db,
    );
    await detect({ problem: 'hash-mismatch', firstBadSeq: 5, exitCode: 4 });
  });

  it('detects a deleted entry', async () => {
    await seed();
    await disableTriggers();
    await sql`delete from audit_entries where seq = 6`.execute(t.server.store.db);
    // The log goes on growing afterwards; the damage stays visible.
    await ok(t.request('PATCH', FLAG_URL, { as: { token }, body: { on: false } }));
    await detect({ problem: 'seq-gap', firstBadSeq: 6, exitCode: 4 });
  });

  it('detects two swapped entries', async () => {
    await seed();
    await disableTriggers();
    const db = t.server.store.db;
    await sql`update audit_entries set seq = -7 where seq = 7`.execute(db);
    await sql`update audit_entries set seq = 7 where seq = 8`.execute(db);
    await sql`update audit_entries set seq = 8 where seq = -7`.execute(db);
    await detect({ problem: 'seq-gap', firstBadSeq: 7, exitCode: 4 });
  });

  it('detects a truncated tail, even with the log head rewound to match', async () => {
    const { entries, orgId } = await seed();
    await disableTriggers();
    const db = t.server.store.db;
    await sql`delete from audit_entries where seq > 10`.execute(db);
    const frontier = new MerkleFrontier();
    for (const entry of entries.slice(0, 10)) frontier.append(Buffer.from(entry.hash, 'hex'));
    await db
      .updateTable('audit_heads')
      .set({ seq: 10, hash: entries[9]!.hash, frontier: JSON.stringify(frontier.toJSON()) })
      .where('org_id', '=', orgId)
      .execute();
    const { offline } = await detect({ problem: 'log-truncated', firstBadSeq: 11, exitCode: 5 });
    expect(offline.result.message).toMatch(/14/);
  });

  it('detects a checkpoint replaced by one signed with another key', async () => {
    const { entries, orgId } = await seed();
    await disableTriggers();
    const db = t.server.store.db;
    const row = await db
      .selectFrom('audit_checkpoints')
      .selectAll()
      .where('org_id', '=', orgId)
      .executeTakeFirstOrThrow();
    const genuine = parseCheckpoint(row.note);
    const forged = signCheckpoint(
      { origin: genuine.origin, size: genuine.size, rootHash: genuine.rootHash },
      generateSignerKey('flagward'),
    );
    await sql`delete from audit_checkpoints where org_id = ${orgId}`.execute(db);
    await db
      .insertInto('audit_checkpoints')
      .values({ ...row, note: forged })
      .execute();
    expect(entries).toHaveLength(14);
    await detect({ problem: 'checkpoint-signature-invalid', exitCode: 3 });
  });
});
