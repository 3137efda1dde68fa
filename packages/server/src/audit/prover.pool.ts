import { Worker } from 'node:worker_threads';
import type { JobReply, ProvenRun, VerificationJob } from './verification.job';
import type { WorkerOptions } from './verification.worker';

/** Jobs sent to one worker and not answered yet: enough to keep it busy while its reply travels. */
const JOBS_PER_WORKER = 2;
/** A pool nobody uses for this long is shut down (starting workers costs about half a second each). */
const IDLE_MS = 60_000;

/** How long a worker may take to finish its jobs and exit when the pool shuts down. */
const SHUTDOWN_MS = 10_000;

const THREAD = new URL('./verification.thread.mjs', import.meta.url);

interface Pending {
  slot: number;
  resolve(run: ProvenRun): void;
  reject(error: Error): void;
}

/**
 * Worker threads that prove verification jobs (verification.worker.ts), each available once it has
 * loaded. Kept between verifications of the same process for a while, so that repeated verifications
 * (the API's) do not pay for starting threads each time; idle, it does not keep the process alive.
 */
export class ProverPool {
  readonly #workers: Array<{ worker: Worker; ready: boolean; busy: number; exited: Promise<unknown> }> = [];
  readonly #pending = new Map<number, Pending>();
  readonly #listeners = new Set<() => void>();
  #nextId = 0;
  #failure: Error | undefined;
  #idle: NodeJS.Timeout | undefined;

  constructor(
    readonly size: number,
    options: WorkerOptions,
  ) {
    for (let slot = 0; slot < size; slot++) {
      const worker = new Worker(THREAD, { workerData: options });
      const entry = {
        worker,
        ready: false,
        busy: 0,
        exited: new Promise((resolve) => worker.once('exit', resolve)),
      };
      this.#workers.push(entry);
      worker.on('message', (reply: JobReply | { ready: true }) => {
        if ('ready' in reply) {
          entry.ready = true;
          this.#notify();
          return;
        }
        const pending = this.#pending.get(reply.id);
        if (!pending) return;
        this.#pending.delete(reply.id);
        entry.busy -= 1;
        if ('run' in reply) pending.resolve(reply.run);
        else pending.reject(new Error(`audit verification worker: ${reply.error}`));
        this.#notify();
      });
      worker.on('error', (error) => this.#fail(error));
      worker.on('exit', (code) => this.#fail(new Error(`an audit verification worker exited (${code})`)));
    }
  }

  /** Why the pool stopped working, if it did (a worker failed to start or died). */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /** Starts using the pool; `onAvailable` is called whenever a worker may take a job. */
  acquire(onAvailable: () => void): void {
    clearTimeout(this.#idle);
    this.#idle = undefined;
    if (this.#listeners.size === 0) for (const { worker } of this.#workers) worker.ref();
    this.#listeners.add(onAvailable);
  }

  /** Stops using the pool; the last user leaves it idle (shut down after a while). */
  release(onAvailable: () => void): void {
    this.#listeners.delete(onAvailable);
    if (this.#listeners.size > 0) return;
    for (const { worker } of this.#workers) {
      worker.postMessage({ idle: true });
      worker.unref();
    }
    this.#idle = setTimeout(() => void this.close(), IDLE_MS);
    this.#idle.unref();
  }

  get idle(): boolean {
    return this.#listeners.size === 0;
  }

  /** A worker that can take one more job now, if any. */
  available(): number | undefined {
    if (this.#failure) return undefined;
    let best: number | undefined;
    this.#workers.forEach((entry, slot) => {
      if (!entry.ready || entry.busy >= JOBS_PER_WORKER) return;
      if (best === undefined || entry.busy < this.#workers[best]!.busy) best = slot;
    });
    return best;
  }

  run(slot: number, job: VerificationJob): Promise<ProvenRun> {
    const id = this.#nextId++;
    const entry = this.#workers[slot]!;
    entry.busy += 1;
    const result = new Promise<ProvenRun>((resolve, reject) => {
      this.#pending.set(id, { slot, resolve, reject });
    });
    entry.worker.postMessage({ id, job });
    return result;
  }

  /**
   * Shuts the workers down: each finishes its jobs, closes its connections and exits (terminating a
   * thread in the middle of a database driver's native call is not safe); one that does not exit
   * within a few seconds is terminated.
   */
  async close(): Promise<void> {
    clearTimeout(this.#idle);
    this.#failure ??= new Error('the audit verification workers were shut down');
    await Promise.all(
      this.#workers.map(async ({ worker, exited }) => {
        worker.postMessage({ shutdown: true });
        const stuck = setTimeout(() => void worker.terminate(), SHUTDOWN_MS);
        await exited;
        clearTimeout(stuck);
      }),
    );
  }

  #notify(): void {
    for (const listener of this.#listeners) listener();
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const pending of this.#pending.values()) pending.reject(this.#failure);
    this.#pending.clear();
    this.#notify();
  }
}

let shared: ProverPool | undefined;

/** The process's pool of `size` workers: the one kept from earlier verifications when it fits. */
export function proverPool(size: number, options: WorkerOptions): ProverPool {
  if (shared && !shared.failure && shared.size === size) return shared;
  if (shared?.idle) void shared.close();
  const pool = new ProverPool(size, options);
  // A pool of another size while the shared one is busy serves only its caller.
  if (!shared || shared.idle || shared.failure) shared = pool;
  return pool;
}

/** Whether `pool` is kept for later verifications (otherwise its user shuts it down). */
export function isShared(pool: ProverPool): boolean {
  return pool === shared;
}
