import { sql } from 'kysely';
import type { Db, DialectName, Tx } from '../db/database';
import {
  beginWriteSql,
  busyTimeoutSql,
  isLockTimeout,
  plansAheadOfWriteLock,
  SQLITE_BUSY_TIMEOUT_MS,
} from '../db/dialect';
import {
  bindTransactionScope,
  StaleRead,
  TransactionScope,
  unbindTransactionScope,
} from '../db/transaction.scope';
import {
  changeHandle,
  concurrentGroups,
  isDatabaseError,
  isLockConflict,
  MAX_CONFLICT_RERUNS,
} from './batch.changes';

type Work = (tx: Tx) => Promise<unknown>;

/** How long a batch keeps trying to get SQLite's write lock before its changes fail. */
const BEGIN_PATIENCE_MS = 60_000;

/** How a change may share a batch (see ChangeTransactions.run). */
export interface BatchOptions {
  lane?: string | undefined;
  /**
   * The change writes only through the transaction scope and notes what it read (`scope.expect`), so
   * on SQLite it may be planned before the batch takes the write lock. Only with a lane.
   */
  readsAhead?: boolean | undefined;
}

interface Pending {
  work: Work;
  lane: string | undefined;
  readsAhead: boolean;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Runs changes in write transactions (what GovernedChanges is given). */
export interface ChangeTransactions {
  /**
   * Runs `work` in a write transaction (possibly shared with other changes) and resolves after COMMIT.
   * Works of different lanes may run at the same time in one transaction; works of one lane, and
   * works without a lane, never run beside another work of theirs.
   */
  run<T>(work: (tx: Tx) => Promise<T>, options?: BatchOptions): Promise<T>;
}

/**
 * Group commit for the governed-change path. Every durable commit costs a disk flush, and every change
 * of an organization serializes on its audit head, so one change per transaction caps the log at a
 * few hundred changes per second. Changes that arrive while a commit is in progress are run together
 * in the next transaction: a change that fails is rolled back alone (left out when it wrote nothing,
 * otherwise to its SAVEPOINT; see `commit`), and the others still commit. Each change and its audit
 * entry therefore still commit together or not at all (DESIGN §6); a batch that fails to commit fails
 * every change in it. With one change waiting there is no savepoint and no added latency.
 *
 * Changes that name a **lane** (e.g. the flag whose configuration they change) run at the same time
 * when their lanes differ: on PostgreSQL their statements are pipelined on the transaction's
 * connection, so a batch costs a few round trips instead of a few per change. A change without a
 * lane runs alone, between the others, in arrival order.
 */
export class CommitBatcher implements ChangeTransactions {
  private readonly queue: Pending[] = [];
  private running = false;
  private batches = 0;
  private changes = 0;

  constructor(
    private readonly db: Db,
    private readonly dialect: DialectName,
    /**
     * Starts reads that nearly every change of a batch makes (the IAM version), in the same flight as
     * the changes' first statements; not awaited, so it must remember its result in the scope.
     */
    private readonly prefetch: (tx: Tx) => Promise<unknown> = async () => undefined,
    private readonly maxBatch = 200,
  ) {}

