import type { Executor, Tx } from './database';

/**
 * Writes the state a slot kept in memory (staged writes) and returns what the slot keeps afterwards
 * (undefined: nothing).
 */
export type SlotFlush<T> = (tx: Tx, value: T) => Promise<T | undefined>;

/**
 * A named slot of a {@link TransactionScope}. `flush`, when given, writes the slot's staged state:
 * just before COMMIT, and (unless `last`) before any change that reads the database without knowing
 * the slot (group commit flushes before each change that has no lane).
 */
export interface ScopeSlot<T> {
  readonly name: string;
  readonly flush?: SlotFlush<T>;
  /** Flushed after the other slots, and only before COMMIT (it takes the locks every writer queues for). */
  readonly last?: boolean;
}

/** Declares a slot; one per kind of state, at module level. */
export function scopeSlot<T>(
  name: string,
  flush?: SlotFlush<T>,
  options: { last?: boolean } = {},
): ScopeSlot<T> {
  return { name, ...(flush ? { flush } : {}), ...(options.last ? { last: true } : {}) };
}

/** What a scope held at a savepoint, to go back to when the savepoint is rolled back. */
export type ScopeSnapshot = ReadonlyMap<ScopeSlot<unknown>, unknown>;

/** What the repositories of one change use of its transaction's scope. */
export interface ScopeAccess {
  get<T>(slot: ScopeSlot<T>): T | undefined;
  /** Replaces a slot's value: state the change itself produced (staged writes, a new IAM version). */
  set<T>(slot: ScopeSlot<T>, value: T): void;
  /**
   * Reads something once per transaction: concurrent callers share one load. Only for what stays
   * true for the whole transaction whichever change reads it first (what the transaction saw of the
   * database before writing it); state a change produces goes through `set`.
   */
  once<T>(key: string, load: () => Promise<T>): Promise<T>;
  /** A helper that lives as long as the transaction (e.g. a {@link GatheredLoad}), made on first use. */
  shared<T>(key: string, create: () => T): T;
  /**
   * Notes a read that a change planned ahead of the write lock relies on: `confirm` tells, under the
   * lock, whether the database still holds what was read (see CommitBatcher, "ahead").
   */
  expect(key: string, confirm: (tx: Tx) => Promise<boolean>): void;
}

/**
 * Thrown by a staged write that finds its row changed since the transaction read it. Under the write
 * lock it cannot happen (the rows were locked when read); for changes planned ahead of the lock it
 * sends the batch back to be planned again under it.
 */
export class StaleRead extends Error {}

/**
 * Memory shared by the changes of one write transaction (with group commit, several changes share
 * one transaction). Values are never mutated in place, only replaced, so a snapshot is a shallow copy
 * and rolling a change back to its savepoint restores exactly what the scope held before it: nothing a
 * rolled-back change computed can leak into the next change of the batch.
 */
export class TransactionScope implements ScopeAccess {
  private values = new Map<ScopeSlot<unknown>, unknown>();
  private readonly loads = new Map<string, Promise<unknown>>();
  private readonly helpers = new Map<string, unknown>();
  private readonly expectations = new Map<string, (tx: Tx) => Promise<boolean>>();

  constructor(
    /** Whether the transaction was planned ahead of the write lock, so its reads are confirmed under it. */
    private readonly confirmsReads = false,
  ) {}

  get<T>(slot: ScopeSlot<T>): T | undefined {
    return this.values.get(slot as ScopeSlot<unknown>) as T | undefined;
  }

  set<T>(slot: ScopeSlot<T>, value: T): void {
    this.values.set(slot as ScopeSlot<unknown>, value);
  }

  once<T>(key: string, load: () => Promise<T>): Promise<T> {
    let loading = this.loads.get(key) as Promise<T> | undefined;
    if (loading === undefined) {
      loading = load();
      this.loads.set(key, loading);
      // A failed read is not remembered: the next caller tries again (or meets the aborted transaction).
      loading.catch(() => this.loads.delete(key));
    }
    return loading;
  }

  shared<T>(key: string, create: () => T): T {
    let helper = this.helpers.get(key) as T | undefined;
    if (helper === undefined) {
      helper = create();
      this.helpers.set(key, helper);
    }
    return helper;
  }

  expect(key: string, confirm: (tx: Tx) => Promise<boolean>): void {
    // Planned under the lock (or on PostgreSQL, under row locks), a read holds: nothing to confirm.
    if (this.confirmsReads) this.expectations.set(key, confirm);
  }

  /** Whether every read noted by `expect` still holds (run under the write lock). */
  async confirmReads(tx: Tx): Promise<boolean> {
    const confirmed = await Promise.all([...this.expectations.values()].map((confirm) => confirm(tx)));
    return confirmed.every(Boolean);
  }

  snapshot(): ScopeSnapshot {
    return new Map(this.values);
  }

  restore(snapshot: ScopeSnapshot): void {
    this.values = new Map(snapshot);
  }

  /**
   * Writes every slot that keeps staged state, side by side (their statements are independent, and
   * pipelined on PostgreSQL), the `last` ones started after the others. Before a change (rather than before
   * COMMIT), `last` slots are left staged: they take the locks every writer queues for, which a
   * transaction must not hold while its later changes lock rows.
   */
  async flush(tx: Tx, moment: 'commit' | 'change' = 'commit'): Promise<void> {
    const flushing: Array<Promise<void>> = [];
    // The `last` slots are started after the others, without waiting for them: their statements
    // follow on the connection (pipelined on PostgreSQL).
    for (const last of moment === 'commit' ? [false, true] : [false]) {
      for (const [slot, value] of this.values) {
        const write = slot.flush;
        if (write === undefined || Boolean(slot.last) !== last) continue;
        flushing.push(
          write(tx, value).then((kept) => {
            if (kept === undefined) this.values.delete(slot);
            else this.values.set(slot, kept);
          }),
        );
      }
    }
    await Promise.all(flushing);
  }
}

/**
 * One change's access to a shared scope, noting whether the change set anything: a change that
 * fails after setting state cannot simply be left out of a batch whose other changes ran beside it.
 */
export class ChangeScope implements ScopeAccess {
  private changed = false;

  constructor(private readonly scope: TransactionScope) {}

  /** Whether the change replaced any slot's value. */
  get hasChanged(): boolean {
    return this.changed;
  }

  get<T>(slot: ScopeSlot<T>): T | undefined {
    return this.scope.get(slot);
  }

  set<T>(slot: ScopeSlot<T>, value: T): void {
    this.changed = true;
    this.scope.set(slot, value);
  }

  once<T>(key: string, load: () => Promise<T>): Promise<T> {
    return this.scope.once(key, load);
  }

  shared<T>(key: string, create: () => T): T {
    return this.scope.shared(key, create);
  }

  expect(key: string, confirm: (tx: Tx) => Promise<boolean>): void {
    this.scope.expect(key, confirm);
  }
}

const scopes = new WeakMap<object, ScopeAccess>();

/**
 * Gives `executor` (a transaction, or one change's handle on it) access to a scope; group commit does
 * this for the transactions it runs. Returns the scope.
 */
export function bindTransactionScope<S extends ScopeAccess>(executor: Executor | Tx, scope: S): S {
  scopes.set(executor, scope);
  return scope;
}

export function unbindTransactionScope(executor: Executor | Tx): void {
  scopes.delete(executor);
}

/**
 * The scope of the transaction `executor` belongs to, or undefined outside a scoped transaction (then
 * callers read and write the database directly).
 */
export function transactionScope(executor: Executor): ScopeAccess | undefined {
  return scopes.get(executor);
}
