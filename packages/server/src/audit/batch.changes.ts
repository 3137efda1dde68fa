import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';
import type { Db, Tx } from '../db/database';
import { bindTransactionScope, ChangeScope, type TransactionScope } from '../db/transaction.scope';

/** A change waiting in the batcher, as the batch helpers see it. */
export interface LanedChange {
  lane: string | undefined;
}

/** One change's handle on the batch's transaction: what it wrote and what it set in the scope. */
export function changeHandle(connection: Db, scope: TransactionScope) {
  const writes = new WriteCounter();
  const tx = connection.withPlugin(writes) as unknown as Tx;
  return { tx, writes, scope: bindTransactionScope(tx, new ChangeScope(scope)) };
}

/**
 * Splits a batch, in order, into groups that run side by side: consecutive changes with a lane form
 * one group; a change without a lane is a group of its own.
 */
export function concurrentGroups<P extends LanedChange>(
  batch: P[],
): Array<Array<{ pending: P; index: number }>> {
  const groups: Array<Array<{ pending: P; index: number }>> = [];
  let open: Array<{ pending: P; index: number }> | undefined;
  batch.forEach((pending, index) => {
    if (pending.lane === undefined) {
      groups.push([{ pending, index }]);
      open = undefined;
      return;
    }
    if (!open) {
      open = [];
      groups.push(open);
    }
    open.push({ pending, index });
  });
  return groups;
}

/** How many times a batch aborted by a deadlock or serialization failure runs again. */
export const MAX_CONFLICT_RERUNS = 3;

/** PostgreSQL's deadlock_detected and serialization_failure. */
export function isLockConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return code === '40P01' || code === '40001';
}

/**
 * Whether an error came from the database (or wraps one): after it the transaction may be aborted
 * (PostgreSQL) or even rolled back already (SQLite, for I/O and similar errors).
 */
export function isDatabaseError(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (code.startsWith('SQLITE_') || /^[0-9A-Z]{5}$/.test(code))) return true;
  }
  return false;
}

/** Counts the rows that statements run through it inserted, updated or deleted. */
export class WriteCounter implements KyselyPlugin {
  rows = 0;

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const affected = args.result.numAffectedRows;
    if (affected !== undefined) this.rows += Number(affected);
    return args.result;
  }
}
