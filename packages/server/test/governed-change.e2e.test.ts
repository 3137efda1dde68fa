import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditAppender } from '../src/audit/audit.appender';
import { ChainedAuditAppender } from '../src/audit/audit.appender';
import { AuditRepository } from '../src/audit/audit.repository';
import { DATABASES } from './support/databases';
import { snapshotDatabase } from './support/snapshot';
import {
  addMember,
  auditEntries,
  OWNER,
  setupOrganization,
  startTestServer,
  type TestServer,
} from './support/test-server';

/** An appender that can be told to fail, to prove a change never outlives its audit entry. */
class SwitchableAppender implements AuditAppender {
  failNext = false;
  constructor(private readonly inner: AuditAppender) {}
  append: AuditAppender['append'] = async (tx, draft) => {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('simulated audit failure');
    }
    return this.inner.append(tx, draft);
  };
}

describe.each(DATABASES)('the governed-change path on %s', (database) => {
  let t: TestServer;
  let token: string;
  let appender: SwitchableAppender;

  beforeAll(async () => {
    appender = new SwitchableAppender(new ChainedAuditAppender(new AuditRepository(database)));
    t = await startTestServer(database, { auditAppender: appender });
    token = (await setupOrganization(t)).token;
  });
  afterAll(async () => t.close());

  async function entries() {
    return auditEntries(t);
  }

  it('keeps no change when the audit append fails', async () => {
    const before = await snapshotDatabase(t.server.store);
    appender.failNext = true;
    const response = await t.request('POST', '/api/v1/projects', {
      as: { token },
      body: { key: 'shop', name: 'Shop' },
    });
    expect(response.status).toBe(500);
    expect(response.body.code).toBe('internal');
    expect(await snapshotDatabase(t.server.store)).toBe(before);
    const retry = await t.request('POST', '/api/v1/projects', {
      as: { token },
      body: { key: 'shop', name: 'Shop' },
    });
    expect(retry.status).toBe(201);
  });

  it('writes exactly one entry per mutation, with actor, action, resource and summary', async () => {
    const mutations: Array<[string, string, unknown, string]> = [
      [
        'POST',
        '/api/v1/projects',
        { key: 'billing', name: 'Billing' },
        'created project billing with environments development, production',
      ],
      [
        'PATCH',
        '/api/v1/projects/billing',
        { name: 'Billing & invoices' },
        'renamed project billing to "Billing & invoices"',
      ],
      [
        'POST',
        '/api/v1/projects/billing/environments',
        { key: 'staging', name: 'Staging' },
        'created environment staging in project billing',
      ],
      [
        'PATCH',
        '/api/v1/projects/billing/environments/staging',
        { production: true },
        'marked environment staging of billing as production',
      ],
      [
        'DELETE',
        '/api/v1/projects/billing/environments/staging',
        undefined,
        'deleted environment staging of project billing',
      ],
      ['POST', '/api/v1/groups', { key: 'ops', name: 'Ops' }, 'created group ops'],
      ['POST', '/api/v1/members', { email: 'dev@acme.test', name: 'Dev' }, 'invited dev@acme.test as member'],
      [
        'PATCH',
        '/api/v1/members/dev@acme.test',
        { orgRole: 'admin' },
        'changed role of dev@acme.test from member to admin',
      ],
      ['PUT', '/api/v1/groups/ops/members/dev@acme.test', undefined, 'added dev@acme.test to group ops'],
      ['DELETE', '/api/v1/members/dev@acme.test', undefined, 'removed member dev@acme.test'],
      ['DELETE', '/api/v1/groups/ops', undefined, 'deleted group ops'],
      ['DELETE', '/api/v1/projects/billing', undefined, 'deleted project billing'],
    ];
    for (const [method, url, body, summary] of mutations) {
      const before = (await entries()).length;
      const response = await t.request(method, url, {
        as: { token },
        ...(body === undefined ? {} : { body }),
      });
      expect(response.status, `${method} ${url}: ${response.text}`).toBeLessThan(300);
      const after = await entries();
      expect(after.length, `${method} ${url}`).toBe(before + 1);
      const entry = after.at(-1)!;
      expect(entry).toMatchObject({
        outcome: 'applied',
        summary,
        actor: { type: 'member', email: OWNER.email, token: { name: 'setup' } },
      });
      expect(entry.requestId).toEqual(expect.any(String));
    }
  });

  it('writes nothing for a change that changes nothing', async () => {
    const before = (await entries()).length;
    const response = await t.request('PATCH', '/api/v1/projects/shop', {
      as: { token },
      body: { name: 'Shop' },
    });
    expect(response.status).toBe(200);
    expect((await entries()).length).toBe(before);
  });

  it('records a denied attempt and changes nothing else', async () => {
    const member = await addMember(t, token, { email: 'mallory@acme.test' });
    const before = await snapshotDatabase(t.server.store);
    const count = (await entries()).length;
    const response = await t.request('DELETE', '/api/v1/projects/shop', { as: { token: member.token } });
    expect(response.status).toBe(403);
    expect(response.body.missing).toEqual([
      expect.objectContaining({ action: 'DeleteProject', resource: 'project/shop' }),
    ]);
    const after = await entries();
    expect(after.length).toBe(count + 1);
    expect(after.at(-1)).toMatchObject({
      outcome: 'denied',
      actions: ['DeleteProject'],
      actor: { email: 'mallory@acme.test' },
    });
    const stillThere = await t.request('GET', '/api/v1/projects/shop', { as: { token } });
    expect(stillThere.status).toBe(200);
    expect(before).not.toBe(await snapshotDatabase(t.server.store)); // only the denied entry was added
  });

  it('chains every entry to the one before it, with gapless seq', async () => {
    const all = await entries();
    all.forEach((entry, index) => {
      expect(entry.seq).toBe(index + 1);
      if (index > 0) expect(entry.prevHash).toBe(all[index - 1]!.hash);
    });
  });
});
