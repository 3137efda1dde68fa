/**
 * Audit benchmarks (docs/performance.md, "Audit"):
 * 1. verification speed as the product runs it, over a log of 1,000,000 entries (~750 bytes each):
 *    verifyLog over a SQLite store and the offline verifier over its complete export, with worker
 *    threads and on one thread, beside this machine's raw SHA-256 speed over the same bytes (one
 *    thread and as many threads as the verification uses);
 * 2. governed changes per second end to end in the service layer (a flag toggled on and off: plan,
 *    authorize, apply, audit append, durable commit), one process and four processes, on SQLite and
 *    on PostgreSQL.
 *
 * Run through the harness (`npm run bench`) or alone: `node --import tsx bench/audit.bench.ts`.
 * Options through the environment: FLAGWARD_BENCH_AUDIT_ENTRIES (default 1000000),
 * FLAGWARD_BENCH_AUDIT_SECONDS (default 10 per throughput run), FLAGWARD_BENCH_AUDIT_WARM_UP_SECONDS
 * (default 2, the same load before each timed run), FLAGWARD_BENCH_AUDIT_SECTIONS (a comma list
 * of verify, sqlite, postgres; default all), FLAGWARD_BENCH_AUDIT_PROCESSES (default "1,4"),
 * FLAGWARD_TEST_POSTGRES_URL.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash, hash } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AuditChainVerifier } from '@flagward/core';
import pg from 'pg';
import { createServer } from '../packages/server/src/app/server';
import type { UnsealedEntry } from '../packages/server/src/audit/audit.appender';
import { entryLines, readLines, readRange, splitAtLines } from '../packages/server/src/audit/ndjson.chunks';
import { verifyExportOffline } from '../packages/server/src/audit/offline.verifier';
import { MAX_JOB_ENTRIES, verifyParallelism } from '../packages/server/src/audit/parallel.verifier';
import { proveEntryBytes } from '../packages/server/src/audit/verification.job';
import { openLocalContext } from '../packages/server/src/cli/local.context';

const ENTRIES = Number(process.env.FLAGWARD_BENCH_AUDIT_ENTRIES ?? 1_000_000);
const SECONDS = Number(process.env.FLAGWARD_BENCH_AUDIT_SECONDS ?? 10);
const WARM_UP_SECONDS = Number(process.env.FLAGWARD_BENCH_AUDIT_WARM_UP_SECONDS ?? 2);
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

/** Realistic entries as the server writes them for a release (rollout changes by a member). */
function* releaseEntries(count: number): Generator<UnsealedEntry> {
  const start = Date.parse('2026-01-01T00:00:00.000Z');
  for (let seq = 1; seq <= count; seq++) {
    const from = (seq * 5) % 100;
    const flag = `checkout-v${seq % 17}`;
    const environment = seq % 3 === 0 ? 'production' : 'staging';
    yield {
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
    };
  }
}

function loadAverage(): string {
  return os.loadavg()[0]!.toFixed(1);
}

interface Measured {
  rates: number[];
  /** CPU time of the whole process (every thread) per entry, in µs, averaged over the 3 runs. */
  cpu: number;
  /** The 1-minute load average after the last run. */
  load: string;
}

type Verify = () => Promise<{ ok: boolean; size: number }>;

/**
 * Runs each of `verifies` 3 times, interleaved (the load of a shared machine drifts); each result
 * must be ok and cover `size` entries.
 */
async function timeRuns(size: number, ...verifies: Verify[]): Promise<Measured[]> {
  const measured = verifies.map(() => ({ rates: [] as number[], cpu: 0, load: '' }));
  for (let run = 0; run < 3; run++) {
    for (const [index, verify] of verifies.entries()) {
      const t = performance.now();
      const cpu = process.cpuUsage();
      const result = await verify();
      const seconds = (performance.now() - t) / 1000;
      const used = process.cpuUsage(cpu);
      if (!result.ok || result.size !== size)
        throw new Error(`the log did not verify: ${JSON.stringify(result)}`);
      const m = measured[index]!;
      m.rates.push(size / seconds);
      m.cpu += (used.user + used.system) / (3 * size);
      m.load = loadAverage();
    }
  }
  return measured;
}

function summary({ rates, cpu, load }: Measured): string {
  return `median ${fmt(median(rates))} entries/s (runs ${rates.map(fmt).join(', ')}; ${cpu.toFixed(1)} µs CPU per entry; load ${load})`;
}

/**
 * Verification as the product runs it: `verifyLog` (the API and `flagward audit verify`) over a
 * SQLite store holding ENTRIES entries, and the offline verifier (`flagward audit verify --file`) over
 * the complete export of that log, each on one thread and with worker threads, beside the raw
 * single-thread SHA-256 speed over the same bytes.
 */
