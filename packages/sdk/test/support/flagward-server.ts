// Test support of the SDK tests: a real Flagward server started in-process.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createServer, type FlagwardServer } from '../../../server/src/app/server';

const silent = new Writable({ write: (_chunk, _encoding, callback) => callback() });

export interface Flagward {
  server: FlagwardServer;
  dataDir: string;
  url: string;
  port: number;
  token: string;
  api(method: string, url: string, body?: unknown): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

async function open(
  dataDir: string,
  port: number,
  token: string,
  beforeListen?: (f: Flagward) => Promise<void>,
) {
  const server = await createServer(
    { dataDir },
    { logStream: silent, webDist: null, backgroundJobs: false, sdkHeartbeatMs: 1_000 },
  );
  const flagward: Flagward = {
    server,
    dataDir,
    url: '',
    port,
    token,
    async api(method, url, body) {
      const response = await server.app.inject({
        method: method as 'GET',
        url,
        headers: {
          ...(flagward.token ? { authorization: `Bearer ${flagward.token}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      });
      return {
        status: response.statusCode,
        body: response.body === '' ? undefined : JSON.parse(response.body),
      };
    },
    close: () => server.close(),
  };
  await beforeListen?.(flagward);
  const address = await server.app.listen({ port, host: '127.0.0.1' });
  flagward.url = address;
  flagward.port = Number(new URL(address).port);
  return flagward;
}

/** Starts a server on a fresh SQLite data directory with an organization, a project `shop` and flags. */
export async function startFlagward(): Promise<Flagward> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flagward-sdk-test-'));
  const flagward = await open(dataDir, 0, '');
  const setup = await flagward.api('POST', '/api/v1/setup', {
    organization: { key: 'acme', name: 'Acme' },
    owner: { email: 'owner@acme.test', name: 'Owner', password: 'correct horse battery staple' },
  });
  if (setup.status !== 201) throw new Error(`setup failed: ${JSON.stringify(setup.body)}`);
  flagward.token = setup.body.token.secret;
  await expectOk(flagward.api('POST', '/api/v1/projects', { key: 'shop', name: 'Shop' }));
  return flagward;
}

/** Restarts a stopped server on the same data directory and port; `beforeListen` runs before it accepts. */
export function restartFlagward(
  previous: Flagward,
  beforeListen?: (f: Flagward) => Promise<void>,
): Promise<Flagward> {
  return open(previous.dataDir, previous.port, previous.token, beforeListen);
}

export async function expectOk<T extends { status: number; body: any }>(response: Promise<T>): Promise<T> {
  const result = await response;
  if (result.status >= 300)
    throw new Error(`request failed: ${result.status} ${JSON.stringify(result.body)}`);
  return result;
}

/** Creates a flag and changes its production configuration. */
export async function createFlag(
  flagward: Flagward,
  flag: Record<string, unknown> & { key: string },
  production?: Record<string, unknown>,
): Promise<void> {
  await expectOk(flagward.api('POST', '/api/v1/projects/shop/flags', { name: flag.key, ...flag }));
  if (production) await patchFlag(flagward, flag.key, production);
}

export async function patchFlag(
  flagward: Flagward,
  key: string,
  patch: Record<string, unknown>,
): Promise<any> {
  return (
    await expectOk(flagward.api('PATCH', `/api/v1/projects/shop/flags/${key}/environments/production`, patch))
  ).body;
}

export async function serverKey(flagward: Flagward): Promise<string> {
  return (await expectOk(flagward.api('GET', '/api/v1/projects/shop/environments/production/sdk-keys'))).body
    .serverKey;
}

/** The hash of the newest audit entry. */
export async function latestAuditHash(flagward: Flagward): Promise<string> {
  const org = await flagward.server.store.db
    .selectFrom('organizations')
    .select('id')
    .executeTakeFirstOrThrow();
  const entries = await flagward.server.services.auditRepository.listAll(flagward.server.store.db, org.id);
  return entries.at(-1)!.hash;
}

export function removeDataDir(flagward: Flagward): void {
  fs.rmSync(flagward.dataDir, { recursive: true, force: true });
}

/** A TCP proxy that can drop every connection and refuse new ones, as a network failure would. */
export interface TcpProxy {
  url: string;
  down(): void;
  up(): void;
  close(): Promise<void>;
}

export async function startProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let isDown = false;
  const server = net.createServer((client) => {
    if (isDown) {
      client.destroy();
      return;
    }
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    down() {
      isDown = true;
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    },
    up() {
      isDown = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Resolves with the next value an event delivers, or rejects after `timeoutMs`. */
export function nextEvent<T>(
  subscribe: (listener: (value: T) => void) => () => void,
  timeoutMs = 10_000,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error('the event did not come'));
    }, timeoutMs);
    const off = subscribe((value) => {
      clearTimeout(timer);
      off();
      resolve(value);
    });
  });
}

export const until = async (condition: () => boolean, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};
