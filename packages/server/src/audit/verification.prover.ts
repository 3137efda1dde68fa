import { entryLines, readRange } from './ndjson.chunks';
import type { StoredRangeReader } from './stored-range.reader';
import { type ProvenRun, proveEntryBytes, proveTexts, type VerificationJob } from './verification.job';

/** A range nothing could be proven of: the main thread verifies all of it. */
function unproven(): ProvenRun {
  // Two buffers: both are transferred, and a transfer list must not name one twice.
  const [leafHashes, roots] = [new ArrayBuffer(0), new ArrayBuffer(0)];
  return { complete: false, count: 0, firstSeq: 0, firstPrevHash: '', leafHashes, roots };
}

/**
 * Reads a job's range (the export's bytes, or the store's through `stored`, which the caller owns)
 * and proves it: what a worker thread does with each job, and the calling thread with the ranges it
 * takes itself.
 */
export async function proveJob(
  job: VerificationJob,
  stored: () => Promise<StoredRangeReader>,
): Promise<ProvenRun> {
  if (job.kind === 'export') return proveEntryBytes(entryLines(readRange(job.file, job.range)), job.cuts);
  const reader = await stored();
  const entries = await reader.entries(job.source, job.orgId, job.afterSeq, job.uptoSeq);
  if (entries === undefined) return unproven();
  return Array.isArray(entries) ? proveTexts(entries, job.cuts) : proveEntryBytes(entries, job.cuts);
}
