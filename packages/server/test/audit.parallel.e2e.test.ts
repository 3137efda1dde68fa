import fs from 'node:fs';
import path from 'node:path';
import { canonicalJson, hashEntry, MerkleFrontier } from '@flagward/core';
import { sql } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { verifyExportOffline } from '../src/audit/offline.verifier';
import type { VerifyParallelism } from '../src/audit/parallel.verifier';
import { storedLogSource } from '../src/audit/stored-log.verifier';
import { StoredRangeReader } from '../src/audit/stored-range.reader';
import { proveJob } from '../src/audit/verification.prover';
import type { OrgRef } from '../src/governance/principal';
import { DATABASES } from './support/databases';
import { ok } from './support/iam-helpers';
import { auditEntries, setupOrganization, startTestServer, type TestServer } from './support/test-server';

// Worker threads load the TypeScript sources on start, which is slow on a busy machine.
vi.setConfig({ testTimeout: 120_000 });

const FLAG_URL = '/api/v1/projects/shop/flags/checkout-v2/environments/production';
const SEQUENTIAL: Partial<VerifyParallelism> = { workers: 0 };
/** Every range goes through the workers, even on a log this small. */
const WORKERS: Partial<VerifyParallelism> = { workers: 2, minEntries: 1, workersOnly: true };
/** The calling thread verifies ranges itself until the workers are up (the default behaviour). */
const MIXED: Partial<VerifyParallelism> = { workers: 3, minEntries: 1 };
/** No threads: the calling thread proves every range from its bytes itself. */
const INLINE: Partial<VerifyParallelism> = { workers: 0, minEntries: 1 };

