import { describe, expect, it } from 'vitest';
import { createServer } from '../src/app/server';
import { DATABASES } from './support/databases';
import { addMembers, ok } from './support/iam-helpers';
import { setupOrganization, startTestServer } from './support/test-server';

/**
 * Compiled principals and environments are cached per process, keyed by the IAM version read in the
 * deciding transaction: a change made through one process is in force at once in every other process
 * on the same database, and in the process that made it.
 */
describe.each(DATABASES)('cached permissions on %s', (database) => {
  it('a grant and its revocation through one process take effect at once in another one', async () => {
    const a = await startTestServer(database, { backgroundJobs: false });
    const b = await createServer(
      { dataDir: a.database.dataDir, databaseUrl: a.database.databaseUrl },
      { backgroundJobs: false, webDist: null, logLevel: 'silent' },
    );
    try {
      const owner = (await setupOrganization(a)).token;
      await ok(
        a.request('POST', '/api/v1/projects', { as: { token: owner }, body: { key: 'shop', name: 'Shop' } }),
        201,
      );
      const temp = (await addMembers(a, owner, ['temp@acme.test']))['temp@acme.test']!;
      const readThroughB = async () =>
        (
          await b.app.inject({
            method: 'GET',
            url: '/api/v1/projects/shop',
            headers: { authorization: `Bearer ${temp.token}` },
          })
        ).statusCode;
      const readThroughA = async () =>
        (await a.request('GET', '/api/v1/projects/shop', { as: { token: temp.token } })).status;
      // Both processes compile (and cache) the member without the grant.
      expect(await readThroughA()).toBe(403);
      expect(await readThroughB()).toBe(403);
      const granted = await ok(
        a.request('POST', '/api/v1/assignments', {
          as: { token: owner },
          body: { policy: 'project-reader', member: 'temp@acme.test', params: { project: 'shop' } },
        }),
        201,
      );
      expect(await readThroughA()).toBe(200);
      expect(await readThroughB()).toBe(200);
      const id = (granted as { id: string }).id;
      expect(id).toBeTruthy();
      await ok(a.request('DELETE', `/api/v1/assignments/${id}`, { as: { token: owner } }), 204);
      expect(await readThroughB()).toBe(403);
      expect(await readThroughA()).toBe(403);
    } finally {
      await b.close();
      await a.close();
    }
  });
});