async function verificationSpeed(): Promise<void> {
  const parallel = verifyParallelism();
  process.stdout.write(
    `\n## Audit: verification of ${fmt(ENTRIES)} entries (${parallel.workers} worker threads; load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')})\n`,
  );
  const t = performance.now();
  const target = await prepareTarget('sqlite', 0);
  const dir = target.dataDir;
  const files = {
    file: path.join(dir, 'export.ndjson'),
    checkpoint: path.join(dir, 'checkpoint.txt'),
    key: path.join(dir, 'vkey.txt'),
  };
  const local = await openLocalContext(target);
  let size: number;
  try {
    const { store, services, owner } = local;
    let batch: UnsealedEntry[] = [];
    const flush = async () => {
      const entries = batch;
      batch = [];
      await store.db
        .transaction()
        .execute((tx) => services.auditRepository.appendSealed(tx, owner.org.id, entries));
    };
    for (const entry of releaseEntries(ENTRIES)) {
      batch.push(entry);
      if (batch.length === 5_000) await flush();
    }
    await flush();
    const exported = await services.audit.export(owner, {}, 'ndjson');
    const out = fs.createWriteStream(files.file);
    for await (const chunk of exported.chunks) if (!out.write(chunk)) await once(out, 'drain');
    out.end();
    await once(out, 'finish');
    size = exported.checkpointSize;
    fs.writeFileSync(files.checkpoint, await services.checkpoints.note(owner, size));
    fs.writeFileSync(files.key, services.checkpoints.publicKey);
  } finally {
    await local.close();
  }
  const bytes = fs.statSync(files.file).size;
  const stored = ['flagward.sqlite', 'flagward.sqlite-wal']
    .map((name) => path.join(dir, name))
    .filter((file) => fs.existsSync(file))
    .reduce((sum, file) => sum + fs.statSync(file).size, 0);
  process.stdout.write(
    `stored and exported in ${((performance.now() - t) / 1000).toFixed(1)} s: ${fmt(size)} entries, ${fmt(bytes / size)} bytes per line on average, ${fmt(stored / size)} bytes per entry in the SQLite store\n`,
  );

  const offline = (workers: number) => async () => {
    const result = await verifyExportOffline(files, undefined, { workers });
    return { ok: result.ok, size: result.checked };
  };
  const [offlineParallel, offlineSequential] = (await timeRuns(
    size,
    offline(parallel.workers),
    offline(0),
  )) as [Measured, Measured];
  const online = (workers: number) => async () => {
    const context = await openLocalContext(target);
    try {
      return await context.services.audit.verifyLog(context.owner.org, undefined, { workers });
    } finally {
      await context.close();
    }
  };
  const [onlineParallel, onlineSequential] = (await timeRuns(size, online(parallel.workers), online(0))) as [
    Measured,
    Measured,
  ];

  const lines = splitAtLines(files.file, 64 * 1024 * 1024).flatMap((range) => readLines(files.file, range));
  const [inMemory] = (await timeRuns(size, async () => {
    const verifier = new AuditChainVerifier();
    for (const line of lines) if (!verifier.pushText(line)) break;
    return verifier.result();
  })) as [Measured];
  // What a prover does per range (ADR 0012) over the export's bytes held in memory, one thread.
  const ranges = splitAtLines(files.file, MAX_JOB_ENTRIES * 768).map((range) =>
    entryLines(readRange(files.file, range)),
  );
  const [bytesInMemory] = (await timeRuns(size, async () => {
    const verifier = new AuditChainVerifier({ checkpointSizes: [size] });
    for (const entries of ranges) {
      const run = proveEntryBytes(entries, verifier.checkpointSizes);
      const leafHashes = new Uint8Array(run.leafHashes, 0, run.count * 32);
      const subtrees = { cuts: verifier.checkpointSizes, roots: new Uint8Array(run.roots) };
      if (!run.complete || !verifier.pushVerifiedRun({ ...run, leafHashes, subtrees })) break;
    }
    return verifier.result();
  })) as [Measured];
  const buffers = lines.map((line) => Buffer.from(line));
  const sha = {
    createHash: shaRuns(buffers.length, () => {
      for (const buffer of buffers) createHash('sha256').update(buffer).digest();
    }),
    oneShot: shaRuns(buffers.length, () => {
      for (const buffer of buffers) hash('sha256', buffer, 'hex');
    }),
    threads: [] as number[],
  };
  for (let run = 0; run < 3; run++) sha.threads.push(await shaInThreads(buffers, parallel.workers));
  await target.drop();
  const limit = median(sha.oneShot);
  const share = ({ rates }: Measured) =>
    `${((median(rates) / limit) * 100).toFixed(0)}% of one-thread SHA-256`;
  const rows: Array<[string, Measured, string]> = [
    [`verifyLog, SQLite, ${parallel.workers} worker threads`, onlineParallel, 'target ≥ 300,000'],
    ['verifyLog, SQLite, one thread', onlineSequential, ''],
    [`offline verifier (--file), ${parallel.workers} worker threads`, offlineParallel, 'target ≥ 300,000'],
    ['offline verifier (--file), one thread', offlineSequential, ''],
    ['AuditChainVerifier.pushText over lines in memory, one thread', inMemory, ''],
    ['proveEntryBytes + pushVerifiedRun over the bytes in memory, one thread', bytesInMemory, ''],
  ];
  for (const [label, measured, note] of rows) {
    process.stdout.write(`${label}: ${summary(measured)}, ${share(measured)}${note ? `; ${note}` : ''}\n`);
  }
  const shaLine = (label: string, rates: number[]) =>
    `${label}: median ${fmt(median(rates))} entries/s = ${fmt((median(rates) * bytes) / size / 1e6)} MB/s (min ${fmt(Math.min(...rates))}, max ${fmt(Math.max(...rates))})\n`;
  process.stdout.write(
    shaLine("raw SHA-256 of the same bytes, createHash('sha256') per entry, one thread", sha.createHash),
  );
  process.stdout.write(
    shaLine("raw SHA-256 of the same bytes, crypto.hash('sha256') per entry, one thread", sha.oneShot),
  );
  process.stdout.write(
    shaLine(
      `raw SHA-256 of the same bytes, crypto.hash per entry, ${parallel.workers} threads together`,
      sha.threads,
    ),
  );
  process.stdout.write(
    `load average at the end: ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}\n`,
  );
}

