import type { Executor, Tx } from './database';

/**
 * A named slot of a {@link TransactionScope}. `flush`, when given, runs once just before COMMIT with
 * the slot's final value (to write state that was kept in memory during the transaction).
 */
export interface ScopeSlot<T> {
  readonly name: string;
  readonly flush?: (tx: Tx, value: T) => Promise<void>;
}

/** Declares a slot; one per kind of state, at module level. */
export function scopeSlot<T>(name: string, flush?: (tx: Tx, value: T) => Promise<void>): ScopeSlot<T> {
  return flush ? { name, flush } : { name };
}

/** What a scope held at a savepoint, to go back to when the savepoint is rolled back. */
export type ScopeSnapshot = ReadonlyMap<ScopeSlot<unknown>, unknown>;

/**
 * Memory shared by the changes of one write transaction (with group commit, several changes share
 * one transaction). Values are never mutated in place, only replaced, so a snapshot is a shallow copy
 * and rolling a change back to its savepoint restores exactly what the scope held before it: nothing a
 * rolled-back change computed can leak into the next change of the batch.
 */
export class TransactionScope {
  private values = new Map<ScopeSlot<unknown>, unknown>();

  get<T>(slot: ScopeSlot<T>): T | undefined {
    return this.values.get(slot as ScopeSlot<unknown>) as T | undefined;
  }

  set<T>(slot: ScopeSlot<T>, value: T): void {
    this.values.set(slot as ScopeSlot<unknown>, value);
  }

  delete(slot: ScopeSlot<unknown>): void {
    this.values.delete(slot);
  }

  snapshot(): ScopeSnapshot {
    return new Map(this.values);
  }

  restore(snapshot: ScopeSnapshot): void {
    this.values = new Map(snapshot);
  }

  /** Writes every slot that keeps state in memory; the caller commits right after. */
  async flush(tx: Tx): Promise<void> {
    for (const [slot, value] of this.values) if (slot.flush) await slot.flush(tx, value);
  }
}

const scopes = new WeakMap<object, TransactionScope>();

/** Opens the scope of a transaction (group commit does, for the transactions it runs). */
export function openTransactionScope(tx: Tx): TransactionScope {
  const scope = new TransactionScope();
  scopes.set(tx, scope);
  return scope;
}

export function closeTransactionScope(tx: Tx): void {
  scopes.delete(tx);
}

/**
 * The scope of the transaction `executor` belongs to, or undefined outside a scoped transaction (then
 * callers read and write the database directly).
 */
export function transactionScope(executor: Executor): TransactionScope | undefined {
  return scopes.get(executor);
}
