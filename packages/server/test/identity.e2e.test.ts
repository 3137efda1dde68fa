import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from './support/databases';
import {
  addMember,
  OWNER,
  sessionCookieOf,
  setupOrganization,
  startTestServer,
  type TestServer,
} from './support/test-server';

describe.each(DATABASES)('identity end to end on %s', (database) => {
  let t: TestServer;
  let ownerToken: string;

  beforeAll(async () => {
    t = await startTestServer(database);
  });
  afterAll(async () => t.close());

  it('sets up the organization once, and refuses a second setup with 409 setup-already-done', async () => {
    const { token, body } = await setupOrganization(t);
    ownerToken = token;
    expect(body.organization).toEqual({ key: 'acme', name: 'Acme' });
    expect(body.member).toMatchObject({ email: OWNER.email, name: OWNER.name, orgRole: 'owner' });
    expect(body.token.secret).toMatch(/^fw_pat_/);

    const again = await t.request('POST', '/api/v1/setup', {
      body: { organization: { key: 'other', name: 'Other' }, owner: { ...OWNER, email: 'x@y.test' } },
    });
    expect(again.status).toBe(409);
    expect(again.headers['content-type']).toContain('application/problem+json');
    expect(again.body.code).toBe('setup-already-done');
  });

  it('answers /me for a token and for a session', async () => {
    const me = await t.request('GET', '/api/v1/me', { as: { token: ownerToken } });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      member: { email: OWNER.email },
      organization: { key: 'acme' },
      orgRole: 'owner',
    });

    const login = await t.request('POST', '/api/v1/auth/login', {
      body: { email: OWNER.email, password: OWNER.password },
    });
    expect(login.status).toBe(200);
    expect(login.body.csrfToken).toEqual(expect.any(String));
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    const cookie = sessionCookieOf(login);
    const viaCookie = await t.request('GET', '/api/v1/me', { as: { cookie } });
    expect(viaCookie.body.member.email).toBe(OWNER.email);
  });

  it('rejects bad credentials with the same 401 for a wrong password and an unknown email', async () => {
    const wrong = await t.request('POST', '/api/v1/auth/login', {
      body: { email: OWNER.email, password: 'not the password' },
    });
    const unknown = await t.request('POST', '/api/v1/auth/login', {
      body: { email: 'nobody@acme.test', password: 'whatever it is' },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.detail).toBe(unknown.body.detail);
  });

  it('requires the CSRF token for cookie-authenticated writes', async () => {
    const login = await t.request('POST', '/api/v1/auth/login', {
      body: { email: OWNER.email, password: OWNER.password },
    });
    const cookie = sessionCookieOf(login);
    const without = await t.request('POST', '/api/v1/tokens', { as: { cookie }, body: { name: 'ci' } });
    expect(without.status).toBe(403);
    const withCsrf = await t.request('POST', '/api/v1/tokens', {
      as: { cookie, csrf: login.body.csrfToken },
      body: { name: 'ci' },
    });
    expect(withCsrf.status).toBe(201);
  });

  it('invites a member who accepts, signs in, and works with a token of their own', async () => {
    const invited = await t.request('POST', '/api/v1/members', {
      as: { token: ownerToken },
      body: { email: 'Sarah@Acme.test', name: 'Sarah' },
    });
    expect(invited.status).toBe(201);
    expect(invited.body.member).toMatchObject({ email: 'sarah@acme.test', orgRole: 'member' });
    const accepted = await t.request('POST', '/api/v1/auth/accept-invitation', {
      body: { token: invited.body.invitation.token, password: 'sarah has a long password' },
    });
    expect(accepted.status).toBe(200);
    const reused = await t.request('POST', '/api/v1/auth/accept-invitation', {
      body: { token: invited.body.invitation.token, password: 'sarah has a long password' },
    });
    expect(reused.status).toBe(404);

    const login = await t.request('POST', '/api/v1/auth/login', {
      body: { email: 'sarah@acme.test', password: 'sarah has a long password' },
    });
    expect(login.status).toBe(200);
    const session = { cookie: sessionCookieOf(login), csrf: login.body.csrfToken as string };
    const created = await t.request('POST', '/api/v1/tokens', {
      as: session,
      body: { name: 'laptop', expiresAt: '2099-01-01T00:00:00.000Z' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'laptop', expiresAt: '2099-01-01T00:00:00.000Z' });

    const me = await t.request('GET', '/api/v1/me', { as: { token: created.body.secret } });
    expect(me.body).toMatchObject({
      member: { email: 'sarah@acme.test' },
      orgRole: 'member',
      token: { name: 'laptop' },
    });

    const listed = await t.request('GET', '/api/v1/tokens', { as: { token: created.body.secret } });
    expect(listed.body.items.map((x: { name: string }) => x.name)).toEqual(['laptop']);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.secret);

    const revoked = await t.request('DELETE', `/api/v1/tokens/${created.body.id}`, { as: session });
    expect(revoked.status).toBe(204);
    const after = await t.request('GET', '/api/v1/me', { as: { token: created.body.secret } });
    expect(after.status).toBe(401);

    const logout = await t.request('POST', '/api/v1/auth/logout', { as: session });
    expect(logout.status).toBe(204);
    const afterLogout = await t.request('GET', '/api/v1/me', { as: { cookie: session.cookie } });
    expect(afterLogout.status).toBe(401);
  });

  it('refuses an expired token', async () => {
    const created = await t.request('POST', '/api/v1/tokens', {
      as: { token: ownerToken },
      body: { name: 'past', expiresAt: '2000-01-01T00:00:00.000Z' },
    });
    expect(created.status).toBe(400);
    expect(created.body.errors).toEqual([{ path: 'expiresAt', message: 'must be in the future' }]);
  });

  it('manages groups and their members', async () => {
    const created = await t.request('POST', '/api/v1/groups', {
      as: { token: ownerToken },
      body: { key: 'release-leads', name: 'Release leads', members: ['sarah@acme.test'] },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ key: 'release-leads', members: ['sarah@acme.test'] });

    const added = await t.request(
      'PUT',
      `/api/v1/groups/release-leads/members/${encodeURIComponent(OWNER.email)}`,
      { as: { token: ownerToken } },
    );
    expect(added.status).toBe(200);
    expect(added.body.members).toEqual([OWNER.email, 'sarah@acme.test']);
    const removed = await t.request('DELETE', '/api/v1/groups/release-leads/members/sarah@acme.test', {
      as: { token: ownerToken },
    });
    expect(removed.body.members).toEqual([OWNER.email]);
    const listed = await t.request('GET', '/api/v1/groups', { as: { token: ownerToken } });
    expect(listed.body.items).toHaveLength(1);
    const duplicate = await t.request('POST', '/api/v1/groups', {
      as: { token: ownerToken },
      body: { key: 'release-leads', name: 'Again' },
    });
    expect(duplicate.status).toBe(409);
    const unknownMember = await t.request('POST', '/api/v1/groups', {
      as: { token: ownerToken },
      body: { key: 'qa', name: 'QA', members: ['ghost@acme.test'] },
    });
    expect(unknownMember.status).toBe(400);
    expect(unknownMember.body.errors[0].path).toBe('members[0]');
  });

  it('creates projects with development and production by default, and manages environments', async () => {
    const created = await t.request('POST', '/api/v1/projects', {
      as: { token: ownerToken },
      body: { key: 'checkout', name: 'Checkout' },
    });
    expect(created.status).toBe(201);
    expect(
      created.body.environments.map((e: { key: string; production: boolean }) => [e.key, e.production]),
    ).toEqual([
      ['development', false],
      ['production', true],
    ]);
    const staging = await t.request('POST', '/api/v1/projects/checkout/environments', {
      as: { token: ownerToken },
      body: { key: 'staging', name: 'Staging', tags: ['pre-prod'] },
    });
    expect(staging.status).toBe(201);
    expect(staging.body).toMatchObject({ key: 'staging', production: false, tags: ['pre-prod'] });
    const patched = await t.request('PATCH', '/api/v1/projects/checkout/environments/staging', {
      as: { token: ownerToken },
      body: { tags: ['pre-prod', 'eu'] },
    });
    expect(patched.body.tags).toEqual(['pre-prod', 'eu']);
    const envs = await t.request('GET', '/api/v1/projects/checkout/environments', {
      as: { token: ownerToken },
    });
    expect(envs.body.items.map((e: { key: string }) => e.key)).toEqual([
      'development',
      'production',
      'staging',
    ]);

    const keys = await t.request('GET', '/api/v1/projects/checkout/environments/production/sdk-keys', {
      as: { token: ownerToken },
    });
    expect(keys.body.serverKey).toMatch(/^fw_srv_/);
    const rotated = await t.request(
      'POST',
      '/api/v1/projects/checkout/environments/production/sdk-keys/rotate',
      { as: { token: ownerToken } },
    );
    expect(rotated.body.serverKey).not.toBe(keys.body.serverKey);

    const renamed = await t.request('PATCH', '/api/v1/projects/checkout', {
      as: { token: ownerToken },
      body: { name: 'Checkout service' },
    });
    expect(renamed.body.name).toBe('Checkout service');
    const deletedEnv = await t.request('DELETE', '/api/v1/projects/checkout/environments/staging', {
      as: { token: ownerToken },
    });
    expect(deletedEnv.status).toBe(204);
    await t.request('POST', '/api/v1/projects', {
      as: { token: ownerToken },
      body: { key: 'tmp', name: 'Temporary' },
    });
    const deleted = await t.request('DELETE', '/api/v1/projects/tmp', { as: { token: ownerToken } });
    expect(deleted.status).toBe(204);
    const gone = await t.request('GET', '/api/v1/projects/tmp', { as: { token: ownerToken } });
    expect(gone.status).toBe(404);
  });

  it('keeps exactly one owner: no demotion, removal or disabling without a transfer', async () => {
    await addMember(t, ownerToken, { email: 'adam@acme.test', name: 'Adam', orgRole: 'admin' });
    const demote = await t.request('PATCH', `/api/v1/members/${OWNER.email}`, {
      as: { token: ownerToken },
      body: { orgRole: 'member' },
    });
    expect(demote.status).toBe(403);
    const remove = await t.request('DELETE', `/api/v1/members/${OWNER.email}`, { as: { token: ownerToken } });
    expect(remove.status).toBe(409);
    const promote = await t.request('PATCH', '/api/v1/members/adam@acme.test', {
      as: { token: ownerToken },
      body: { orgRole: 'owner' },
    });
    expect(promote.status).toBe(409);

    const transfer = await t.request('POST', '/api/v1/organization/transfer-ownership', {
      as: { token: ownerToken },
      body: { email: 'adam@acme.test' },
    });
    expect(transfer.status).toBe(200);
    const members = await t.request('GET', '/api/v1/members', { as: { token: ownerToken } });
    const roles = Object.fromEntries(
      members.body.items.map((m: { email: string; orgRole: string }) => [m.email, m.orgRole]),
    );
    expect(roles[OWNER.email]).toBe('admin');
    expect(roles['adam@acme.test']).toBe('owner');
    expect(Object.values(roles).filter((r) => r === 'owner')).toHaveLength(1);

    const transferBack = await t.request('POST', '/api/v1/organization/transfer-ownership', {
      as: { token: ownerToken },
      body: { email: OWNER.email },
    });
    expect(transferBack.status).toBe(403);
  });

  it('does not let a member raise their own role, or an admin act as owner', async () => {
    const login = await t.request('POST', '/api/v1/auth/login', {
      body: { email: 'sarah@acme.test', password: 'sarah has a long password' },
    });
    const sarah = { cookie: sessionCookieOf(login), csrf: login.body.csrfToken as string };
    const raise = await t.request('PATCH', '/api/v1/members/sarah@acme.test', {
      as: sarah,
      body: { orgRole: 'admin' },
    });
    expect(raise.status).toBe(403);
    const invite = await t.request('POST', '/api/v1/members', {
      as: sarah,
      body: { email: 'eve@acme.test', name: 'Eve' },
    });
    expect(invite.status).toBe(403);
    expect(invite.body.missing).toEqual([
      expect.objectContaining({ action: 'ManageMembers', resource: 'org' }),
    ]);
    const rename = await t.request('PATCH', '/api/v1/members/sarah@acme.test', {
      as: sarah,
      body: { name: 'Sarah Connor' },
    });
    expect(rename.status).toBe(200);
    const me = await t.request('GET', '/api/v1/members/sarah@acme.test', { as: sarah });
    expect(me.body.orgRole).toBe('member');
  });

  it('disables a member: sessions end, sign-in is refused, history is kept', async () => {
    const login = await t.request('POST', '/api/v1/auth/login', {
      body: { email: 'sarah@acme.test', password: 'sarah has a long password' },
    });
    const cookie = sessionCookieOf(login);
    const disabled = await t.request('PATCH', '/api/v1/members/sarah@acme.test', {
      as: { token: ownerToken },
      body: { disabled: true },
    });
    expect(disabled.status).toBe(200);
    expect(disabled.body.disabled).toBe(true);
    expect((await t.request('GET', '/api/v1/me', { as: { cookie } })).status).toBe(401);
    const again = await t.request('POST', '/api/v1/auth/login', {
      body: { email: 'sarah@acme.test', password: 'sarah has a long password' },
    });
    expect(again.status).toBe(401);
    const entries = await t.server.services.auditRepository.listAll(
      t.server.store.db,
      (await t.server.store.db.selectFrom('organizations').select('id').executeTakeFirstOrThrow()).id,
    );
    expect(entries.some((e) => e.actor.email === 'sarah@acme.test')).toBe(true);
  });
});
