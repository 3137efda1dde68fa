import fs from 'node:fs';
import {
  base64ToBytes,
  hashEntry,
  MerkleFrontier,
  rootOfLeaves,
  verifyCheckpoint,
  verifyConsistency,
  verifyEntriesWithProofs,
  verifyInclusion,
  ZERO_HASH,
} from '@flagward/core';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../src/audit/audit.types';
import { DATABASES } from './support/databases';
import { type Caller, ok } from './support/iam-helpers';
import {
  addMember,
  auditEntries,
  OWNER,
  setupOrganization,
  startTestServer,
  type TestServer,
} from './support/test-server';

const FLAG_URL = '/api/v1/projects/checkout/flags/checkout-v2/environments/production';
const split = (on: number) => ({
  rollout: {
    weights: [
      { variation: 'true', weight: on },
      { variation: 'false', weight: 100000 - on },
    ],
  },
});
const pause = () => new Promise((resolve) => setTimeout(resolve, 5));

describe.each(DATABASES)('the verifiable audit log on %s', (database) => {
  let t: TestServer;
  let owner: Caller;
  let dana: Caller;
  let auditor: Caller;
  const moments: Record<string, string> = {};

  async function entries(): Promise<AuditEntry[]> {
    return auditEntries(t);
  }
  const as = (caller: Caller) => ({ as: { token: caller.token } });
  async function mark(name: string) {
    await pause();
    moments[name] = new Date().toISOString();
    await pause();
  }

  beforeAll(async () => {
    t = await startTestServer(database, { backgroundJobs: false });
    owner = { email: OWNER.email, token: (await setupOrganization(t)).token };
    await ok(
      t.request('POST', '/api/v1/projects', { ...as(owner), body: { key: 'checkout', name: 'Checkout' } }),
      201,
    );
    await mark('beforeFlag');
    await ok(
      t.request('POST', '/api/v1/projects/checkout/flags', {
        ...as(owner),
        body: { key: 'checkout-v2', name: 'Checkout v2' },
      }),
      201,
    );
    await mark('created');
    await ok(t.request('PATCH', FLAG_URL, { ...as(owner), body: { on: true } }));
    await mark('enabled');
    await ok(t.request('PATCH', FLAG_URL, { ...as(owner), body: { fallthrough: split(25000) } }));
    await mark('at25');
    await ok(t.request('PATCH', FLAG_URL, { ...as(owner), body: { fallthrough: split(50000) } }));
    await mark('at50');
    await ok(
      t.request('PATCH', '/api/v1/projects/checkout/flags/checkout-v2/environments/development', {
        ...as(owner),
        body: { on: true },
      }),
    );
    await addMember(t, owner.token, { email: 'sarah@acme.com' });
    await ok(
      t.request('POST', '/api/v1/assignments', {
        ...as(owner),
        body: { policy: 'production-access', member: 'sarah@acme.com', params: { project: 'checkout' } },
      }),
      201,
    );
    await mark('granted');
    // Dana may read the development environment of checkout only; the auditor reads the whole log.
    await ok(
      t.request('POST', '/api/v1/policies', {
        ...as(owner),
        body: {
          key: 'dev-reader',
          name: 'Development reader',
          statements: [
            {
              effect: 'allow',
              actions: ['CanAccessProject'],
              resources: ['project/checkout'],
            },
            { effect: 'allow', actions: ['CanAccessEnv'], resources: ['project/checkout:env/development'] },
          ],
        },
      }),
      201,
    );
    await ok(
      t.request('POST', '/api/v1/policies', {
        ...as(owner),
        body: {
          key: 'auditor',
          name: 'Auditor',
          statements: [{ effect: 'allow', actions: ['ReadAuditLog'], resources: ['org'] }],
        },
      }),
      201,
    );
    dana = {
      email: 'dana@acme.test',
      token: (await addMember(t, owner.token, { email: 'dana@acme.test' })).token,
    };
    auditor = {
      email: 'audrey@acme.test',
      token: (await addMember(t, owner.token, { email: 'audrey@acme.test' })).token,
    };
    for (const [policy, member] of [
      ['dev-reader', dana.email],
      ['auditor', auditor.email],
    ]) {
      await ok(t.request('POST', '/api/v1/assignments', { ...as(owner), body: { policy, member } }), 201);
    }
    // A denied attempt: Dana may not toggle production.
    expect((await t.request('PATCH', FLAG_URL, { ...as(dana), body: { on: false } })).status).toBe(403);
  });
  afterAll(async () => t.close());

  it('seals every entry with core hashing: gapless seq, prevHash chain, hash = hashEntry, a Merkle frontier', async () => {
    const all = await entries();
    expect(all.length).toBeGreaterThan(15);
    let prevHash = ZERO_HASH;
    all.forEach((entry, index) => {
      expect(entry.seq).toBe(index + 1);
      expect(entry.prevHash).toBe(prevHash);
      expect(hashEntry(entry)).toBe(entry.hash);
      prevHash = entry.hash;
    });
    const org = await t.server.store.db.selectFrom('organizations').select('id').executeTakeFirstOrThrow();
    const head = await t.server.store.db
      .selectFrom('audit_heads')
      .selectAll()
      .where('org_id', '=', org.id)
      .executeTakeFirstOrThrow();
    const frontier = MerkleFrontier.fromJSON(JSON.parse(head.frontier));
    expect(frontier.size).toBe(all.length);
    expect(Number(head.seq)).toBe(all.length);
    expect(head.hash).toBe(prevHash);
    expect(frontier.root()).toEqual(rootOfLeaves(all.map((e) => Buffer.from(e.hash, 'hex'))));
    const row = await t.server.store.db
      .selectFrom('audit_entries')
      .select(['actor_email', 'body'])
      .where('org_id', '=', org.id)
      .where('seq', '=', all.length)
      .executeTakeFirstOrThrow();
    expect(row.actor_email).toBe(dana.email);
  });

  it('summarizes a release the way people say it', async () => {
    const summaries = (await entries()).map((e) => e.summary);
    expect(summaries).toContain('enabled checkout-v2 in production');
    expect(summaries).toContain('rollout changed checkout-v2 25% → 50% in production');
    expect(summaries).toContain('permission granted sarah@acme.com production-access on checkout project');
  });

  it('signs checkpoints with the key file outside the database and publishes the verifier key', async () => {
    const keyFile = t.server.config.auditKeyFile;
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(keyFile, 'utf8')).toMatch(/^PRIVATE\+KEY\+flagward\+[0-9a-f]{8}\+/);
    const vkey = (await t.request('GET', '/api/v1/audit/public-key')).text.trim();
    expect(vkey).toMatch(/^flagward\+[0-9a-f]{8}\+/);
    expect((await t.request('GET', '/api/v1/audit/checkpoint', as(owner))).status).toBe(404);

    const first = await t.request('POST', '/api/v1/audit/checkpoint', as(owner));
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toMatch(/^text\/plain/);
    const firstCheck = verifyCheckpoint(first.text, vkey);
    if (!firstCheck.ok) throw new Error(firstCheck.message);
    const size = (await entries()).length;
    expect(firstCheck.checkpoint).toMatchObject({ origin: 'flagward/acme', size });
    expect(Buffer.from(firstCheck.checkpoint.rootHash)).toEqual(
      rootOfLeaves((await entries()).map((e) => Buffer.from(e.hash, 'hex'))),
    );
    // Nothing new: the same checkpoint.
    expect((await t.request('POST', '/api/v1/audit/checkpoint', as(owner))).text).toBe(first.text);
    // Members without ReadAuditLog may read it but not sign.
    expect((await t.request('GET', '/api/v1/audit/checkpoint', as(dana))).text).toBe(first.text);
    expect((await t.request('POST', '/api/v1/audit/checkpoint', as(dana))).status).toBe(403);

    await ok(t.request('PATCH', FLAG_URL, { ...as(owner), body: { on: false } }));
    await ok(t.request('PATCH', FLAG_URL, { ...as(owner), body: { on: true } }));
    const second = await t.request('POST', '/api/v1/audit/checkpoint', as(auditor));
    const secondCheck = verifyCheckpoint(second.text, vkey);
    if (!secondCheck.ok) throw new Error(secondCheck.message);
    expect(secondCheck.checkpoint.size).toBe(size + 2);
    expect((await t.request('GET', '/api/v1/audit/checkpoint', as(owner))).text).toBe(second.text);
    expect((await t.request('GET', `/api/v1/audit/checkpoint?size=${size}`, as(owner))).text).toBe(
      first.text,
    );

    const consistency = await ok(
      t.request('GET', `/api/v1/audit/proof/consistency?from=${size}&to=${size + 2}`, as(dana)),
    );
    expect(consistency.fromRoot).toBe(Buffer.from(firstCheck.checkpoint.rootHash).toString('base64'));
    expect(consistency.toRoot).toBe(Buffer.from(secondCheck.checkpoint.rootHash).toString('base64'));
    expect(
      verifyConsistency({
        from: size,
        to: size + 2,
        fromRoot: firstCheck.checkpoint.rootHash,
        toRoot: secondCheck.checkpoint.rootHash,
        proof: consistency.proof.map((p: string) => base64ToBytes(p)),
      }),
    ).toBe(true);
    const rows = await t.server.store.db
      .selectFrom('audit_checkpoints')
      .selectAll()
      .orderBy('size')
      .execute();
    expect(rows.map((r) => Number(r.size))).toEqual([size, size + 2]);
  });

  it('signs in the background only when the tree grew', async () => {
    const job = t.server.services.checkpoints;
    const schedule = { everyEntries: 1, everyMs: 60_000, pollMs: 1000 };
    expect(await job.tick(schedule)).toBe(0);
    await ok(t.request('PATCH', FLAG_URL, { ...as(owner), body: { on: false } }));
    expect(await job.tick(schedule)).toBe(1);
    expect(await job.tick(schedule)).toBe(0);
    await ok(t.request('PATCH', FLAG_URL, { ...as(owner), body: { on: true } }));
    expect(await job.tick({ ...schedule, everyEntries: 100 })).toBe(0);
    expect(await job.tick({ ...schedule, everyEntries: 100, everyMs: 0 })).toBe(1);
  });

  it('verifies the chain, the tree and every checkpoint', async () => {
    const result = await ok(t.request('GET', '/api/v1/audit/verify', as(auditor)));
    const all = await entries();
    expect(result).toEqual({
      ok: true,
      size: all.length,
      root: rootOfLeaves(all.map((e) => Buffer.from(e.hash, 'hex'))).toString('base64'),
      checkedCheckpoints: 4,
    });
    expect((await t.request('GET', '/api/v1/audit/verify', as(dana))).status).toBe(403);
  });

  it('serves inclusion proofs that core verifies against the signed checkpoint', async () => {
    const vkey = (await t.request('GET', '/api/v1/audit/public-key')).text;
    const signed = verifyCheckpoint(
      (await t.request('GET', '/api/v1/audit/checkpoint', as(owner))).text,
      vkey,
    );
    if (!signed.ok) throw new Error(signed.message);
    const all = await entries();
    for (const entry of all) {
      const proof = await ok(t.request('GET', `/api/v1/audit/proof/inclusion?seq=${entry.seq}`, as(owner)));
      expect(proof).toMatchObject({ leafIndex: entry.seq - 1, treeSize: signed.checkpoint.size });
      expect(proof.leafHash).toBe(Buffer.from(entry.hash, 'hex').toString('base64'));
      expect(proof.root).toBe(Buffer.from(signed.checkpoint.rootHash).toString('base64'));
      expect(
        verifyInclusion({
          leafIndex: proof.leafIndex,
          treeSize: proof.treeSize,
          leafHash: base64ToBytes(proof.leafHash),
          proof: proof.proof.map((p: string) => base64ToBytes(p)),
          root: signed.checkpoint.rootHash,
        }),
      ).toBe(true);
    }
    const smaller = await ok(t.request('GET', '/api/v1/audit/proof/inclusion?seq=3&size=5', as(owner)));
    expect(smaller.root).toBe(
      rootOfLeaves(all.slice(0, 5).map((e) => Buffer.from(e.hash, 'hex'))).toString('base64'),
    );
    expect((await t.request('GET', '/api/v1/audit/proof/inclusion?seq=3&size=2', as(owner))).status).toBe(
      400,
    );
    expect((await t.request('GET', '/api/v1/audit/proof/inclusion?seq=0', as(owner))).status).toBe(400);
    expect(
      (await t.request('GET', `/api/v1/audit/proof/inclusion?seq=${all.length + 1}`, as(owner))).status,
    ).toBe(404);
    const production = all.find((e) => e.environment === 'production')!;
    expect(
      (await t.request('GET', `/api/v1/audit/proof/inclusion?seq=${production.seq}`, as(dana))).status,
    ).toBe(403);
  });

  it('queries newest first with filters and cursor pagination', async () => {
    const all = await entries();
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: AuditEntry[]; nextCursor: string | null } = await ok(
        t.request('GET', `/api/v1/audit?limit=4${cursor ? `&cursor=${cursor}` : ''}`, as(owner)),
      );
      expect(page.items.length).toBeLessThanOrEqual(4);
      seen.push(...page.items.map((e) => e.seq));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.map((e) => e.seq).reverse());
    const first = await ok(t.request('GET', '/api/v1/audit?limit=1', as(owner)));
    expect(first.items[0]).toEqual(all.at(-1));

    const query = async (q: string) =>
      ((await ok(t.request('GET', `/api/v1/audit?${q}`, as(owner)))).items as AuditEntry[]).map((e) => e.seq);
    const expectSeqs = async (q: string, predicate: (e: AuditEntry) => boolean) =>
      expect(await query(q), q).toEqual(
        all
          .filter(predicate)
          .map((e) => e.seq)
          .reverse(),
      );
    await expectSeqs('project=checkout&environment=production', (e) => e.environment === 'production');
    await expectSeqs('flag=checkout-v2', (e) => e.flag === 'checkout-v2');
    await expectSeqs('actor=DANA@acme.test', (e) => e.actor.email === dana.email);
    await expectSeqs('action=UpdateFlagRollout', (e) => e.actions.includes('UpdateFlagRollout'));
    await expectSeqs('outcome=denied', (e) => e.outcome === 'denied');
    await expectSeqs('q=25%25', (e) => e.summary.includes('25%'));
    await expectSeqs('q=PRODUCTION-access', (e) =>
      /production-access/i.test(`${e.summary} ${e.resource} ${e.reason ?? ''}`),
    );
    await expectSeqs(
      `since=${moments.enabled}&until=${moments.at50}`,
      (e) => e.at >= moments.enabled! && e.at < moments.at50!,
    );
    expect((await t.request('GET', '/api/v1/audit?cursor=abc', as(owner))).status).toBe(400);
    expect((await t.request('GET', '/api/v1/audit?since=yesterday', as(owner))).status).toBe(400);
  });

  it('shows each viewer only the entries of resources they may read', async () => {
    const all = await entries();
    const visible: AuditEntry[] = (await ok(t.request('GET', '/api/v1/audit?limit=500', as(dana)))).items;
    expect(visible.length).toBeGreaterThan(0);
    for (const entry of visible) {
      expect(entry.project).toBe('checkout');
      if (entry.environment !== undefined) expect(entry.environment).toBe('development');
    }
    expect(visible.map((e) => e.seq)).toEqual(
      all
        .filter(
          (e) => e.project === 'checkout' && (e.environment === undefined || e.environment === 'development'),
        )
        .map((e) => e.seq)
        .reverse(),
    );
    expect(visible.some((e) => e.summary === 'enabled checkout-v2 in production')).toBe(false);
    // Organization-level entries (setup, IAM, sign-ins) need ReadAuditLog.
    expect(visible.some((e) => e.resource === 'org' || e.resource.startsWith('member/'))).toBe(false);
    const audited: AuditEntry[] = (await ok(t.request('GET', '/api/v1/audit?limit=500', as(auditor)))).items;
    expect(audited.map((e) => e.seq)).toEqual(all.map((e) => e.seq).reverse());
    expect(audited.at(-1)?.actions).toEqual(['Setup']);
  });

  it('exports oldest first: complete NDJSON, filtered NDJSON with proofs, CSV', async () => {
    const all = await entries();
    const vkey = (await t.request('GET', '/api/v1/audit/public-key')).text;
    const complete = await t.request('GET', '/api/v1/audit/export', as(owner));
    expect(complete.status).toBe(200);
    expect(complete.headers['content-type']).toMatch(/ndjson/);
    expect(complete.headers['x-flagward-export']).toBe('complete');
    const lines = complete.text.trim().split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual(all);

    const filtered = await t.request('GET', '/api/v1/audit/export?environment=production', as(owner));
    expect(filtered.headers['x-flagward-export']).toBe('filtered');
    const size = Number(filtered.headers['x-flagward-checkpoint-size']);
    const note = (await t.request('GET', `/api/v1/audit/checkpoint?size=${size}`, as(owner))).text;
    const signed = verifyCheckpoint(note, vkey);
    if (!signed.ok) throw new Error(signed.message);
    const items = filtered.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(items.map((i) => i.entry.seq)).toEqual(
      all.filter((e) => e.environment === 'production').map((e) => e.seq),
    );
    expect(verifyEntriesWithProofs(items, signed.checkpoint)).toEqual({ ok: true, checked: items.length });

    // A member's export is filtered by visibility, so it carries proofs too.
    const danas = await t.request('GET', '/api/v1/audit/export', as(dana));
    const danaItems = danas.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(
      danaItems.every((i) => i.entry.environment !== 'production' && i.entry.project === 'checkout'),
    ).toBe(true);
    const danaSigned = verifyCheckpoint(
      (
        await t.request(
          'GET',
          `/api/v1/audit/checkpoint?size=${danas.headers['x-flagward-checkpoint-size']}`,
          as(dana),
        )
      ).text,
      vkey,
    );
    if (!danaSigned.ok) throw new Error(danaSigned.message);
    expect(verifyEntriesWithProofs(danaItems, danaSigned.checkpoint).ok).toBe(true);

    const csv = await t.request('GET', '/api/v1/audit/export?format=csv&flag=checkout-v2', as(owner));
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const rows = csv.text.trim().split('\r\n');
    expect(rows[0]).toBe(
      'seq,id,at,actor,actorId,onBehalfOf,token,actions,resource,project,environment,flag,summary,outcome,reason,comment,requestId,ip,prevHash,hash',
    );
    expect(rows.length - 1).toBe(all.filter((e) => e.flag === 'checkout-v2').length);
    expect(csv.text).toContain('rollout changed checkout-v2 25% → 50% in production');
  });

  it('exports up to a stored checkpoint, so an export and its checkpoint can be fetched apart', async () => {
    const vkey = (await t.request('GET', '/api/v1/audit/public-key')).text;
    const note = (await t.request('POST', '/api/v1/audit/checkpoint', as(owner))).text;
    const signed = verifyCheckpoint(note, vkey);
    if (!signed.ok) throw new Error(signed.message);
    const { size } = signed.checkpoint;
    // The log grows past the checkpoint (a refused attempt changes nothing else).
    expect((await t.request('PATCH', FLAG_URL, { ...as(dana), body: { on: false } })).status).toBe(403);
    const all = await entries();
    expect(all.length).toBe(size + 1);

    const complete = await t.request('GET', `/api/v1/audit/export?size=${size}`, as(owner));
    expect(complete.headers['x-flagward-checkpoint-size']).toBe(String(size));
    expect(complete.headers['x-flagward-export']).toBe('complete');
    expect(complete.headers['content-disposition']).toBe(`attachment; filename="audit-${size}.ndjson"`);
    expect(
      complete.text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual(all.slice(0, size));

    const filtered = await t.request(
      'GET',
      `/api/v1/audit/export?size=${size}&environment=production`,
      as(owner),
    );
    const items = filtered.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(items.map((i) => i.entry.seq)).toEqual(
      all.filter((e) => e.environment === 'production' && e.seq <= size).map((e) => e.seq),
    );
    expect(verifyEntriesWithProofs(items, signed.checkpoint)).toEqual({ ok: true, checked: items.length });
    // Exporting up to a stored checkpoint signs nothing new.
    expect((await t.request('GET', '/api/v1/audit/checkpoint', as(owner))).text).toBe(note);

    const missing = await t.request('GET', `/api/v1/audit/export?size=${size + 1}`, as(owner));
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: 'not-found', detail: `no checkpoint of size ${size + 1}` });
    for (const bad of ['0', '-3', 'latest']) {
      const refused = await t.request('GET', `/api/v1/audit/export?size=${bad}`, as(owner));
      expect(refused.status).toBe(400);
      expect(refused.body.errors.map((e: { path: string }) => e.path)).toEqual(['querystring.size']);
    }
  });

  it('reconstructs a release timeline for a window', async () => {
    const timeline = await ok(
      t.request(
        'GET',
        `/api/v1/audit/timeline?project=checkout&environment=production&since=${moments.created}&until=${moments.granted}`,
        as(owner),
      ),
    );
    expect(timeline.items.map((e: AuditEntry) => e.summary)).toEqual([
      'enabled checkout-v2 in production',
      expect.stringContaining('checkout-v2'),
      'rollout changed checkout-v2 25% → 50% in production',
    ]);
    expect(timeline.items.every((e: AuditEntry) => e.outcome === 'applied')).toBe(true);
    const project = await ok(
      t.request('GET', `/api/v1/audit/timeline?project=checkout&until=${moments.granted}`, as(owner)),
    );
    expect(project.items.map((e: AuditEntry) => e.summary)).toContain(
      'permission granted sarah@acme.com production-access on checkout project',
    );
    expect(
      (await t.request('GET', '/api/v1/audit/timeline?project=checkout&environment=production', as(dana)))
        .status,
    ).toBe(403);
    const danas = await ok(t.request('GET', '/api/v1/audit/timeline?project=checkout', as(dana)));
    expect(danas.items.some((e: AuditEntry) => e.environment === 'production')).toBe(false);
  });

  it('reads a flag configuration as it was at any past moment', async () => {
    const at = (moment: string, env = 'production') =>
      t.request(
        'GET',
        `/api/v1/projects/checkout/flags/checkout-v2/environments/${env}?at=${moment}`,
        as(owner),
      );
    expect((await at(moments.beforeFlag!)).status).toBe(404);
    expect((await ok(at(moments.created!))).on).toBe(false);
    expect(await ok(at(moments.enabled!))).toMatchObject({
      on: true,
      fallthrough: { variation: 'true' },
      version: 2,
    });
    expect((await ok(at(moments.at25!))).fallthrough).toEqual(split(25000));
    expect((await ok(at(moments.at50!))).fallthrough).toEqual(split(50000));
    expect((await ok(at(moments.at50!, 'development'))).on).toBe(false);
    const { updatedAt: _updated, ...now } = await ok(t.request('GET', FLAG_URL, as(owner)));
    expect(await ok(at(new Date().toISOString()))).toMatchObject(now);
    expect((await t.request('GET', `${FLAG_URL}?at=${moments.at50}`, as(dana))).status).toBe(403);
    expect((await t.request('GET', `${FLAG_URL}?at=not-a-time`, as(owner))).status).toBe(400);
  });

  it('reads policies and assignments as they were at any past moment', async () => {
    const statements = (action: string) => [{ effect: 'allow', actions: [action], resources: ['org'] }];
    await ok(
      t.request('POST', '/api/v1/policies', {
        ...as(owner),
        body: { key: 'ops', name: 'Ops', statements: statements('CreateProject') },
      }),
      201,
    );
    await mark('opsCreated');
    await ok(
      t.request('PUT', '/api/v1/policies/ops', {
        ...as(owner),
        body: { name: 'Ops v2', statements: statements('ReadAuditLog') },
      }),
    );
    await mark('opsEdited');
    const grant = await ok(
      t.request('POST', '/api/v1/assignments', {
        ...as(owner),
        body: { policy: 'ops', member: 'sarah@acme.com' },
      }),
      201,
    );
    await mark('opsGranted');
    await ok(t.request('DELETE', '/api/v1/policies/ops', as(owner)), 204);
    await mark('opsDeleted');

    const policyAt = (moment: string) => t.request('GET', `/api/v1/policies/ops?at=${moment}`, as(dana));
    expect((await policyAt(moments.beforeFlag!)).status).toBe(404);
    expect(await ok(policyAt(moments.opsCreated!))).toMatchObject({
      name: 'Ops',
      statements: statements('CreateProject'),
    });
    expect(await ok(policyAt(moments.opsEdited!))).toMatchObject({
      name: 'Ops v2',
      statements: statements('ReadAuditLog'),
    });
    expect((await policyAt(moments.opsDeleted!)).status).toBe(404);
    expect(
      (await ok(t.request('GET', `/api/v1/policies/production-access?at=${moments.beforeFlag}`, as(dana))))
        .builtIn,
    ).toBe(true);

    const assignmentsAt = async (moment: string, query = '') =>
      (await ok(t.request('GET', `/api/v1/assignments?at=${moment}${query}`, as(owner)))).items as Array<{
        id: string;
        policy: string;
        member?: string;
      }>;
    expect(await assignmentsAt(moments.enabled!)).toEqual([]);
    expect((await assignmentsAt(moments.granted!)).map((a) => [a.policy, a.member])).toEqual([
      ['production-access', 'sarah@acme.com'],
    ]);
    expect((await assignmentsAt(moments.opsGranted!, '&member=sarah@acme.com')).map((a) => a.id)).toContain(
      grant.id,
    );
    expect((await assignmentsAt(moments.opsDeleted!)).map((a) => a.id)).not.toContain(grant.id);
    const live = (await ok(t.request('GET', '/api/v1/assignments', as(owner)))).items.map(
      (a: { id: string }) => a.id,
    );
    const reconstructed = (await assignmentsAt(new Date().toISOString())).map((a) => a.id);
    // Only the flag owner granted to the creator inside flag creation has no entry of its own.
    expect(live.filter((id: string) => !reconstructed.includes(id)).length).toBeLessThanOrEqual(1);
    expect(reconstructed.every((id) => live.includes(id))).toBe(true);
  });

  it('describes the audit API in the OpenAPI document', async () => {
    const document = await ok(t.request('GET', '/api/v1/openapi.json'));
    for (const path of [
      '/api/v1/audit',
      '/api/v1/audit/export',
      '/api/v1/audit/verify',
      '/api/v1/audit/checkpoint',
      '/api/v1/audit/public-key',
      '/api/v1/audit/proof/inclusion',
      '/api/v1/audit/proof/consistency',
      '/api/v1/audit/timeline',
    ]) {
      expect(document.paths[path], path).toBeDefined();
    }
  });

  it('refuses to change or remove entries and checkpoints while the triggers are enabled', async () => {
    const db = t.server.store.db;
    const attempts = [
      sql`update audit_entries set summary = 'nothing happened' where seq = 2`,
      sql`delete from audit_entries where seq = 2`,
      sql`update audit_checkpoints set note = 'x'`,
      sql`delete from audit_checkpoints`,
    ];
    if (database === 'postgres') {
      attempts.push(sql`truncate audit_entries`, sql`truncate audit_checkpoints`);
    } else {
      attempts.push(
        sql`insert or replace into audit_entries select * from audit_entries where seq = 2`,
        sql`insert or replace into audit_checkpoints select * from audit_checkpoints`,
      );
    }
    for (const attempt of attempts) await expect(attempt.execute(db)).rejects.toThrow(/append-only/);
    if (database === 'postgres') {
      // Replication mode does not switch the triggers off (they are ENABLE ALWAYS).
      await expect(
        db.connection().execute(async (connection) => {
          await sql`set session_replication_role = replica`.execute(connection);
          try {
            await sql`delete from audit_entries where seq = 2`.execute(connection);
          } finally {
            await sql`set session_replication_role = origin`.execute(connection);
          }
        }),
      ).rejects.toThrow(/append-only/);
    }
    expect((await ok(t.request('GET', '/api/v1/audit/verify', as(owner)))).ok).toBe(true);
  });
});
