import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { base64ToBytes, verifyCheckpoint, verifyInclusion } from '@flagward/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DATABASES } from './support/databases';
import { ok } from './support/iam-helpers';
import { addMember, setupOrganization, startTestServer, type TestServer } from './support/test-server';

// Every check here runs the CLI in a child process, which is slow on a busy machine.
vi.setConfig({ testTimeout: 180_000 });

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/flagward.mjs');

describe.each(DATABASES)('the audit and policy commands on %s', (database) => {
  let t: TestServer;
  let vkey: string;

  /** Runs `flagward …` against the test server's database (the server itself may keep running). */
  function flagward(...args: string[]) {
    const store = ['--data-dir', t.database.dataDir];
    if (t.database.databaseUrl) store.push('--database-url', t.database.databaseUrl);
    const result = spawnSync(process.execPath, [bin, ...args, ...store], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  beforeAll(async () => {
    t = await startTestServer(database, { backgroundJobs: false });
    const { token } = await setupOrganization(t);
    const as = { token };
    await ok(t.request('POST', '/api/v1/projects', { as, body: { key: 'checkout', name: 'Checkout' } }), 201);
    await ok(
      t.request('POST', '/api/v1/projects/checkout/flags', { as, body: { key: 'checkout-v2', name: 'C' } }),
      201,
    );
    await ok(
      t.request('PATCH', '/api/v1/projects/checkout/flags/checkout-v2/environments/production', {
        as,
        body: { on: true },
      }),
    );
    await addMember(t, token, { email: 'sarah@acme.com' });
    await ok(
      t.request('POST', '/api/v1/assignments', {
        as,
        body: { policy: 'production-access', member: 'sarah@acme.com', params: { project: 'checkout' } },
      }),
      201,
    );
    vkey = (await t.request('GET', '/api/v1/audit/public-key')).text;
  });
  afterAll(async () => {
    await t.server.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await t.database.drop();
  });

  it('documents the exit codes of audit verify', () => {
    const help = spawnSync(process.execPath, [bin, 'audit', 'verify', '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    for (const code of [
      '0  verified',
      '2  malformed input',
      '3  bad signature',
      '4  broken chain',
      '5  inconsistent tree',
    ]) {
      expect(help.stdout).toContain(code);
    }
  });

  it('signs a checkpoint, proves an entry and verifies the log online', async () => {
    const checkpoint = flagward('audit', 'checkpoint');
    expect(checkpoint.status, checkpoint.stderr).toBe(0);
    const signed = verifyCheckpoint(checkpoint.stdout, vkey);
    if (!signed.ok) throw new Error(signed.message);
    expect(signed.checkpoint.origin).toBe('flagward/acme');

    const proof = flagward('audit', 'proof', '--seq', '4');
    expect(proof.status, proof.stderr).toBe(0);
    const body = JSON.parse(proof.stdout);
    expect(body.treeSize).toBe(signed.checkpoint.size);
    expect(
      verifyInclusion({
        leafIndex: body.leafIndex,
        treeSize: body.treeSize,
        leafHash: base64ToBytes(body.leafHash),
        proof: body.proof.map((p: string) => base64ToBytes(p)),
        root: signed.checkpoint.rootHash,
      }),
    ).toBe(true);

    const verified = flagward('audit', 'verify', '--json');
    expect(verified.status, verified.stderr).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({
      ok: true,
      size: signed.checkpoint.size,
      checkedCheckpoints: 1,
    });
    const human = flagward('audit', 'verify');
    expect(human.stdout).toMatch(/^OK: \d+ entries of acme verified/);
  });

  it('exports complete and filtered logs that verify offline', () => {
    const dir = t.database.dataDir;
    const key = path.join(dir, 'vkey.txt');
    fs.writeFileSync(key, vkey);
    for (const filter of [[], ['--environment', 'production']]) {
      const file = path.join(dir, 'export.ndjson');
      const checkpoint = path.join(dir, 'checkpoint.txt');
      const exported = flagward('audit', 'export', '--out', file, '--checkpoint-out', checkpoint, ...filter);
      expect(exported.status, exported.stderr).toBe(0);
      const offline = spawnSync(
        process.execPath,
        [bin, 'audit', 'verify', '--file', file, '--checkpoint', checkpoint, '--key', key],
        { encoding: 'utf8' },
      );
      expect(offline.status, offline.stdout + offline.stderr).toBe(0);
      expect(offline.stdout).toMatch(filter.length === 0 ? /hash chain/ : /inclusion proofs/);
    }
    // Up to a stored checkpoint: the note written last names its size.
    const size = Number(fs.readFileSync(path.join(dir, 'checkpoint.txt'), 'utf8').split('\n')[1]);
    const upTo = flagward('audit', 'export', '--size', String(size));
    expect(upTo.status, upTo.stderr).toBe(0);
    expect(upTo.stdout.trim().split('\n')).toHaveLength(size);
    const missing = flagward('audit', 'export', '--size', String(size + 1));
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain(`no checkpoint of size ${size + 1}`);
    const csv = flagward('audit', 'export', '--format', 'csv', '--flag', 'checkout-v2');
    expect(csv.status, csv.stderr).toBe(0);
    expect(csv.stdout).toContain('enabled checkout-v2 in production');
  });

  it('explains permissions locally as the owner', () => {
    const resource = 'project/checkout:env/production:flag/checkout-v2';
    const allowed = flagward(
      'policy',
      'check',
      '--member',
      'sarah@acme.com',
      '--action',
      'UpdateFlagOn',
      '--resource',
      resource,
    );
    expect(allowed.status, allowed.stderr).toBe(0);
    expect(allowed.stdout).toMatch(/^ALLOWED \(allow\)/);
    const denied = flagward(
      'policy',
      'check',
      '--member',
      'sarah@acme.com',
      '--action',
      'DeleteProject',
      '--resource',
      'project/checkout',
    );
    expect(denied.status).toBe(1);
    expect(denied.stdout).toMatch(/^DENIED/);
    const who = flagward('policy', 'who-can', '--action', 'UpdateFlagOn', '--resource', resource, '--json');
    expect(who.status, who.stderr).toBe(0);
    expect(JSON.parse(who.stdout).items.map((i: { member: string }) => i.member)).toEqual(
      expect.arrayContaining(['owner@acme.test', 'sarah@acme.com']),
    );
  });
});
