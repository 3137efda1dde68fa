import path from 'node:path';
import type { AuditChainVerifier } from '@flagward/core';
import type { Executor } from '../db/database';
import type { AuditRepository } from './audit.repository';
import { feedInParallel, jobSize, type VerificationTask, type VerifyParallelism } from './parallel.verifier';
import type { StoredLogSource } from './verification.job';

const PAGE = 5_000;

/** An organization's stored log up to `size`, and where worker threads can read it themselves. */
export interface StoredLog {
  db: Executor;
  repository: AuditRepository;
  orgId: string;
  size: number;
  source: StoredLogSource;
}

/** Where a worker opens its own connection to the configured store (the SQLite file of `openStore`). */
export function storedLogSource(config: {
  dataDir: string;
  databaseUrl: string | undefined;
}): StoredLogSource {
  return config.databaseUrl
    ? { dialect: 'postgres', url: config.databaseUrl }
    : { dialect: 'sqlite', file: path.join(config.dataDir, 'flagward.sqlite') };
}

/** The stored bodies with `afterSeq < seq <= uptoSeq`, in seq order, read page by page. */
async function* bodies(log: StoredLog, afterSeq: number, uptoSeq: number): AsyncGenerator<string> {
  let after = afterSeq;
  for (;;) {
    const rows = await log.repository.bodies(log.db, log.orgId, after, uptoSeq, PAGE);
    for (const row of rows) yield row.body;
    if (rows.length < PAGE) return;
    after = rows[rows.length - 1]!.seq;
  }
}

async function* skipping(texts: AsyncIterable<string>, skip: number): AsyncGenerator<string> {
  let skipped = 0;
  for await (const text of texts) {
    if (skipped < skip) skipped += 1;
    else yield text;
  }
}

/**
 * Feeds every stored body with `0 < seq <= size`, in seq order, to `verifier` (as `pushText`, stopping
 * at the first problem): text by text on the calling thread for a small log, else ranges of seqs
 * proven from their bytes by worker threads that read them from the store themselves (or by the
 * calling thread, with `workers: 0`). `onProgress` gets the entries verified so far.
 */
export async function feedStoredLog(
  verifier: AuditChainVerifier,
  log: StoredLog,
  parallelism: VerifyParallelism,
  onProgress?: (checked: number) => void,
): Promise<void> {
  if (log.size >= Math.max(1, parallelism.minEntries)) {
    const step = jobSize(log.size, parallelism.workers);
    const sizes = verifier.checkpointSizes;
    const tasks: VerificationTask[] = [];
    for (let afterSeq = 0; afterSeq < log.size; afterSeq += step) {
      const uptoSeq = Math.min(log.size, afterSeq + step);
      const cuts = sizes.filter((size) => size > afterSeq && size < uptoSeq);
      tasks.push({
        job: { kind: 'stored', source: log.source, orgId: log.orgId, afterSeq, uptoSeq, cuts },
        texts: (skip) => skipping(bodies(log, afterSeq, uptoSeq), skip),
      });
    }
    await feedInParallel(verifier, tasks, parallelism, () => onProgress?.(verifier.size));
    return;
  }
  let afterSeq = 0;
  for (;;) {
    const rows = await log.repository.bodies(log.db, log.orgId, afterSeq, log.size, PAGE);
    for (const row of rows) {
      // push(JSON.parse(body)), hashing the stored canonical text directly when it provably is.
      if (!verifier.pushText(row.body)) return;
    }
    if (rows.length < PAGE) return;
    afterSeq = rows[rows.length - 1]!.seq;
    onProgress?.(verifier.size);
  }
}
