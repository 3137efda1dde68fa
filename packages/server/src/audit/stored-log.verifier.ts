import path from 'node:path';
import { type AuditChainVerifier, bytesToBase64, verifyCheckpoint } from '@flagward/core';
import type { Executor } from '../db/database';
import type { OrgRef } from '../governance/principal';
import type { AuditRepository, CheckpointRow } from './audit.repository';
import { auditOrigin } from './audit.signer';
import type { AuditVerifyResult } from './audit.types';
import type { AuditHead } from './entry-append.repository';
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

type Problem = Pick<AuditVerifyResult, 'firstBadSeq' | 'problem' | 'message'>;

/** What a stored log fed to a verifier must agree with: its head and its signed checkpoints. */
export interface StoredLogRecord {
  org: OrgRef;
  head: AuditHead;
  checkpoints: readonly CheckpointRow[];
  /** The verifier key (vkey) of the checkpoints. */
  publicKey: string;
}

/**
 * The verdict on a stored log once `verifier` has been fed it (see feedStoredLog): the first problem
 * of its chain and tree, a log that ends before its head or whose tree does not have the head's root,
 * and every checkpoint that is not signed with the key, not the record it is stored as, or not a root
 * of the recomputed tree.
 */
export function storedLogVerdict(verifier: AuditChainVerifier, record: StoredLogRecord): AuditVerifyResult {
  const { head } = record;
  let failure: Problem | undefined;
  const chain = verifier.result();
  if (!chain.ok) {
    failure = { firstBadSeq: chain.firstBadSeq, problem: chain.problem, message: chain.message };
  } else if (verifier.size < head.seq) {
    failure = {
      firstBadSeq: verifier.size + 1,
      problem: 'log-truncated',
      message: `the log head records ${head.seq} entries but the log ends at seq ${verifier.size}: seq ${verifier.size + 1}…${head.seq} were removed`,
    };
  } else if (chain.root !== bytesToBase64(head.frontier.root())) {
    failure = {
      problem: 'head-mismatch',
      message: 'the recomputed tree does not have the root recorded in the log head',
    };
  }
  let checked = 0;
  for (const row of record.checkpoints) {
    const problem = checkpointProblem(record, row, verifier);
    if (problem) failure ??= problem;
    else checked += 1;
  }
  const result = verifier.result();
  return {
    ok: failure === undefined,
    size: result.size,
    root: result.root,
    checkedCheckpoints: checked,
    ...(failure?.firstBadSeq === undefined ? {} : { firstBadSeq: failure.firstBadSeq }),
    ...(failure?.problem === undefined ? {} : { problem: failure.problem }),
    ...(failure?.message === undefined ? {} : { message: failure.message }),
  };
}

function checkpointProblem(
  record: StoredLogRecord,
  row: CheckpointRow,
  verifier: AuditChainVerifier,
): Problem | undefined {
  const signed = verifyCheckpoint(row.note, record.publicKey);
  if (!signed.ok) {
    return {
      problem: signed.failure === 'malformed-note' ? 'checkpoint-malformed' : 'checkpoint-signature-invalid',
      message: `checkpoint of size ${row.size}: ${signed.message}`,
    };
  }
  const { checkpoint } = signed;
  if (
    checkpoint.origin !== auditOrigin(record.org.key) ||
    checkpoint.size !== row.size ||
    bytesToBase64(checkpoint.rootHash) !== row.root
  ) {
    return {
      problem: 'checkpoint-mismatch',
      message: `checkpoint of size ${row.size}: the signed note (origin ${checkpoint.origin}, size ${checkpoint.size}) does not match its record`,
    };
  }
  const check = verifier.checkCheckpoint({ size: checkpoint.size, rootHash: checkpoint.rootHash });
  if (check.ok) return undefined;
  return {
    ...(check.firstBadSeq === undefined ? {} : { firstBadSeq: check.firstBadSeq }),
    problem: check.problem,
    message: check.message,
  };
}
