import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from './support/databases';
import { snapshotDatabase } from './support/snapshot';
import { OWNER, setupOrganization, startTestServer, type TestServer } from './support/test-server';

describe.each(DATABASES)('secrets at rest and in logs on %s', (database) => {
  let t: TestServer;
  const secrets: string[] = [];

  beforeAll(async () => {
    t = await startTestServer(database);
    const { token } = await setupOrganization(t);
    secrets.push(OWNER.password, token);
    const created = await t.request('POST', '/api/v1/tokens', { as: { token }, body: { name: 'deploy' } });
    secrets.push(created.body.secret);
    const invited = await t.request('POST', '/api/v1/members', {
      as: { token },
      body: { email: 'kim@acme.test', name: 'Kim' },
    });
    secrets.push(invited.body.invitation.token);
    await t.request('POST', '/api/v1/auth/accept-invitation', {
      body: { token: invited.body.invitation.token, password: 'kims secret passphrase' },
    });
    secrets.push('kims secret passphrase');
    const login = await t.request('POST', '/api/v1/auth/login', {
      body: { email: OWNER.email, password: OWNER.password },
    });
    secrets.push(login.body.csrfToken, String(login.headers['set-cookie']).split(';')[0]!.split('=')[1]!);
    await t.request('POST', '/api/v1/projects', { as: { token }, body: { key: 'shop', name: 'Shop' } });
    const keys = await t.request('GET', '/api/v1/projects/shop/environments/production/sdk-keys', {
      as: { token },
    });
    secrets.push(keys.body.serverKey);
    const rotated = await t.request('POST', '/api/v1/projects/shop/environments/production/sdk-keys/rotate', {
      as: { token },
    });
    secrets.push(rotated.body.serverKey);
    await t.request('POST', '/api/v1/auth/login', {
      body: { email: OWNER.email, password: 'wrong but secret-looking' },
    });
    secrets.push('wrong but secret-looking');
  });
  afterAll(async () => t.close());

  it('stores no password, token, session, invitation or SDK key in clear', async () => {
    const dump = await snapshotDatabase(t.server.store);
    expect(secrets.length).toBeGreaterThanOrEqual(9);
    for (const secret of secrets) expect(dump, `secret ${secret.slice(0, 8)}…`).not.toContain(secret);
  });

  it('logs none of them', () => {
    const logs = t.logs.join('');
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(logs, `secret ${secret.slice(0, 8)}…`).not.toContain(secret);
  });
});
