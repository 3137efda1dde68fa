// Change propagation to SDK clients (PATCH response → the SDK's change event) with 100 connected
// clients, on one SQLite server process and across two server processes sharing PostgreSQL; and the
// cost of evaluating through OpenFeature with the Flagward provider.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient, type FlagwardClient, FlagwardProvider, type FlagwardRuleset } from '@flagward/sdk';
import { OpenFeature, type Provider, type ResolutionDetails } from '@openfeature/server-sdk';
import pg from 'pg';
import { describeRates, median, percentile, type Rates, random, table, timeAsync, timeSync } from './support';

const CLIENTS = 100;
const CHANGES = Number(process.env.FLAGWARD_BENCH_STREAM_CHANGES ?? 100);
const here = path.dirname(fileURLToPath(import.meta.url));
const POSTGRES_ADMIN_URL =
  process.env.FLAGWARD_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

interface Child {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts a Flagward server in a process of its own. */
async function startServer(env: Record<string, string>): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'sdk-server.child.ts')], {
    env: { ...process.env, FLAGWARD_LOG_LEVEL: 'warn', ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk) => {
      buffer += String(chunk);
      const line = buffer.split('\n')[0];
      if (buffer.includes('\n') && line) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', (code) => reject(new Error(`the server process exited (${code})`)));
  });
  return {
    url,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin!.end();
      }),
  };
}

async function api(base: string, token: string, method: string, url: string, body?: unknown): Promise<any> {
  const response = await fetch(`${base}${url}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${url}: ${response.status} ${text}`);
  return text === '' ? undefined : JSON.parse(text);
}

/** Organization, project `shop`, flag `live` on in production; returns the owner token and server key. */
async function prepare(base: string): Promise<{ token: string; key: string }> {
  const setup = await api(base, '', 'POST', '/api/v1/setup', {
    organization: { key: 'bench', name: 'Bench' },
    owner: { email: 'owner@bench.test', name: 'Owner', password: 'correct horse battery staple' },
  });
  const token = setup.token.secret as string;
  await api(base, token, 'POST', '/api/v1/projects', { key: 'shop', name: 'Shop' });
  await api(base, token, 'POST', '/api/v1/projects/shop/flags', { key: 'live', name: 'Live' });
  await api(base, token, 'PATCH', '/api/v1/projects/shop/flags/live/environments/production', { on: true });
  const keys = await api(base, token, 'GET', '/api/v1/projects/shop/environments/production/sdk-keys');
  return { token, key: keys.serverKey as string };
}

/** PATCH through `writeBase`, 100 clients following `readBase`: latency of each client's change event. */
async function propagation(title: string, writeBase: string, readBase: string, token: string, key: string) {
  const clients: FlagwardClient[] = [];
  for (let i = 0; i < CLIENTS; i++) clients.push(createClient({ url: readBase, serverKey: key }));
  await Promise.all(clients.map((c) => c.waitForReady(30_000)));
  const fromResponse: number[] = [];
  const fromRequest: number[] = [];
  let on = true;
  for (let change = 0; change < CHANGES; change++) {
    on = !on;
    const arrived = clients.map(
      (client) =>
        new Promise<number>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error('a change did not reach a client in 30 s')),
            30_000,
          );
          const off = client.on('change', (keys) => {
            if (!keys.includes('live')) return;
            clearTimeout(timer);
            off();
            resolve(performance.now());
          });
        }),
    );
    const sent = performance.now();
    await api(writeBase, token, 'PATCH', '/api/v1/projects/shop/flags/live/environments/production', { on });
    const answered = performance.now();
    for (const at of await Promise.all(arrived)) {
      fromResponse.push(Math.max(0, at - answered));
      fromRequest.push(at - sent);
    }
  }
  for (const client of clients) client.close();
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  process.stdout.write(`${title}: ${CHANGES} changes × ${CLIENTS} clients\n`);
  table([
    ['  measured from', 'p50', 'p99', 'max'],
    [
      '  the PATCH response',
      ms(percentile(fromResponse, 50)),
      ms(percentile(fromResponse, 99)),
      ms(Math.max(...fromResponse)),
    ],
    [
      '  the PATCH request',
      ms(percentile(fromRequest, 50)),
      ms(percentile(fromRequest, 99)),
      ms(Math.max(...fromRequest)),
    ],
  ]);
  process.stdout.write('\n');
}

