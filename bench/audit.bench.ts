/**
 * Audit benchmarks (docs/performance.md, "Audit"):
 * 1. verification speed of AuditChainVerifier over 1,000,000 stored-body strings (~750 bytes each),
 *    through pushText (what verifyLog and the offline CLI use) and through push(JSON.parse(body)),
 *    beside this machine's raw SHA-256 speed over the same bytes;
 * 2. governed changes per second end to end in the service layer (a flag toggled on and off: plan,
 *    authorize, apply, audit append, durable commit), one process and four processes, on SQLite and
 *    on PostgreSQL.
 *
 * Run through the harness (`npm run bench`) or alone: `node --import tsx bench/audit.bench.ts`.
 * Options through the environment: FLAGWARD_BENCH_AUDIT_ENTRIES (default 1000000),
 * FLAGWARD_BENCH_AUDIT_SECONDS (default 10 per throughput run), FLAGWARD_BENCH_AUDIT_SECTIONS (a comma list
 * of verify, sqlite, postgres; default all), FLAGWARD_BENCH_AUDIT_PROCESSES (default "1,4"),
 * FLAGWARD_TEST_POSTGRES_URL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { AuditChainVerifier, canonicalJson, hashEntry, ZERO_HASH } from '@flagward/core';
import pg from 'pg';
import { createServer } from '../packages/server/src/app/server';
import { openLocalContext } from '../packages/server/src/cli/local.context';

const ENTRIES = Number(process.env.FLAGWARD_BENCH_AUDIT_ENTRIES ?? 1_000_000);
const SECONDS = Number(process.env.FLAGWARD_BENCH_AUDIT_SECONDS ?? 10);
const WORKERS_PER_PROCESS = 64;
const SECTIONS = new Set((process.env.FLAGWARD_BENCH_AUDIT_SECTIONS ?? 'verify,sqlite,postgres').split(','));
const PROCESS_COUNTS = (process.env.FLAGWARD_BENCH_AUDIT_PROCESSES ?? '1,4').split(',').map(Number);
const POSTGRES_ADMIN_URL =
  process.env.FLAGWARD_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SELF = fileURLToPath(import.meta.url);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function fmt(value: number): string {
  return Math.round(value).toLocaleString('en');
}

/** A realistic stored log: what the server writes for a release (toggles, rollouts, grants). */
function generateLog(count: number): string[] {
  const bodies: string[] = new Array(count);
  let prevHash = ZERO_HASH;
  const start = Date.parse('2026-01-01T00:00:00.000Z');
  for (let seq = 1; seq <= count; seq++) {
    const from = (seq * 5) % 100;
    const flag = `checkout-v${seq % 17}`;
    const environment = seq % 3 === 0 ? 'production' : 'staging';
    const entry = {
      seq,
      id: `0b5e${seq.toString(16).padStart(8, '0')}-4c1d-4f2e-9a7b-3c2d1e0f9a8b`,
      at: new Date(start + seq * 1000).toISOString(),
      org: 'acme',
      actor: { type: 'member', id: '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f', email: 'sarah@acme.com' },
      actions: ['UpdateFlagRollout'],
      resource: `project/checkout:env/${environment}:flag/${flag}`,
      project: 'checkout',
      environment,
      flag,
      summary: `rollout changed ${flag} ${from}% → ${from + 5}% in ${environment}`,
      before: { on: true, rollout: from * 1000, version: seq },
      after: { on: true, rollout: (from + 5) * 1000, version: seq + 1 },
      outcome: 'applied',
      requestId: `req-${(seq * 7919).toString(16)}`,
      ip: '203.0.113.7',
      prevHash,
    };
    const hash = hashEntry(entry);
    bodies[seq - 1] = canonicalJson({ ...entry, hash });
    prevHash = hash;
  }
  return bodies;
}