describe.each(DATABASES)('parallel audit verification on %s', (database) => {
  let t: TestServer;
  let token: string;
  let org: OrgRef;
  afterEach(async () => {
    if (!t) return;
    await t.server.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await t.database.drop();
  });

  /** A log of 26 entries with a checkpoint over the first 25. */
  async function seed(): Promise<void> {
    t = await startTestServer(database, { backgroundJobs: false });
    token = (await setupOrganization(t)).token;
    const as = { token };
    await ok(t.request('POST', '/api/v1/projects', { as, body: { key: 'shop', name: 'Shop' } }), 201);
    await ok(
      t.request('POST', '/api/v1/projects/shop/flags', { as, body: { key: 'checkout-v2', name: 'C' } }),
      201,
    );
    for (let i = 0; i < 22; i++) await ok(t.request('PATCH', FLAG_URL, { as, body: { on: i % 2 === 0 } }));
    expect((await t.request('POST', '/api/v1/audit/checkpoint', { as })).status).toBe(200);
    await ok(t.request('PATCH', FLAG_URL, { as, body: { on: true } }));
    org = await t.server.store.db
      .selectFrom('organizations')
      .select(['id', 'key', 'name'])
      .executeTakeFirstOrThrow();
  }

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

  async function setBody(seq: number, body: string): Promise<void> {
    await sql`update audit_entries set body = ${body} where seq = ${seq}`.execute(t.server.store.db);
  }

  /** `verifyLog` sequentially, through the workers only, mixed and inline: the results must be equal. */
  async function onlineVerdict() {
    const audit = t.server.services.audit;
    const sequential = await audit.verifyLog(org, undefined, SEQUENTIAL);
    const progress: Array<[number, number]> = [];
    const parallel = await audit.verifyLog(org, (done, total) => progress.push([done, total]), WORKERS);
    expect(parallel).toEqual(sequential);
    expect(await audit.verifyLog(org, undefined, MIXED)).toEqual(sequential);
    expect(await audit.verifyLog(org, undefined, INLINE)).toEqual(sequential);
    expect(progress.length).toBeGreaterThan(2);
    expect(progress.at(-1)).toEqual([sequential.size, progress[0]![1]]);
    return sequential;
  }

  /** Writes a complete export (its text edited by `edit`) and verifies it offline all four ways. */
  async function offlineVerdict(edit: (lines: string[]) => string = (lines) => lines.join('\n')) {
    const as = { token };
    const exported = await t.request('GET', '/api/v1/audit/export', { as });
    const dir = t.database.dataDir;
    const inputs = {
      file: path.join(dir, 'export.ndjson'),
      checkpoint: path.join(dir, 'checkpoint.txt'),
      key: path.join(dir, 'vkey.txt'),
    };
    fs.writeFileSync(inputs.file, edit(exported.text.split('\n')));
    const size = exported.headers['x-flagward-checkpoint-size'];
    fs.writeFileSync(
      inputs.checkpoint,
      (await t.request('GET', `/api/v1/audit/checkpoint?size=${size}`, { as })).text,
    );
    fs.writeFileSync(inputs.key, (await t.request('GET', '/api/v1/audit/public-key')).text);
    const sequential = await verifyExportOffline(inputs, undefined, SEQUENTIAL);
    const progress: number[] = [];
    const parallel = await verifyExportOffline(inputs, (checked) => progress.push(checked), WORKERS);
    expect(parallel).toEqual(sequential);
    expect(await verifyExportOffline(inputs, undefined, MIXED)).toEqual(sequential);
    expect(await verifyExportOffline(inputs, undefined, INLINE)).toEqual(sequential);
    expect(progress.at(-1)).toBe(sequential.checked);
    return sequential;
  }

  it('proves an untouched log from its bytes, whole ranges at a time', async () => {
    await seed();
    const reader = new StoredRangeReader();
    try {
      const source = storedLogSource(t.database);
      const job = { kind: 'stored', source, orgId: org.id, afterSeq: 3, uptoSeq: 20, cuts: [10] } as const;
      const run = await proveJob(job, async () => reader);
      expect(run).toMatchObject({ complete: true, count: 17, firstSeq: 4 });
      // The tree of [3, 20) cut at 10: [3, 4), [4, 8), [8, 10), then [10, 12), [12, 16), [16, 20).
      expect(run.roots.byteLength).toBe(32 * (3 + 3));
    } finally {
      await reader.close();
    }
    const file = path.join(t.database.dataDir, 'export.ndjson');
    fs.writeFileSync(file, (await t.request('GET', '/api/v1/audit/export', { as: { token } })).text);
    const range = { start: 0, end: fs.statSync(file).size };
    const run = await proveJob({ kind: 'export', file, range, cuts: [] }, () =>
      Promise.reject(new Error('unused')),
    );
    expect(run).toMatchObject({ complete: true, firstSeq: 1, firstPrevHash: '0'.repeat(64) });
    expect(run.count).toBeGreaterThanOrEqual(25);
  });

  it('gives the same verdict on an untouched log, online and offline', async () => {
    await seed();
    expect(await onlineVerdict()).toMatchObject({ ok: true, size: 26, checkedCheckpoints: 1 });
    expect(await offlineVerdict()).toMatchObject({ ok: true, exitCode: 0, checked: 26 });
    // Blank lines and CRLF line ends read the same through the workers' byte ranges.
    expect(
      await offlineVerdict((lines) =>
        lines.map((line, i) => (i % 4 === 0 ? `${line}\r\n` : `${line}\n\n`)).join(''),
      ),
    ).toMatchObject({ ok: true, checked: 26 });
  });

  it('gives the same verdict for each kind of tampering in the database', async () => {
    await seed();
    await disableTriggers();
    const entries = await auditEntries(t);
    const db = t.server.store.db;

    // A body that is valid but not canonical: the workers cannot prove it, the calling thread can.
    await setBody(9, JSON.stringify(entries[8], null, 1));
    expect(await onlineVerdict()).toMatchObject({ ok: true, size: 26 });

    await setBody(17, canonicalJson({ ...entries[16]!, summary: 'nothing to see here' }));
    expect(await onlineVerdict()).toMatchObject({ ok: false, firstBadSeq: 17, problem: 'hash-mismatch' });

    // Rewritten with a correct hash of its own: the next entry no longer links to it.
    const { hash: _hash, ...unhashed } = entries[16]!;
    await setBody(
      17,
      canonicalJson({
        ...unhashed,
        summary: 'rewritten',
        hash: hashEntry({ ...unhashed, summary: 'rewritten' }),
      }),
    );
    expect(await onlineVerdict()).toMatchObject({
      ok: false,
      firstBadSeq: 18,
      problem: 'prev-hash-mismatch',
    });

    await setBody(17, 'not json');
    expect(await onlineVerdict()).toMatchObject({ ok: false, firstBadSeq: 17, problem: 'malformed-entry' });
    await setBody(17, canonicalJson(entries[16]));

    await sql`update audit_entries set seq = -7 where seq = 7`.execute(db);
    await sql`update audit_entries set seq = 7 where seq = 8`.execute(db);
    await sql`update audit_entries set seq = 8 where seq = -7`.execute(db);
    expect(await onlineVerdict()).toMatchObject({ ok: false, firstBadSeq: 7, problem: 'seq-gap' });
    await sql`update audit_entries set seq = -7 where seq = 7`.execute(db);
    await sql`update audit_entries set seq = 7 where seq = 8`.execute(db);
    await sql`update audit_entries set seq = 8 where seq = -7`.execute(db);

    await sql`delete from audit_entries where seq = 12`.execute(db);
    expect(await onlineVerdict()).toMatchObject({ ok: false, firstBadSeq: 12, problem: 'seq-gap' });
  });

  it('gives the same verdict for bodies whose bytes are unusual', async () => {
    await seed();
    await disableTriggers();
    const entries = await auditEntries(t);
    // Non-ASCII text, rewritten with a correct hash of its own: proven, and the next entry breaks.
    const { hash: _hash, ...unhashed } = entries[9]!;
    const rewritten = { ...unhashed, summary: 'é → 😀 \u2028 "quoted" \u0007' };
    await setBody(10, canonicalJson({ ...rewritten, hash: hashEntry(rewritten) }));
    expect(await onlineVerdict()).toMatchObject({
      ok: false,
      firstBadSeq: 11,
      problem: 'prev-hash-mismatch',
    });
    // An escaped member name: equivalent, not canonical, verified by the text path.
    await setBody(10, canonicalJson(entries[9]).replace('"summary":', '"\\u0073ummary":'));
    expect(await onlineVerdict()).toMatchObject({ ok: true, size: 26 });
    await setBody(10, canonicalJson(entries[9]));
    if (database === 'sqlite') {
      // Bytes that are not UTF-8, stored as text: a text read decodes them to U+FFFD.
      const body = Buffer.from(canonicalJson(entries[4]));
      body[body.indexOf('"summary":"') + 11] = 0xc0;
      await sql`update audit_entries set body = cast(${body} as text) where seq = 5`.execute(
        t.server.store.db,
      );
      expect(await onlineVerdict()).toMatchObject({ ok: false, firstBadSeq: 5, problem: 'hash-mismatch' });
    }
  });

  it('gives the same verdict for a truncated tail and a forged checkpoint', async () => {
    await seed();
    await disableTriggers();
    const entries = await auditEntries(t);
    const db = t.server.store.db;
    const row = await db
      .selectFrom('audit_checkpoints')
      .selectAll()
      .where('size', '=', 25)
      .executeTakeFirstOrThrow();
    await sql`update audit_checkpoints set note = ${row.note.replace(/— .*$/m, '— flagward AAAA')} where size = 25`.execute(
      db,
    );
    expect(await onlineVerdict()).toMatchObject({ ok: false, problem: /checkpoint-/ });
    await sql`update audit_checkpoints set note = ${row.note} where size = 25`.execute(db);

    await sql`delete from audit_entries where seq > 20`.execute(db);
    const frontier = new MerkleFrontier();
    for (const entry of entries.slice(0, 20)) frontier.append(Buffer.from(entry.hash, 'hex'));
    await db
      .updateTable('audit_heads')
      .set({ seq: 20, hash: entries[19]!.hash, frontier: JSON.stringify(frontier.toJSON()) })
      .where('org_id', '=', org.id)
      .execute();
    expect(await onlineVerdict()).toMatchObject({ ok: false, firstBadSeq: 21, problem: 'log-truncated' });
  });

  it('gives the same verdict for each kind of tampering in an export', async () => {
    await seed();
    const swap = (lines: string[], a: number, b: number) => {
      const copy = [...lines];
      [copy[a], copy[b]] = [copy[b]!, copy[a]!];
      return copy.join('\n');
    };
    expect(
      await offlineVerdict((lines) =>
        lines.map((l, i) => (i === 10 ? l.replace('"summary":"', '"summary":"X') : l)).join('\n'),
      ),
    ).toMatchObject({ ok: false, firstBadSeq: 11, problem: 'hash-mismatch' });
    expect(
      await offlineVerdict((lines) =>
        lines.map((l, i) => (i === 12 ? l.replace('"summary":"', '"summary":"→') : l)).join('\n'),
      ),
    ).toMatchObject({ ok: false, firstBadSeq: 13, problem: 'hash-mismatch' });
    expect(
      await offlineVerdict((lines) =>
        lines
          .map((l, i) => (i === 10 ? JSON.stringify(JSON.parse(l), null, 2).replace(/\n/g, '') : l))
          .join('\n'),
      ),
    ).toMatchObject({ ok: true, checked: 26 });
    expect(await offlineVerdict((lines) => lines.filter((_, i) => i !== 5).join('\n'))).toMatchObject({
      ok: false,
      firstBadSeq: 6,
      problem: 'seq-gap',
      exitCode: 4,
    });
    expect(await offlineVerdict((lines) => swap(lines, 13, 14))).toMatchObject({
      firstBadSeq: 14,
      problem: 'seq-gap',
    });
    expect(await offlineVerdict((lines) => lines.slice(0, 20).join('\n'))).toMatchObject({
      firstBadSeq: 21,
      problem: 'log-truncated',
      exitCode: 5,
    });
    expect(
      await offlineVerdict((lines) => lines.map((l, i) => (i === 22 ? '{not json' : l)).join('\n')),
    ).toMatchObject({ firstBadSeq: 23, problem: 'malformed-entry', exitCode: 2 });
  });
});
