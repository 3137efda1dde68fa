import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, setupOrganization, startTestServer, type TestServer } from './support/test-server';

const SAMPLE_PARAMS: Record<string, string> = {
  project: 'shop',
  env: 'production',
  flag: 'checkout',
  key: 'ops',
  email: 'owner@acme.test',
  name: 'API_URL',
  id: '00000000-0000-4000-8000-000000000000',
};

function concrete(url: string): string {
  return url.replace(/:([A-Za-z]+)/g, (_m, name: string) => SAMPLE_PARAMS[name] ?? 'x');
}

describe('every route declares what it needs', () => {
  let t: TestServer;
  let memberToken: string;

  beforeAll(async () => {
    t = await startTestServer('sqlite', { backgroundJobs: false });
    const { token } = await setupOrganization(t);
    await t.request('POST', '/api/v1/projects', { as: { token }, body: { key: 'shop', name: 'Shop' } });
    await t.request('POST', '/api/v1/projects/shop/flags', {
      as: { token },
      body: { key: 'checkout', name: 'Checkout' },
    });
    await t.request('POST', '/api/v1/groups', { as: { token }, body: { key: 'ops', name: 'Ops' } });
    memberToken = (await addMember(t, token, { email: 'nobody@acme.test' })).token;
  });
  afterAll(async () => t.close());

  it('has an access declaration on every route', () => {
    const undeclared = t.server.app.routeTable
      .filter((r) => r.access === undefined)
      .map((r) => `${r.method} ${r.url}`);
    expect(t.server.app.routeTable.length).toBeGreaterThan(40);
    expect(undeclared).toEqual([]);
  });

  it('answers every non-public API route with 401 to a caller without credentials', async () => {
    const wrong: string[] = [];
    for (const route of t.server.app.routeTable) {
      if (!route.url.startsWith('/api/') || (route.access && 'public' in route.access)) continue;
      const response = await t.request(route.method, concrete(route.url), {
        ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { body: {} }),
      });
      if (response.status !== 401) wrong.push(`${route.method} ${route.url}: ${response.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it('never lets a member without permissions change anything through a route that needs an action', async () => {
    const leaks: string[] = [];
    for (const route of t.server.app.routeTable) {
      if (
        !route.url.startsWith('/api/') ||
        route.method === 'GET' ||
        !route.access ||
        !('actions' in route.access)
      )
        continue;
      const response = await t.request(route.method, concrete(route.url), {
        as: { token: memberToken },
        ...(route.method === 'DELETE' ? {} : { body: {} }),
      });
      if (response.status < 400 || response.status >= 500)
        leaks.push(`${route.method} ${route.url}: ${response.status}`);
    }
    expect(leaks).toEqual([]);
  });
});
