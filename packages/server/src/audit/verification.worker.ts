import { parentPort, workerData } from 'node:worker_threads';
import type { StoredRangeReader } from './stored-range.reader';
import type { JobReply, JobRequest } from './verification.job';
import { proveJob } from './verification.prover';

// Runs in a worker thread (started by verification.thread.mjs): proves ranges of a log, reading each
// range itself, so the entry texts never pass through the main thread.

/** What the pool tells a worker at start: the store it will read, if any (to load its driver early). */
export interface WorkerOptions {
  dialect?: 'sqlite' | 'postgres' | undefined;
}

let stored: Promise<StoredRangeReader> | undefined;
const storedReader = () => {
  stored ??= import('./stored-range.reader').then(({ StoredRangeReader }) => new StoredRangeReader());
  return stored;
};

const port = parentPort;
if (port) {
  if ((workerData as WorkerOptions | undefined)?.dialect) await storedReader();
  // One job at a time, in arrival order.
  let queue = Promise.resolve();
  const closeConnections = async () => {
    if (stored) await (await stored).close();
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
        reply = { id, run: await proveJob(job, storedReader) };
      } catch (error) {
        reply = { id, error: error instanceof Error ? error.message : String(error) };
      }
      if ('run' in reply) port.postMessage(reply, [reply.run.leafHashes, reply.run.roots]);
      else port.postMessage(reply);
    });
  });
  // Loaded: the pool sends jobs from now on (until then the calling thread verifies ranges itself).
  port.postMessage({ ready: true });
}
