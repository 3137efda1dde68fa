import os from 'node:os';
import { setImmediate as yielding } from 'node:timers/promises';
import { type AuditChainVerifier, HASH_SIZE } from '@flagward/core';
import { isShared, proverPool } from './prover.pool';
import type { StoredRangeReader } from './stored-range.reader';
import type { ProvenRun, VerificationJob } from './verification.job';
import { proveJob } from './verification.prover';

/** How a long verification is spread over worker threads. */
export interface VerifyParallelism {
  /** Worker threads; 0 verifies on the calling thread only. */
  workers: number;
  /** Logs with fewer entries are verified on the calling thread (threads cost more than they save). */
  minEntries: number;
  /**
   * Leave every range to the workers, even while they are starting (tests use it so that a small log
   * really goes through them); by default the calling thread verifies the first ranges itself
   * meanwhile.
   */
  workersOnly?: boolean;
}

const MAX_WORKERS = 8;
const DEFAULT_MIN_ENTRIES = 20_000;
/** Entries per job: large enough to amortize a message and a query, small enough to spread the work. */
export const MAX_JOB_ENTRIES = 8_192;
const LOOKAHEAD_PER_WORKER = 4;

function count(raw: string | undefined, name: string, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  }
  return value;
}

/**
 * The parallelism of `verifyLog` and the offline verifier: `FLAGWARD_VERIFY_WORKERS` threads (default
 * the available parallelism, at most 8; 0 for none) for logs of at least `FLAGWARD_VERIFY_PARALLEL_MIN`
 * entries (default 20,000), each overridable by the caller.
 */
export function verifyParallelism(
  overrides: Partial<VerifyParallelism> = {},
  env: NodeJS.ProcessEnv = process.env,
): VerifyParallelism {
  return {
    workers:
      overrides.workers ??
      count(
        env.FLAGWARD_VERIFY_WORKERS,
        'FLAGWARD_VERIFY_WORKERS',
        Math.min(os.availableParallelism(), MAX_WORKERS),
      ),
    minEntries:
      overrides.minEntries ??
      count(env.FLAGWARD_VERIFY_PARALLEL_MIN, 'FLAGWARD_VERIFY_PARALLEL_MIN', DEFAULT_MIN_ENTRIES),
    ...(overrides.workersOnly === undefined ? {} : { workersOnly: overrides.workersOnly }),
  };
}

/** Jobs for a log of `size` entries: about four per worker, at most MAX_JOB_ENTRIES each. */
export function jobSize(size: number, workers: number): number {
  return Math.max(
    1,
    Math.min(MAX_JOB_ENTRIES, Math.ceil(size / (Math.max(1, workers) * LOOKAHEAD_PER_WORKER))),
  );
}

/** One range of the log: what a worker proves, and the same texts for the calling thread. */
export interface VerificationTask {
  job: VerificationJob;
  /** The range's entry texts in order, without the first `skip`. */
  texts(skip: number): AsyncIterable<string> | Iterable<string>;
}

/**
 * Feeds a log to `verifier` range by range, in order, exactly as `pushText` over every text would:
 * worker threads prove ranges ahead (each reading its own range), the calling thread proves the ranges
 * no worker has taken (all of them with `workers: 0`, the first ones while the workers start), links
 * each proven run to the verified log (`pushVerifiedRun`) and feeds whatever could not be proven
 * through `pushText`. Stops at the first problem.
 */
export async function feedInParallel(
  verifier: AuditChainVerifier,
  tasks: readonly VerificationTask[],
  parallelism: VerifyParallelism,
  onTask?: () => void,
): Promise<void> {
  const { workers } = parallelism;
  const runs: Array<Promise<ProvenRun> | undefined> = [];
  let next = 0;
  let consumed = 0;
  let wake: (() => void) | undefined;
  const first = tasks[0]?.job;
  const dialect = first?.kind === 'stored' ? first.source.dialect : undefined;
  const pool = workers > 0 ? proverPool(workers, { dialect }) : undefined;
  const dispatch = () => {
    wake?.();
    if (!pool) return;
    for (;;) {
      if (next >= tasks.length || next >= consumed + workers * LOOKAHEAD_PER_WORKER) return;
      const slot = pool.available();
      if (slot === undefined) return;
      const run = pool.run(slot, tasks[next]!.job);
      // Awaited in order below; until then a failure must not count as unhandled.
      run.catch(() => undefined);
      runs[next++] = run;
    }
  };
  // The calling thread's own connections, for the ranges it proves itself.
  let reader: Promise<StoredRangeReader> | undefined;
  const storedReader = () => {
    reader ??= import('./stored-range.reader').then(({ StoredRangeReader }) => new StoredRangeReader());
    return reader;
  };
  pool?.acquire(dispatch);
  try {
    for (; consumed < tasks.length; consumed++) {
      const task = tasks[consumed]!;
      // Reading a SQLite range settles in microtasks only: let the workers' messages (and, on the
      // calling thread of a server, its other work) in between ranges.
      await yielding();
      while (pool && parallelism.workersOnly && consumed >= next && !pool.failure) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
      // A worker that could not start or died is a fault of the installation, not of the log.
      if (pool?.failure) throw pool.failure;
      let run: ProvenRun;
      if (consumed < next) {
        run = await runs[consumed]!;
        runs[consumed] = undefined;
      } else {
        // No worker has taken this range (none, or they are still starting): prove it here.
        next += 1;
        run = await proveJob(task.job, storedReader);
      }
      let skip = 0;
      const leafHashes = new Uint8Array(run.leafHashes, 0, run.count * HASH_SIZE);
      const subtrees = { cuts: task.job.cuts, roots: new Uint8Array(run.roots) };
      if (run.count > 0 && verifier.pushVerifiedRun({ ...run, leafHashes, subtrees })) skip = run.count;
      if (skip === 0 || !run.complete) {
        for await (const text of task.texts(skip)) {
          if (!verifier.pushText(text)) return;
        }
      }
      onTask?.();
      dispatch();
    }
  } finally {
    pool?.release(dispatch);
    if (pool && !isShared(pool)) await pool.close();
    if (reader) await (await reader).close();
  }
}
