import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/test-server';

describe('the OpenAPI document', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer('sqlite', { backgroundJobs: false });
  });
  afterAll(async () => t.close());

  it('is OpenAPI 3.1 and describes every API route with its request schema', async () => {
    const response = await t.request('GET', '/api/v1/openapi.json');
    expect(response.status).toBe(200);
    const doc = response.body;
    expect(doc.openapi).toBe('3.1.0');
    const documented = new Set<string>();
    for (const [url, methods] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(methods)) documented.add(`${method.toUpperCase()} ${url}`);
    }
    const missing = t.server.app.routeTable
      .filter((r) => r.url.startsWith('/api/v1/') && r.url !== '/api/v1/openapi.json')
      .map((r) => `${r.method} ${r.url.replace(/:([A-Za-z]+)/g, '{$1}')}`)
      .filter((key) => !documented.has(key));
    expect(missing).toEqual([]);
    const setup = doc.paths['/api/v1/setup'].post;
    expect(setup.requestBody.content['application/json'].schema.properties).toHaveProperty('organization');
  });

  it('serves metrics in Prometheus text format', async () => {
    await t.request('GET', '/healthz');
    const response = await t.request('GET', '/metrics');
    expect(response.status).toBe(200);
    expect(response.text).toContain('flagward_http_requests_total');
  });
});