async function verificationSpeed(): Promise<void> {
  process.stdout.write(`\n## Audit: verification of ${fmt(ENTRIES)} entries\n`);
  let t = performance.now();
  const bodies = generateLog(ENTRIES);
  const bytes = bodies.reduce((sum, body) => sum + Buffer.byteLength(body), 0);
  process.stdout.write(
    `generated in ${((performance.now() - t) / 1000).toFixed(1)} s, ${fmt(bytes / ENTRIES)} bytes per entry on average\n`,
  );
  // What the server's verifyLog and the offline CLI do (pushText: canonical text hashed directly),
  // and the reference path they fall back to (push(JSON.parse(body)): parse + JCS + hash).
  const timeVerifier = (feed: (verifier: AuditChainVerifier, body: string) => boolean): number[] => {
    const rates: number[] = [];
    for (let run = 0; run < 3; run++) {
      t = performance.now();
      const verifier = new AuditChainVerifier({ checkpointSizes: [ENTRIES] });
      for (const body of bodies) if (!feed(verifier, body)) break;
      const result = verifier.result();
      const seconds = (performance.now() - t) / 1000;
      if (!result.ok || result.size !== ENTRIES)
        throw new Error(`the generated log did not verify: ${result.message}`);
      rates.push(ENTRIES / seconds);
    }
    return rates;
  };
  const verifyRates = timeVerifier((verifier, body) => verifier.pushText(body));
  const parseRates = timeVerifier((verifier, body) => verifier.push(JSON.parse(body)));
  const buffers = bodies.map((body) => Buffer.from(body));
  const shaRates: number[] = [];
  for (let run = 0; run < 3; run++) {
    t = performance.now();
    for (const buffer of buffers) createHash('sha256').update(buffer).digest();
    shaRates.push(ENTRIES / ((performance.now() - t) / 1000));
  }
  const v = median(verifyRates);
  const s = median(shaRates);
  process.stdout.write(
    `AuditChainVerifier.pushText (canonical check + SHA-256 of the stored text + chain + Merkle tree): median ${fmt(v)} entries/s (min ${fmt(Math.min(...verifyRates))}, max ${fmt(Math.max(...verifyRates))}); target ≥ 300,000\n`,
  );
  process.stdout.write(
    `AuditChainVerifier.push(JSON.parse(body)) (JSON.parse + JCS + SHA-256 + chain + Merkle tree): median ${fmt(median(parseRates))} entries/s (min ${fmt(Math.min(...parseRates))}, max ${fmt(Math.max(...parseRates))})\n`,
  );
  process.stdout.write(
    `raw createHash('sha256') over the same bytes: median ${fmt(s)} entries/s = ${fmt((s * bytes) / ENTRIES / 1e6)} MB/s (min ${fmt(Math.min(...shaRates))}, max ${fmt(Math.max(...shaRates))}); verification runs at ${((v / s) * 100).toFixed(0)}% of it\n`,
  );
}

interface Target {
  dataDir: string;
  databaseUrl: string | undefined;
}

interface WorkerResult {
  changes: number;
  failures: number;
  seconds: number;
  /** The first failure's message, if any. */
  error?: string;
}

/** Toggles `flags` on and off in development for `seconds`, WORKERS_PER_PROCESS at a time. */
async function toggleWorker(target: Target, flags: string[], seconds: number): Promise<WorkerResult> {
  const local = await openLocalContext({ dataDir: target.dataDir, databaseUrl: target.databaseUrl });
  try {
    const { services, owner } = local;
    let changes = 0;
    let failures = 0;
    let error: string | undefined;
    const deadline = performance.now() + seconds * 1000;
    const start = performance.now();
    await Promise.all(
      flags.map(async (flag, index) => {
        let on = true;
        while (performance.now() < deadline) {
          try {
            await services.configurations.patch(
              owner,
              { project: 'bench', flag, env: 'development' },
              { on },
              { requestId: `bench-${index}-${changes}` },
            );
            changes += 1;
          } catch (failure) {
            failures += 1;
            error ??= failure instanceof Error ? failure.message : String(failure);
          }
          on = !on;
        }
      }),
    );
    return { changes, failures, seconds: (performance.now() - start) / 1000, ...(error ? { error } : {}) };
  } finally {
    await local.close();
  }
}

