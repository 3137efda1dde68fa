import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from './support/databases';
import { snapshotDatabase } from './support/snapshot';
import {
  addMember,
  auditEntries,
  setupOrganization,
  startTestServer,
  type TestServer,
} from './support/test-server';

const VARS = '/api/v1/projects/shop/environments/production/variables';
const SECRET = 'postgres://app:s3cr3t-Pa55w0rd@db.internal/app';
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe.each(DATABASES)('environment variables on %s', (database) => {
  let t: TestServer;
  let token: string;
  const as = () => ({ as: { token } });

  async function entries() {
    return auditEntries(t);
  }

  beforeAll(async () => {
    t = await startTestServer(database, { backgroundJobs: false });
    token = (await setupOrganization(t)).token;
    await t.request('POST', '/api/v1/projects', { ...as(), body: { key: 'shop', name: 'Shop' } });
  });
  afterAll(async () => t.close());

  it('sets, lists, updates and deletes a plain variable with one entry each', async () => {
    const created = await t.request('PUT', `${VARS}/API_URL`, {
      ...as(),
      body: { value: 'https://api.acme.test' },
    });
    expect(created.status, created.text).toBe(200);
    expect(created.body).toMatchObject({ key: 'API_URL', value: 'https://api.acme.test', secret: false });
    expect((await entries()).at(-1)).toMatchObject({
      outcome: 'applied',
      actions: ['WriteVariable'],
      resource: 'project/shop:env/production:var/API_URL',
      environment: 'production',
      summary: 'set variable API_URL in production of shop',
      after: { key: 'API_URL', secret: false, value: 'https://api.acme.test' },
    });
    expect((await entries()).at(-1)).not.toHaveProperty('before');

    const count = (await entries()).length;
    const same = await t.request('PUT', `${VARS}/API_URL`, {
      ...as(),
      body: { value: 'https://api.acme.test' },
    });
    expect(same.status).toBe(200);
    expect((await entries()).length).toBe(count);

    await t.request('PUT', `${VARS}/API_URL`, { ...as(), body: { value: 'https://api2.acme.test' } });
    expect((await entries()).at(-1)).toMatchObject({
      before: { value: 'https://api.acme.test' },
      after: { value: 'https://api2.acme.test' },
    });
    const list = await t.request('GET', VARS, as());
    expect(list.body).toEqual({
      items: [
        { key: 'API_URL', value: 'https://api2.acme.test', secret: false, updatedAt: expect.any(String) },
      ],
      nextCursor: null,
    });
    const other = await t.request('GET', '/api/v1/projects/shop/environments/development/variables', as());
    expect(other.body.items).toEqual([]);

    expect((await t.request('DELETE', `${VARS}/API_URL`, as())).status).toBe(204);
    expect((await entries()).at(-1)).toMatchObject({
      actions: ['DeleteVariable'],
      summary: 'deleted variable API_URL in production of shop',
      before: { key: 'API_URL', value: 'https://api2.acme.test' },
    });
    expect((await t.request('GET', VARS, as())).body.items).toEqual([]);
    expect((await t.request('DELETE', `${VARS}/API_URL`, as())).status).toBe(404);
  });

  it('never stores, shows or audits a secret value in clear', async () => {
    const set = await t.request('PUT', `${VARS}/DATABASE_URL`, {
      ...as(),
      body: { value: SECRET, secret: true },
    });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ key: 'DATABASE_URL', value: '••••••', secret: true });

    const row = await t.server.store.db
      .selectFrom('variables')
      .selectAll()
      .where('key', '=', 'DATABASE_URL')
      .executeTakeFirstOrThrow();
    expect(row.secret).toBe(1);
    expect(row.value).not.toContain(SECRET);
    expect(t.server.services.deps.secretBox.open(row.value)).toBe(SECRET);

    const list = await t.request('GET', VARS, as());
    expect(list.body.items).toEqual([
      { key: 'DATABASE_URL', value: '••••••', secret: true, updatedAt: expect.any(String) },
    ]);
    expect((await entries()).at(-1)).toMatchObject({
      summary: 'set variable DATABASE_URL in production of shop',
      after: { key: 'DATABASE_URL', secret: true, valueSha256: sha256(SECRET) },
    });

    // Omitting `secret` keeps the variable secret; setting the same secret again is still recorded.
    const again = await t.request('PUT', `${VARS}/DATABASE_URL`, { ...as(), body: { value: `${SECRET}2` } });
    expect(again.body.secret).toBe(true);
    expect((await entries()).at(-1)).toMatchObject({
      before: { secret: true, valueSha256: sha256(SECRET) },
      after: { secret: true, valueSha256: sha256(`${SECRET}2`) },
    });
    await t.request('DELETE', `${VARS}/DATABASE_URL`, as());
    expect((await entries()).at(-1)).toMatchObject({
      before: { key: 'DATABASE_URL', secret: true, valueSha256: sha256(`${SECRET}2`) },
    });

    const dump = await snapshotDatabase(t.server.store);
    expect(dump).not.toContain('s3cr3t-Pa55w0rd');
    expect(t.logs.join('')).not.toContain('s3cr3t-Pa55w0rd');
  });

  it('refuses values over 64 KiB and bad names, changing nothing', async () => {
    const before = await snapshotDatabase(t.server.store);
    const big = await t.request('PUT', `${VARS}/BIG`, {
      ...as(),
      body: { value: 'é'.repeat(32 * 1024 + 1) },
    });
    expect(big.status).toBe(400);
    expect(big.body.errors[0].path).toBe('value');
    const badName = await t.request('PUT', `${VARS}/bad:name`, { ...as(), body: { value: 'x' } });
    expect(badName.status).toBe(400);
    const noValue = await t.request('PUT', `${VARS}/X`, { ...as(), body: { secret: true } });
    expect(noValue.status).toBe(400);
    expect(noValue.body.errors[0].path).toBe('value');
    expect(await snapshotDatabase(t.server.store)).toBe(before);
    const fits = await t.request('PUT', `${VARS}/FITS`, { ...as(), body: { value: 'x'.repeat(64 * 1024) } });
    expect(fits.status).toBe(200);
  });

  it('lets a member read nothing and write nothing without permissions, recording the attempts', async () => {
    const member = await addMember(t, token, { email: 'mel@acme.test' });
    await t.request('PUT', `${VARS}/TOKEN`, { ...as(), body: { value: 'hunter2-secret', secret: true } });
    const count = (await entries()).length;
    const write = await t.request('PUT', `${VARS}/TOKEN`, {
      as: { token: member.token },
      body: { value: 'hunter2-secret' },
    });
    expect(write.status).toBe(403);
    expect(write.body.missing[0]).toMatchObject({
      action: 'WriteVariable',
      resource: 'project/shop:env/production:var/TOKEN',
    });
    const remove = await t.request('DELETE', `${VARS}/TOKEN`, { as: { token: member.token } });
    expect(remove.status).toBe(403);
    expect(remove.body.missing[0].action).toBe('DeleteVariable');
    const all = await entries();
    expect(all.length).toBe(count + 2);
    expect(all.slice(-2).map((e) => e.outcome)).toEqual(['denied', 'denied']);
    expect(JSON.stringify(all.slice(-2))).not.toContain('hunter2');
    expect((await t.request('GET', VARS, { as: { token: member.token } })).status).toBe(403);
  });
});