/** Entries per second of `hashAll` (one pass over `count` entries), 3 runs. */
function shaRuns(count: number, hashAll: () => void): number[] {
  const rates: number[] = [];
  for (let run = 0; run < 3; run++) {
    const t = performance.now();
    hashAll();
    rates.push(count / ((performance.now() - t) / 1000));
  }
  return rates;
}

// A worker that hashes its share of the entries (crypto.hash, one per entry) once told to start.
const SHA_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { hash } = require('node:crypto');
const { bytes, offsets, from, to } = workerData;
const data = new Uint8Array(bytes);
const at = new Float64Array(offsets);
parentPort.once('message', () => {
  for (let i = from; i < to; i++) hash('sha256', data.subarray(at[i], at[i + 1]), 'hex');
  parentPort.postMessage('done');
});
parentPort.postMessage('ready');
`;

/** Entries per second of `threads` threads hashing the entries together, each its share. */
async function shaInThreads(buffers: Buffer[], threads: number): Promise<number> {
  const total = buffers.reduce((sum, buffer) => sum + buffer.length, 0);
  const bytes = new SharedArrayBuffer(total);
  const offsets = new SharedArrayBuffer((buffers.length + 1) * 8);
  const data = new Uint8Array(bytes);
  const at = new Float64Array(offsets);
  let offset = 0;
  buffers.forEach((buffer, i) => {
    at[i] = offset;
    data.set(buffer, offset);
    offset += buffer.length;
  });
  at[buffers.length] = offset;
  const count = Math.max(1, threads);
  const share = Math.ceil(buffers.length / count);
  const workers = Array.from(
    { length: count },
    (_, i) =>
      new Worker(SHA_WORKER, {
        eval: true,
        workerData: { bytes, offsets, from: i * share, to: Math.min(buffers.length, (i + 1) * share) },
      }),
  );
  await Promise.all(workers.map((worker) => once(worker, 'message')));
  const t = performance.now();
  const done = workers.map((worker) => once(worker, 'message'));
  for (const worker of workers) worker.postMessage('start');
  await Promise.all(done);
  const seconds = (performance.now() - t) / 1000;
  await Promise.all(workers.map((worker) => worker.terminate()));
  return buffers.length / seconds;
}

interface Target {
  dataDir: string;
  databaseUrl: string | undefined;
}

interface WorkerResult {
  changes: number;
  /** Changes made while warming up, before the clock started. */
  warmUpChanges: number;
  /** Transactions (group commits) those changes took. */
  batches: number;
  failures: number;
  seconds: number;
  /** The first failure's message, if any. */
  error?: string;
}

/**
 * Toggles `flags` on and off in development for `seconds`, WORKERS_PER_PROCESS at a time, after
 * WARM_UP_SECONDS of the same load (a server process has its code compiled and its statements
 * prepared long before). `ready` resolves once the process is warm and is awaited before the clock
 * starts, so that processes started one after the other measure the same span (not each other's
 * start-up or warm-up).
 */
async function toggleWorker(
  target: Target,
  flags: string[],
  seconds: number,
  ready: () => Promise<void> = async () => undefined,
): Promise<WorkerResult> {
  const local = await openLocalContext({ dataDir: target.dataDir, databaseUrl: target.databaseUrl });
  try {
    const { services, owner } = local;
    const on = flags.map(() => true);
    let sent = 0;
    const toggleFor = async (span: number) => {
      let changes = 0;
      let failures = 0;
      let error: string | undefined;
      const deadline = performance.now() + span * 1000;
      await Promise.all(
        flags.map(async (flag, index) => {
          while (performance.now() < deadline) {
            try {
              await services.configurations.patch(
                owner,
                { project: 'bench', flag, env: 'development' },
                { on: on[index]! },
                { requestId: `bench-${index}-${sent++}` },
              );
              changes += 1;
            } catch (failure) {
              failures += 1;
              error ??= failure instanceof Error ? failure.message : String(failure);
            }
            on[index] = !on[index];
          }
        }),
      );
      return { changes, failures, error };
    };
    const warmUp = await toggleFor(WARM_UP_SECONDS);
    await ready();
    const batchesBefore = services.commits.stats().batches;
    const start = performance.now();
    const { changes, failures, error } = await toggleFor(seconds);
    const batches = services.commits.stats().batches - batchesBefore;
    return {
      changes,
      warmUpChanges: warmUp.changes,
      batches,
      failures: failures + warmUp.failures,
      seconds: (performance.now() - start) / 1000,
      ...((error ?? warmUp.error) ? { error: error ?? warmUp.error } : {}),
    };
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

interface Child {
  /** Resolves when the child is set up and waits for `start`. */
  ready: Promise<void>;
  start(): void;
  result: Promise<WorkerResult>;
}

function runChild(target: Target, flags: string[], seconds: number): Child {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', SELF, 'worker', JSON.stringify({ target, flags, seconds })],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let output = '';
  let signalReady!: () => void;
  const ready = new Promise<void>((resolve) => (signalReady = resolve));
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (output.includes('ready\n')) signalReady();
  });
  const result = new Promise<WorkerResult>((resolve, reject) => {
    child.on('exit', (code) => {
      const line = output.trim().split('\n').at(-1) ?? '';
      if (code !== 0) reject(new Error(`worker exited with ${code}: ${output}`));
      else resolve(JSON.parse(line) as WorkerResult);
    });
  });
  return { ready, start: () => child.stdin?.end('start\n'), result };
}

/** Starts the children's timed runs together, once every one of them is ready. */
async function runChildren(children: Child[]): Promise<WorkerResult[]> {
  await Promise.all(children.map((c) => c.ready));
  for (const c of children) c.start();
  return Promise.all(children.map((c) => c.result));
}

async function changesPerSecond(kind: 'sqlite' | 'postgres', processes: number): Promise<number> {
  const flagsPerProcess = WORKERS_PER_PROCESS;
  const target = await prepareTarget(kind, flagsPerProcess * processes);
  try {
    const groups = Array.from({ length: processes }, (_, p) =>
      Array.from({ length: flagsPerProcess }, (_, i) => `flag-${p * flagsPerProcess + i}`),
    );
    const before = await entryCount(target);
    // The previous run's writes are flushed to disk now, not during this run's commits.
    spawnSync('sync');
    const t = performance.now();
    // Each process is a child, also when there is one: the harness's own heap (the verification
    // benchmark's) is not a server's.
    const results = await runChildren(groups.map((flags) => runChild(target, flags, SECONDS)));
    const wall = (performance.now() - t) / 1000;
    const written = (await entryCount(target)) - before;
    const changes = results.reduce((sum, r) => sum + r.changes, 0);
    const warmUp = results.reduce((sum, r) => sum + r.warmUpChanges, 0);
    const failures = results.reduce((sum, r) => sum + r.failures, 0);
    const batches = results.reduce((sum, r) => sum + r.batches, 0);
    const seconds = Math.max(...results.map((r) => r.seconds));
    const rate = changes / seconds;
    const verified = await verifyTarget(target);
    const firstError = results.find((r) => r.error)?.error;
    process.stdout.write(
      `${kind}, ${processes} process${processes === 1 ? '' : 'es'} × ${WORKERS_PER_PROCESS} concurrent callers: ${fmt(rate)} governed changes/s (${fmt(changes)} changes in ${fmt(batches)} transactions after ${fmt(warmUp)} to warm up, ${fmt(written)} entries written in all, ${failures} failed, ${seconds.toFixed(1)} s, wall ${wall.toFixed(1)} s); log verifies: ${verified}${firstError ? `; first failure: ${firstError}` : ''}\n`,
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
    const result = await toggleWorker(target, flags, seconds, async () => {
      process.stdout.write('ready\n');
      await once(process.stdin, 'data');
    });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  } else {
    await run();
  }
}
