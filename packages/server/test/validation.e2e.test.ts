import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from './support/databases';
import { snapshotDatabase } from './support/snapshot';
import { setupOrganization, startTestServer, type TestServer } from './support/test-server';

interface BadInputCase {
  name: string;
  method: string;
  url: string;
  body?: unknown;
  rawBody?: string;
  contentType?: string;
  status: number;
  /** The field the problem must name, when it names one. */
  path?: string;
}

const cases: BadInputCase[] = [
  {
    name: 'malformed JSON',
    method: 'POST',
    url: '/api/v1/projects',
    rawBody: '{"key": "a", ',
    status: 400,
    path: '',
  },
  {
    name: 'a body that is not an object',
    method: 'POST',
    url: '/api/v1/projects',
    body: [1, 2],
    status: 400,
  },
  {
    name: 'a wrong type',
    method: 'POST',
    url: '/api/v1/projects',
    body: { key: 'shop', name: 42 },
    status: 400,
    path: 'name',
  },
  {
    name: 'a missing field',
    method: 'POST',
    url: '/api/v1/projects',
    body: { key: 'shop' },
    status: 400,
    path: 'name',
  },
  {
    name: 'a key with an RN delimiter',
    method: 'POST',
    url: '/api/v1/projects',
    body: { key: 'shop:prod', name: 'Shop' },
    status: 400,
    path: 'key',
  },
  {
    name: 'a nested key that breaks the grammar',
    method: 'POST',
    url: '/api/v1/projects',
    body: {
      key: 'shop',
      name: 'Shop',
      environments: [
        { key: 'dev', name: 'Dev' },
        { key: '*', name: 'All' },
      ],
    },
    status: 400,
    path: 'environments[1].key',
  },
  {
    name: 'duplicate environment keys',
    method: 'POST',
    url: '/api/v1/projects',
    body: {
      key: 'shop',
      name: 'Shop',
      environments: [
        { key: 'dev', name: 'Dev' },
        { key: 'dev', name: 'Dev 2' },
      ],
    },
    status: 400,
    path: 'environments[1].key',
  },
  {
    name: 'an unknown enum value',
    method: 'POST',
    url: '/api/v1/members',
    body: { email: 'a@b.test', name: 'A', orgRole: 'god' },
    status: 400,
    path: 'orgRole',
  },
  {
    name: 'an invalid email',
    method: 'POST',
    url: '/api/v1/members',
    body: { email: 'not-an-email', name: 'A' },
    status: 400,
    path: 'email',
  },
  {
    name: 'an unknown field in a patch',
    method: 'PATCH',
    url: '/api/v1/members/owner@acme.test',
    body: { role: 'admin' },
    status: 400,
  },
  {
    name: 'an invalid date',
    method: 'POST',
    url: '/api/v1/tokens',
    body: { name: 'x', expiresAt: 'tomorrow' },
    status: 400,
    path: 'expiresAt',
  },
  {
    name: 'an oversized body',
    method: 'POST',
    url: '/api/v1/projects',
    body: { key: 'big', name: 'x'.repeat(2 * 1024 * 1024) },
    status: 413,
  },
  {
    name: 'a non-JSON content type',
    method: 'POST',
    url: '/api/v1/projects',
    rawBody: 'key=a',
    contentType: 'text/plain',
    status: 415,
  },
  {
    name: 'a bad path parameter',
    method: 'GET',
    url: '/api/v1/projects/a%3Ab',
    status: 400,
    path: 'params.project',
  },
  {
    name: 'a short password at setup',
    method: 'POST',
    url: '/api/v1/setup',
    body: {
      organization: { key: 'x', name: 'X' },
      owner: { email: 'a@b.test', name: 'A', password: 'short' },
    },
    status: 400,
    path: 'owner.password',
  },
];

describe.each(DATABASES)('bad input on %s', (database) => {
  let t: TestServer;
  let token: string;

  beforeAll(async () => {
    t = await startTestServer(database);
    token = (await setupOrganization(t)).token;
  });
  afterAll(async () => t.close());

  it.each(cases)('$name gets a 4xx problem naming the field and changes nothing', async (testCase) => {
    const before = await snapshotDatabase(t.server.store);
    const response = await t.request(testCase.method, testCase.url, {
      as: { token },
      ...(testCase.body === undefined ? {} : { body: testCase.body }),
      ...(testCase.rawBody === undefined ? {} : { rawBody: testCase.rawBody }),
      ...(testCase.contentType === undefined ? {} : { contentType: testCase.contentType }),
    });
    expect(response.status).toBe(testCase.status);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body).toMatchObject({
      status: testCase.status,
      code: expect.any(String),
      title: expect.any(String),
      detail: expect.any(String),
    });
    if (testCase.path !== undefined) {
      expect(response.body.errors.map((e: { path: string }) => e.path)).toContain(testCase.path);
    }
    expect(await snapshotDatabase(t.server.store)).toBe(before);
  });

  it('answers an unknown route with a 404 problem', async () => {
    const response = await t.request('GET', '/api/v1/nothing-here', { as: { token } });
    expect(response.status).toBe(404);
    expect(response.body.code).toBe('not-found');
  });
});
