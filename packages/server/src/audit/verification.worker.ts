import { parentPort, workerData } from 'node:worker_threads';
import { readLines } from './ndjson.chunks';
import { type JobReply, type JobRequest, proveRun, type VerificationJob } from './verification.job';

// Runs in a worker thread (started by verification.thread.mjs): proves ranges of a log, reading each
// range itself, so the entry texts never pass through the main thread.

/** What the pool tells a worker at start: whether it will read a store (and should load its driver). */
export interface WorkerOptions {
  stored: boolean;
}

type StoredReader = typeof import('./stored-range.reader');
let stored: Promise<StoredReader> | undefined;
const loadStored = () => {
  stored ??= import('./stored-range.reader');
  return stored;
};

async function texts(job: VerificationJob): Promise<string[]> {
  if (job.kind === 'export') return readLines(job.file, job.range);
  const { readStoredRange } = await loadStored();
  return readStoredRange(job.source, job.orgId, job.afterSeq, job.uptoSeq);
}

const port = parentPort;
if (port) {
  if ((workerData as WorkerOptions | undefined)?.stored) await loadStored();
  // One job at a time, in arrival order.
  let queue = Promise.resolve();
  const closeConnections = async () => {
    if (stored) await (await stored).closeStoredConnections();
  };
  port.on('message', (message: JobRequest | { idle: true } | { shutdown: true }) => {
    if ('idle' in message) {
      queue = queue.then(closeConnections).catch(() => undefined);
      return;
    }
    if ('shutdown' in message) {
      queue = queue
        .then(closeConnections)
        .catch(() => undefined)
        .finally(() => process.exit(0));
      return;
    }
    const { id, job } = message;
    queue = queue.then(async () => {
      let reply: JobReply;
      try {
        reply = { id, run: proveRun(await texts(job)) };
      } catch (error) {
        reply = { id, error: error instanceof Error ? error.message : String(error) };
      }
      if ('run' in reply) port.postMessage(reply, [reply.run.leafHashes]);
      else port.postMessage(reply);
    });
  });
  // Loaded: the pool sends jobs from now on (until then the calling thread verifies ranges itself).
  port.postMessage({ ready: true });
}