async function prepareTarget(
  kind: 'sqlite' | 'postgres',
  flagCount: number,
): Promise<Target & { drop(): Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flagward-bench-audit-'));
  let databaseUrl: string | undefined;
  let database: string | undefined;
  if (kind === 'postgres') {
    database = `flagward_bench_${process.pid}_${Date.now()}`;
    const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await admin.connect();
    await admin.query(`create database ${database}`);
    await admin.end();
    const url = new URL(POSTGRES_ADMIN_URL);
    url.pathname = `/${database}`;
    databaseUrl = url.toString();
  }
  const server = await createServer(
    { dataDir, databaseUrl },
    { backgroundJobs: false, webDist: null, logLevel: 'silent' },
  );
  try {
    const setup = await server.services.setup.setup(
      {
        organization: { key: 'acme', name: 'Acme' },
        owner: { email: 'owner@acme.test', name: 'Owner', password: 'correct horse battery staple' },
      },
      { requestId: 'bench-setup' },
    );
    void setup;
  } finally {
    await server.close();
  }
  const local = await openLocalContext({ dataDir, databaseUrl });
  try {
    const meta = { requestId: 'bench-prepare' };
    await local.services.projects.create(local.owner, { key: 'bench', name: 'Bench' }, meta);
    for (let i = 0; i < flagCount; i++) {
      await local.services.flags.create(local.owner, 'bench', { key: `flag-${i}`, name: `Flag ${i}` }, meta);
    }
  } finally {
    await local.close();
  }
  return {
    dataDir,
    databaseUrl,
    async drop() {
      if (database) {
        const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
        await admin.connect();
        await admin.query(`drop database if exists ${database} with (force)`);
        await admin.end();
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function runChild(
  target: Target,
  flags: string[],
  seconds: number,
): { child: ChildProcess; result: Promise<WorkerResult> } {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', SELF, 'worker', JSON.stringify({ target, flags, seconds })],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const result = new Promise<WorkerResult>((resolve, reject) => {
    child.on('exit', (code) => {
      const line = output.trim().split('\n').at(-1) ?? '';
      if (code !== 0) reject(new Error(`worker exited with ${code}: ${output}`));
      else resolve(JSON.parse(line) as WorkerResult);
    });
  });
  return { child, result };
}

async function changesPerSecond(kind: 'sqlite' | 'postgres', processes: number): Promise<number> {
  const flagsPerProcess = WORKERS_PER_PROCESS;
  const target = await prepareTarget(kind, flagsPerProcess * processes);
  try {
    const groups = Array.from({ length: processes }, (_, p) =>
      Array.from({ length: flagsPerProcess }, (_, i) => `flag-${p * flagsPerProcess + i}`),
    );
    const before = await entryCount(target);
    const t = performance.now();
    const results =
      processes === 1
        ? [await toggleWorker(target, groups[0]!, SECONDS)]
        : await Promise.all(groups.map((flags) => runChild(target, flags, SECONDS).result));
    const wall = (performance.now() - t) / 1000;
    const written = (await entryCount(target)) - before;
    const changes = results.reduce((sum, r) => sum + r.changes, 0);
    const failures = results.reduce((sum, r) => sum + r.failures, 0);
    const seconds = Math.max(...results.map((r) => r.seconds));
    const rate = changes / seconds;
    const verified = await verifyTarget(target);
    const firstError = results.find((r) => r.error)?.error;
    process.stdout.write(
      `${kind}, ${processes} process${processes === 1 ? '' : 'es'} × ${WORKERS_PER_PROCESS} concurrent callers: ${fmt(rate)} governed changes/s (${fmt(changes)} changes, ${fmt(written)} entries written, ${failures} failed, ${seconds.toFixed(1)} s, wall ${wall.toFixed(1)} s); log verifies: ${verified}${firstError ? `; first failure: ${firstError}` : ''}\n`,
    );
    return rate;
  } finally {
    await target.drop();
  }
}

async function entryCount(target: Target): Promise<number> {
  const local = await openLocalContext(target);
  try {
    return await local.services.auditRepository.count(local.store.db, local.owner.org.id);
  } finally {
    await local.close();
  }
}

async function verifyTarget(target: Target): Promise<boolean> {
  const local = await openLocalContext(target);
  try {
    return (await local.services.audit.verifyLog(local.owner.org)).ok;
  } finally {
    await local.close();
  }
}

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function run(): Promise<void> {
  process.stdout.write(
    `\n# Audit benchmarks (${os.cpus().length} cores, Node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'})\n`,
  );
  if (SECTIONS.has('verify')) await verificationSpeed();
  process.stdout.write(
    `\n## Audit: governed changes per second (durable commits: SQLite WAL synchronous=FULL, PostgreSQL synchronous_commit=on), ${SECONDS} s per run\n`,
  );
  const kinds = (['sqlite', 'postgres'] as const).filter((kind) => SECTIONS.has(kind));
  for (const kind of kinds) {
    if (kind === 'postgres' && !(await postgresReachable())) {
      process.stdout.write('PostgreSQL is not reachable: skipped\n');
      continue;
    }
    for (const processes of PROCESS_COUNTS) {
      const rates: number[] = [];
      for (let repeat = 0; repeat < 3; repeat++) rates.push(await changesPerSecond(kind, processes));
      const target = kind === 'sqlite' ? 5000 : 3000;
      process.stdout.write(
        `=> ${kind}, ${processes} process(es): median ${fmt(median(rates))} changes/s (min ${fmt(Math.min(...rates))}, max ${fmt(Math.max(...rates))}); target ≥ ${fmt(target)}\n`,
      );
    }
  }
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === pathToFileURL(SELF).href) {
  if (process.argv[2] === 'worker') {
    const { target, flags, seconds } = JSON.parse(process.argv[3]!) as {
      target: Target;
      flags: string[];
      seconds: number;
    };
    const result = await toggleWorker(target, flags, seconds);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  } else {
    await run();
  }
}