async function singleProcessSqlite(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flagward-bench-stream-'));
  const server = await startServer({ FLAGWARD_DATA_DIR: dataDir, FLAGWARD_DATABASE_URL: '' });
  try {
    const { token, key } = await prepare(server.url);
    await propagation('One server process, SQLite', server.url, server.url, token, key);
  } finally {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function twoProcessesPostgres(): Promise<void> {
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 3_000 });
  try {
    await admin.connect();
  } catch {
    process.stdout.write(
      `Two server processes, PostgreSQL: skipped (${POSTGRES_ADMIN_URL} is not reachable)\n\n`,
    );
    return;
  }
  const database = `flagward_bench_${randomBytes(6).toString('hex')}`;
  await admin.query(`create database ${database}`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${database}`;
  const dataDirs = [0, 1].map(() => fs.mkdtempSync(path.join(os.tmpdir(), 'flagward-bench-stream-')));
  const servers: Child[] = [];
  try {
    // One after the other: the first runs the migrations.
    servers.push(
      await startServer({ FLAGWARD_DATA_DIR: dataDirs[0]!, FLAGWARD_DATABASE_URL: url.toString() }),
    );
    const { token, key } = await prepare(servers[0]!.url);
    // Both processes must encrypt with the same secret key to read SDK keys; share the key file.
    servers.push(
      await startServer({
        FLAGWARD_DATA_DIR: dataDirs[1]!,
        FLAGWARD_DATABASE_URL: url.toString(),
        FLAGWARD_SECRET_KEY_FILE: path.join(dataDirs[0]!, 'secret.key'),
      }),
    );
    await propagation(
      'Two server processes sharing PostgreSQL (PATCH to A, clients on B)',
      servers[0]!.url,
      servers[1]!.url,
      token,
      key,
    );
  } finally {
    for (const server of servers) await server.stop();
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.end();
    for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** An OpenFeature provider that does nothing: the cost of OpenFeature's client itself. */
class BaselineProvider implements Provider {
  readonly metadata = { name: 'baseline' } as const;
  readonly runsOn = 'server' as const;
  resolveBooleanEvaluation(_key: string, value: boolean): Promise<ResolutionDetails<boolean>> {
    return Promise.resolve({ value });
  }
  resolveStringEvaluation(_key: string, value: string): Promise<ResolutionDetails<string>> {
    return Promise.resolve({ value });
  }
  resolveNumberEvaluation(_key: string, value: number): Promise<ResolutionDetails<number>> {
    return Promise.resolve({ value });
  }
  resolveObjectEvaluation<T>(_key: string, value: T): Promise<ResolutionDetails<T>> {
    return Promise.resolve({ value });
  }
}

async function openFeatureOverhead(): Promise<void> {
  const ruleset: FlagwardRuleset = {
    environment: 'bench',
    version: 1,
    flags: {
      rules: {
        kind: 'boolean',
        variations: [
          { id: 'true', value: true },
          { id: 'false', value: false },
        ],
        on: true,
        offVariation: 'false',
        targets: [],
        rules: [
          {
            id: 'pros',
            clauses: [
              { attribute: 'plan', op: 'in', values: ['pro'] },
              { attribute: 'country', op: 'in', values: ['FR', 'DE'] },
            ],
            serve: { variation: 'true' },
          },
        ],
        fallthrough: {
          rollout: {
            weights: [
              { variation: 'true', weight: 50_000 },
              { variation: 'false', weight: 50_000 },
            ],
          },
        },
        version: 1,
        salt: 'of',
        archived: false,
        auditHash: 'f'.repeat(64),
      },
    },
  };
  const next = random(7);
  const contexts = Array.from({ length: 10_000 }, (_, i) => ({
    targetingKey: `user-${i}-${Math.floor(next() * 1e9)}`,
    plan: next() < 0.3 ? 'pro' : 'free',
    country: ['FR', 'DE', 'US', 'JP'][Math.floor(next() * 4)]!,
  }));
  const client = createClient({ offline: true, bootstrap: ruleset });
  await OpenFeature.setProviderAndWait('bench-flagward', new FlagwardProvider({ client }));
  await OpenFeature.setProviderAndWait('bench-baseline', new BaselineProvider());
  const flagward = OpenFeature.getClient('bench-flagward');
  const baseline = OpenFeature.getClient('bench-baseline');

  const direct = timeSync('sdk direct', contexts, (ctx) => client.evaluate('rules', ctx, false).value);
  // Interleaved repetitions, so that a busy moment of the machine does not fall on one side only.
  const viaFlagward: Rates = { label: 'openfeature flagward', perSecond: [], calls: 0 };
  const viaBaseline: Rates = { label: 'openfeature baseline', perSecond: [], calls: 0 };
  for (let r = 0; r < 3; r++) {
    for (const [into, of] of [
      [viaFlagward, flagward],
      [viaBaseline, baseline],
    ] as const) {
      const once = await timeAsync(into.label, contexts, (ctx) => of.getBooleanValue('rules', false, ctx), {
        repetitions: 1,
      });
      into.perSecond.push(...once.perSecond);
      into.calls = once.calls;
    }
  }
  const micros = (perSecond: number[]) => 1e6 / median(perSecond);
  process.stdout.write(
    'OpenFeature client (getBooleanValue, awaited) vs the SDK directly (a flag with one 2-clause rule and a 50% rollout)\n',
  );
  table([
    [
      '  SDK client.evaluate() directly',
      describeRates(direct),
      `${micros(direct.perSecond).toFixed(3)} µs/eval`,
    ],
    [
      '  OpenFeature + FlagwardProvider',
      describeRates(viaFlagward),
      `${micros(viaFlagward.perSecond).toFixed(3)} µs/eval`,
    ],
    [
      '  OpenFeature + do-nothing provider',
      describeRates(viaBaseline),
      `${micros(viaBaseline.perSecond).toFixed(3)} µs/eval`,
    ],
  ]);
  process.stdout.write(
    `  provider overhead (Flagward provider − do-nothing provider): ${(micros(viaFlagward.perSecond) - micros(viaBaseline.perSecond)).toFixed(3)} µs per evaluation\n\n`,
  );
  await OpenFeature.close();
  client.close();
}

export async function run(): Promise<void> {
  await singleProcessSqlite();
  await twoProcessesPostgres();
  await openFeatureOverhead();
}
