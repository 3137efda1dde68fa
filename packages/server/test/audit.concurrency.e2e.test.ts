import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashEntry, ZERO_HASH } from '@flagward/core';
import { afterAll, describe, expect, it } from 'vitest';
import { createServer } from '../src/app/server';
import { createTestDatabase, DATABASES, type TestDatabase } from './support/databases';
import { OWNER } from './support/test-server';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/flagward.mjs');
const SECONDS = Number(process.env.FLAGWARD_TEST_CONCURRENCY_SECONDS ?? 30);
const FLAGS = 6;
const LOOPS_PER_SERVER = 6;

function startServe(database: TestDatabase): Promise<{ child: ChildProcess; url: string }> {
  const args = [bin, 'serve', '--port', '0', '--data-dir', database.dataDir];
  if (database.databaseUrl) args.push('--database-url', database.databaseUrl);
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FLAGWARD_LOG_LEVEL: 'warn' },
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Flagward is running at (http:\/\/[^\s]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]! });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}:\n${output}`)));
  });
}

describe.each(DATABASES)('two server processes appending to one %s database', (name) => {
  const children: ChildProcess[] = [];
  let database: TestDatabase | undefined;
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 200));
    await database?.drop();
  });

  it(
    `leaves a gapless, linear, verifying log after ${SECONDS} s of concurrent changes`,
    async () => {
      database = await createTestDatabase(name);
      const config = { dataDir: database.dataDir, databaseUrl: database.databaseUrl };
      const setupServer = await createServer(config, {
        backgroundJobs: false,
        webDist: null,
        logLevel: 'silent',
      });
      let token: string;
      try {
        const meta = { requestId: 'setup' };
        const setup = await setupServer.services.setup.setup(
          { organization: { key: 'acme', name: 'Acme' }, owner: OWNER },
          meta,
        );
        token = setup.token.secret;
        const response = await setupServer.app.inject({
          method: 'POST',
          url: '/api/v1/projects',
          headers: { authorization: `Bearer ${token}` },
          payload: { key: 'shop', name: 'Shop' },
        });
        expect(response.statusCode).toBe(201);
        for (let i = 0; i < FLAGS; i++) {
          const flag = await setupServer.app.inject({
            method: 'POST',
            url: '/api/v1/projects/shop/flags',
            headers: { authorization: `Bearer ${token}` },
            payload: { key: `flag-${i}`, name: `Flag ${i}` },
          });
          expect(flag.statusCode).toBe(201);
        }
      } finally {
        await setupServer.close();
      }

      const servers = await Promise.all([startServe(database), startServe(database)]);
      children.push(...servers.map((s) => s.child));
      const deadline = Date.now() + SECONDS * 1000;
      const counts = { ok: 0, failed: 0 };
      const failures: string[] = [];
      await Promise.all(
        servers.flatMap(({ url }, server) =>
          Array.from({ length: LOOPS_PER_SERVER }, async (_, loop) => {
            let on = loop % 2 === 0;
            while (Date.now() < deadline) {
              const env = (loop + server) % 2 === 0 ? 'development' : 'production';
              const response = await fetch(
                `${url}/api/v1/projects/shop/flags/flag-${loop % FLAGS}/environments/${env}`,
                {
                  method: 'PATCH',
                  headers: {
                    authorization: `Bearer ${token}`,
                    'content-type': 'application/json',
                    'user-agent': `process-${server}`,
                  },
                  body: JSON.stringify({ on }),
                },
              );
              if (response.ok) counts.ok += 1;
              else {
                counts.failed += 1;
                if (failures.length < 5) failures.push(`${response.status} ${await response.text()}`);
              }
              on = !on;
            }
          }),
        ),
      );
      expect(failures).toEqual([]);
      const exits = servers.map(({ child }) => new Promise((resolve) => child.on('exit', resolve)));
      for (const { child } of servers) child.kill('SIGTERM');
      await Promise.all(exits);

      const check = await createServer(config, { backgroundJobs: false, webDist: null, logLevel: 'silent' });
      try {
        const org = await check.store.db
          .selectFrom('organizations')
          .select(['id', 'key', 'name'])
          .executeTakeFirstOrThrow();
        const entries = await check.services.auditRepository.listAll(check.store.db, org.id);
        const head = await check.services.auditRepository.head(check.store.db, org.id);
        let prevHash = ZERO_HASH;
        entries.forEach((entry, index) => {
          expect(entry.seq).toBe(index + 1);
          expect(entry.prevHash).toBe(prevHash);
          expect(hashEntry(entry)).toBe(entry.hash);
          prevHash = entry.hash;
        });
        expect(head?.seq).toBe(entries.length);
        const byProcess = [0, 1].map((p) => entries.filter((e) => e.userAgent === `process-${p}`).length);
        expect(byProcess[0]).toBeGreaterThan(10);
        expect(byProcess[1]).toBeGreaterThan(10);
        const verified = await check.services.audit.verifyLog(org);
        expect(verified).toMatchObject({ ok: true, size: entries.length });
        process.stdout.write(
          `${name}: ${counts.ok} changes in ${SECONDS} s through two processes (${byProcess.join(' + ')} entries), ${entries.length} entries, ${verified.checkedCheckpoints} checkpoint(s) verified\n`,
        );
      } finally {
        await check.close();
      }
    },
    SECONDS * 1000 + 180_000,
  );
});