  run<T>(work: (tx: Tx) => Promise<T>, options: BatchOptions = {}): Promise<T> {
    const { lane } = options;
    const readsAhead = lane !== undefined && options.readsAhead === true;
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, lane, readsAhead, resolve: resolve as (value: unknown) => void, reject });
      if (!this.running) void this.drain();
    });
  }

  /** Batches committed and changes in them since start, and changes waiting (for benchmarks and metrics). */
  stats(): { batches: number; changes: number; queued: number } {
    return { batches: this.batches, changes: this.changes, queued: this.queue.length };
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        await this.commit(this.queue.splice(0, this.maxBatch));
        // The callers just answered usually send their next change at once: one turn of the event loop
        // lets them join the next batch instead of leaving it to whoever came back first.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      this.running = false;
    }
  }

  /**
   * Opens the write transaction. Nothing has run yet, so when another process holds SQLite's write lock
   * trying again is safe. SQLite's own busy handler sleeps ever longer (up to 100 ms) between tries and
   * does not queue waiters, so a process waiting behind another one's batch would mostly sleep while
   * the lock is free: the batcher polls every millisecond or two instead.
   */
  private async begin(connection: Db): Promise<void> {
    const deadline = Date.now() + BEGIN_PATIENCE_MS;
    const polling = busyTimeoutSql(this.dialect, 0);
    if (polling) await sql.raw(polling).execute(connection);
    try {
      for (;;) {
        try {
          await sql.raw(beginWriteSql(this.dialect)).execute(connection);
          return;
        } catch (error) {
          if (!isLockTimeout(error) || Date.now() > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, 1 + Math.random()));
        }
      }
    } finally {
      const waiting = busyTimeoutSql(this.dialect, SQLITE_BUSY_TIMEOUT_MS);
      if (waiting) await sql.raw(waiting).execute(connection);
    }
  }

  /** Whether a statement can still run in the transaction (PostgreSQL refuses all after a failed one). */
  private async usable(connection: Db): Promise<boolean> {
    if (this.dialect !== 'postgres') return true;
    try {
      await sql.raw('select 1').execute(connection);
      return true;
    } catch {
      return false;
    }
  }

  private async openSavepoint(connection: Db, savepoint: string, toRelease: string | undefined) {
    if (toRelease && this.dialect === 'postgres') {
      // Without parameters, pg sends this as one simple query holding both statements.
      await sql.raw(`release savepoint ${toRelease}; savepoint ${savepoint}`).execute(connection);
      return;
    }
    if (toRelease) await sql.raw(`release savepoint ${toRelease}`).execute(connection);
    await sql.raw(`savepoint ${savepoint}`).execute(connection);
  }

  /**
   * Commits a batch. A batch first runs without savepoints (each costs a statement, and a round trip
   * on PostgreSQL), its changes of different lanes side by side: a change that fails without having
   * written a row or set state in the transaction's scope, and without a database error, is simply
   * left out. Only when a failed change had written, or the database failed, is the batch rolled back
   * and run again, one change after the other, with a savepoint per change.
   */
  private async commit(batch: Pending[]): Promise<void> {
    const optimistic = batch.length > 1;
    const ahead = optimistic && plansAheadOfWriteLock(this.dialect) && batch.every((p) => p.readsAhead);
    let attempt = await this.attempt(batch, ahead ? 'ahead' : optimistic ? 'optimistic' : 'savepoints');
    if (attempt === 'retry' && ahead) attempt = await this.attempt(batch, 'optimistic');
    if (attempt === 'retry') attempt = await this.attempt(batch, 'savepoints');
    // PostgreSQL broke a lock cycle with another process's transaction by aborting this one: nothing of
    // it was committed, so it runs again (a cycle needs two processes changing the same flags at once).
    for (
      let again = 0;
      again < MAX_CONFLICT_RERUNS && attempt !== 'retry' && isLockConflict(attempt.error?.cause);
      again++
    ) {
      attempt = await this.attempt(batch, 'savepoints');
    }
    if (attempt === 'retry') throw new Error('a batch with savepoints is never retried');
    const { outcomes, error } = attempt;
    if (error !== undefined) {
      // Nothing of the batch was committed: every change fails, with its own error if it had one.
      batch.forEach((pending, index) => {
        const outcome = outcomes[index];
        pending.reject(outcome && !outcome.ok ? outcome.error : error.cause);
      });
      return;
    }
    this.batches += 1;
    this.changes += batch.length;
    batch.forEach((pending, index) => {
      const outcome = outcomes[index]!;
      if (outcome.ok) pending.resolve(outcome.value);
      else pending.reject(outcome.error);
    });
  }

  /**
   * Runs the batch in one transaction; `error` is set when nothing was committed.
   *
   * `ahead` (SQLite, every change `readsAhead`): the changes are planned in a read transaction, which
   * other processes' writers do not wait for; then the batch takes the write lock, checks that what
   * the plans read still holds (`scope.expect`: the IAM version, the flags; the staged configuration
   * writes check their versions) and writes. Anything else (a change that wrote, a read that no longer
   * holds) runs the batch again under the lock. So batches of several processes plan side by side and
   * take turns only to write and commit.
   */
  private async attempt(
    batch: Pending[],
    mode: 'ahead' | 'optimistic' | 'savepoints',
  ): Promise<{ outcomes: Outcome[]; error?: { cause: unknown } } | 'retry'> {
    const outcomes: Outcome[] = [];
    const ahead = mode === 'ahead';
    try {
      await this.db.connection().execute(async (connection) => {
        // The connection is bound to this transaction for its whole duration: it is the transaction.
        const tx = connection as unknown as Tx;
        if (ahead) await sql.raw('begin').execute(connection);
        else await this.begin(connection);
        const scope = bindTransactionScope(tx, new TransactionScope(ahead));
        try {
          // A failed read is read again by whoever needs it (and fails there, where it is handled).
          this.prefetch(tx).catch(() => undefined);
          if (batch.length === 1) {
            outcomes.push({ ok: true, value: await batch[0]!.work(tx) });
          } else if (mode !== 'savepoints') {
            for (const group of concurrentGroups(batch)) {
              // A change without a lane may read anything: what the others staged is written first.
              if (group[0]!.pending.lane === undefined) await scope.flush(tx, 'change');
              if (!(await this.runGroup(connection, scope, group, outcomes, ahead))) throw RETRY;
            }
          } else {
            await this.runWithSavepoints(connection, scope, batch, outcomes);
          }
          if (ahead) {
            // The read transaction wrote nothing; the write transaction starts from what it read.
            await sql.raw('commit').execute(connection);
            await this.begin(connection);
            if (!(await scope.confirmReads(tx))) throw RETRY;
          }
          await scope.flush(tx);
          await sql.raw('commit').execute(connection);
        } catch (error) {
          await sql
            .raw('rollback')
            .execute(connection)
            .catch(() => undefined);
          throw ahead && error instanceof StaleRead ? RETRY : error;
        } finally {
          unbindTransactionScope(tx);
        }
      });
    } catch (error) {
      if (error === RETRY) return 'retry';
      return { outcomes, error: { cause: error } };
    }
    return { outcomes };
  }

  /**
   * Runs a group of the optimistic attempt side by side (works of one lane one after the other) and
   * records each outcome at its index. False when a failed change could not simply be left out.
   */
  private async runGroup(
    connection: Db,
    scope: TransactionScope,
    group: Array<{ pending: Pending; index: number }>,
    outcomes: Outcome[],
    /** Planned ahead of the write lock: a change that wrote a row itself sends the batch back. */
    ahead = false,
  ): Promise<boolean> {
    let clean = true;
    let failed = false;
    const lanes = new Map<string, Promise<void>>();
    const runOne = async ({ pending, index }: { pending: Pending; index: number }) => {
      const change = changeHandle(connection, scope);
      try {
        outcomes[index] = { ok: true, value: await pending.work(change.tx) };
        if (ahead && change.writes.rows > 0) clean = false;
      } catch (error) {
        outcomes[index] = { ok: false, error };
        failed = true;
        if (change.writes.rows > 0 || change.scope.hasChanged || isDatabaseError(error)) clean = false;
      } finally {
        unbindTransactionScope(change.tx);
      }
    };
    await Promise.all(
      group.map((item) => {
        const lane = item.pending.lane;
        if (lane === undefined) return runOne(item);
        const run = (lanes.get(lane) ?? Promise.resolve()).then(() => runOne(item));
        lanes.set(lane, run);
        return run;
      }),
    );
    return clean && (!failed || (await this.usable(connection)));
  }

  /** The batch one change after the other, each in a savepoint it is rolled back to when it fails. */
  private async runWithSavepoints(
    connection: Db,
    scope: TransactionScope,
    batch: Pending[],
    outcomes: Outcome[],
  ): Promise<void> {
    // A savepoint released right before the next one is opened: one round trip on PostgreSQL.
    let toRelease: string | undefined;
    for (const [index, pending] of batch.entries()) {
      if (pending.lane === undefined) await scope.flush(connection as unknown as Tx, 'change');
      const snapshot = scope.snapshot();
      const savepoint = `flagward_change_${index}`;
      await this.openSavepoint(connection, savepoint, toRelease);
      toRelease = undefined;
      const change = changeHandle(connection, scope);
      try {
        const value = await pending.work(change.tx);
        toRelease = savepoint;
        outcomes.push({ ok: true, value });
      } catch (error) {
        await sql.raw(`rollback to savepoint ${savepoint}`).execute(connection);
        await sql.raw(`release savepoint ${savepoint}`).execute(connection);
        scope.restore(snapshot);
        outcomes.push({ ok: false, error });
      } finally {
        unbindTransactionScope(change.tx);
      }
    }
    if (toRelease) await sql.raw(`release savepoint ${toRelease}`).execute(connection);
  }
}

/** Thrown inside an optimistic attempt to roll it back and run the batch again with savepoints. */
const RETRY = Symbol('retry the batch with savepoints');
