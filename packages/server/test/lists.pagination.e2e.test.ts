import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from './support/databases';
import { ok } from './support/iam-helpers';
import { addMember, setupOrganization, startTestServer, type TestServer } from './support/test-server';

const FLAGS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf'];

describe.each(DATABASES)('paginated lists on %s', (database) => {
  let t: TestServer;
  let owner: string;

  /** Follows `nextCursor` from the first page to the last, returning the pages' keys. */
  async function pages(path: string, query: string, keyOf: (item: any) => string) {
    const seen: string[][] = [];
    let cursor: string | null = null;
    do {
      const url = `${path}?${query}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
      const page = await ok(t.request('GET', url, { as: { token: owner } }));
      seen.push(page.items.map(keyOf));
      cursor = page.nextCursor;
      if (seen.length > 20) throw new Error('the cursor never ends');
    } while (cursor !== null);
    return seen;
  }

  beforeAll(async () => {
    t = await startTestServer(database, { backgroundJobs: false });
    owner = (await setupOrganization(t)).token;
    await ok(
      t.request('POST', '/api/v1/projects', {
        as: { token: owner },
        body: { key: 'shop', name: 'Shop', environments: [{ key: 'dev', name: 'Dev' }] },
      }),
      201,
    );
    // Created out of key order, every other one tagged.
    for (const [i, key] of [...FLAGS].reverse().entries()) {
      await ok(
        t.request('POST', '/api/v1/projects/shop/flags', {
          as: { token: owner },
          body: { key, name: key, tags: i % 2 === 0 ? ['web'] : ['mobile'] },
        }),
        201,
      );
    }
    for (const name of ['zoe', 'adam', 'mia', 'li']) {
      await addMember(t, owner, { email: `${name}@acme.test` });
      await ok(
        t.request('POST', '/api/v1/assignments', {
          as: { token: owner },
          body: { policy: 'project-reader', member: `${name}@acme.test`, params: { project: 'shop' } },
        }),
        201,
      );
    }
  });
  afterAll(async () => t.close());

  it('pages through a project’s flags in key order, each page with its configurations', async () => {
    const seen = await pages('/api/v1/projects/shop/flags', 'limit=3', (f) => f.key);
    expect(seen).toEqual([['alpha', 'bravo', 'charlie'], ['delta', 'echo', 'foxtrot'], ['golf']]);
    const first = await ok(t.request('GET', '/api/v1/projects/shop/flags?limit=1', { as: { token: owner } }));
    expect(first.items[0].environments.dev).toMatchObject({ on: false });
    expect(first.nextCursor).toBe('alpha');

    const whole = await ok(t.request('GET', '/api/v1/projects/shop/flags', { as: { token: owner } }));
    expect(whole.items.map((f: { key: string }) => f.key)).toEqual(FLAGS);
    expect(whole.nextCursor).toBeNull();
  });

  it('pages through the flags carrying a tag', async () => {
    const seen = await pages('/api/v1/projects/shop/flags', 'tag=web&limit=2', (f) => f.key);
    expect(seen).toEqual([
      ['alpha', 'charlie'],
      ['echo', 'golf'],
    ]);
    const none = await ok(
      t.request('GET', '/api/v1/projects/shop/flags?tag=tv&limit=2', { as: { token: owner } }),
    );
    expect(none).toEqual({ items: [], nextCursor: null });
  });

  it('pages through the members by email', async () => {
    const seen = await pages('/api/v1/members', 'limit=2', (m) => m.email);
    expect(seen).toEqual([
      ['adam@acme.test', 'li@acme.test'],
      ['mia@acme.test', 'owner@acme.test'],
      ['zoe@acme.test'],
    ]);
  });

  it('pages through assignments in the order they were made, now and as of a time', async () => {
    const whole = await ok(
      t.request('GET', '/api/v1/assignments?policy=project-reader', { as: { token: owner } }),
    );
    const ids = whole.items.map((a: { id: string }) => a.id);
    expect(whole.items.map((a: { member: string }) => a.member)).toEqual([
      'zoe@acme.test',
      'adam@acme.test',
      'mia@acme.test',
      'li@acme.test',
    ]);
    const now = await pages('/api/v1/assignments', 'policy=project-reader&limit=3', (a) => a.id);
    expect(now).toEqual([ids.slice(0, 3), ids.slice(3)]);
    const at = encodeURIComponent(new Date(Date.now() + 1000).toISOString());
    const then = await pages('/api/v1/assignments', `policy=project-reader&at=${at}&limit=3`, (a) => a.id);
    expect(then).toEqual([ids.slice(0, 3), ids.slice(3)]);
    const one = await pages(
      '/api/v1/assignments',
      'policy=project-reader&member=mia%40acme.test&limit=1',
      (a) => a.member,
    );
    expect(one).toEqual([['mia@acme.test']]);
    const bad = await t.request('GET', '/api/v1/assignments?limit=2&cursor=nonsense', {
      as: { token: owner },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ path: 'cursor', message: 'not a cursor returned by this endpoint' }]);
  });

  it('refuses a bad limit or cursor, naming it', async () => {
    for (const [url, path] of [
      ['/api/v1/projects/shop/flags?limit=0', 'limit'],
      ['/api/v1/projects/shop/flags?limit=1001', 'limit'],
      ['/api/v1/projects/shop/flags?limit=two', 'limit'],
      ['/api/v1/projects/shop/flags?cursor=Not%20a%20key', 'cursor'],
      ['/api/v1/members?cursor=nobody', 'cursor'],
    ] as const) {
      const refused = await t.request('GET', url, { as: { token: owner } });
      expect(refused.status, url).toBe(400);
      expect(
        refused.body.errors.map((e: { path: string }) => e.path),
        url,
      ).toEqual([`querystring.${path}`]);
    }
  });
});
