import { PostgresAdapter, type RawBuilder, type SelectQueryBuilder, sql } from 'kysely';
import type { DialectName } from './database';

/**
 * The one place where SQL differs between SQLite and PostgreSQL.
 *
 * SQLite serializes writers per database, so a row lock is implicit in the write transaction;
 * PostgreSQL needs `FOR UPDATE` to serialize appends from several server processes.
 */
export function lockRows<DB, TB extends keyof DB, O>(
  dialect: DialectName,
  query: SelectQueryBuilder<DB, TB, O>,
  /** Locks only this table's rows of a join (PostgreSQL otherwise locks the rows of every table). */
  of?: TB & string,
): SelectQueryBuilder<DB, TB, O> {
  if (dialect !== 'postgres') return query;
  return of === undefined ? query.forUpdate() : query.forUpdate(of);
}

/** Case-insensitive substring match operator for free-text search. */
export function likeOperator(dialect: DialectName): 'like' | 'ilike' {
  return dialect === 'postgres' ? 'ilike' : 'like';
}

/** The dialect a Kysely instance speaks (for migrations, which receive only the instance). */
export function dialectOf(db: { getExecutor(): { adapter: unknown } }): DialectName {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/**
 * The statement that opens a write transaction. SQLite takes the write lock up front (IMMEDIATE), so a
 * transaction that reads before it writes never fails with SQLITE_BUSY when another process committed
 * in between; PostgreSQL locks rows as it goes.
 */
export function beginWriteSql(dialect: DialectName): string {
  return dialect === 'sqlite' ? 'begin immediate' : 'begin';
}

/**
 * Whether changes that may be planned ahead of the write lock are (see CommitBatcher, "ahead"). SQLite
 * has one write lock for the whole database, so a batch planned under it keeps every other process
 * waiting, and only one core busy; PostgreSQL locks only the rows a batch changes, so batches of
 * several processes already plan side by side.
 */
export function plansAheadOfWriteLock(dialect: DialectName): boolean {
  return dialect === 'sqlite';
}

/** How long a SQLite statement waits for another process's lock before failing with SQLITE_BUSY. */
export const SQLITE_BUSY_TIMEOUT_MS = 5000;

/** Sets how long SQLite waits for a lock (no statement on PostgreSQL, whose waits are queued). */
export function busyTimeoutSql(dialect: DialectName, ms: number): string | undefined {
  return dialect === 'sqlite' ? `pragma busy_timeout = ${Math.trunc(ms)}` : undefined;
}

/** Whether an error is SQLite's "database is locked" (another process holds the write lock too long). */
export function isLockTimeout(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT';
}

/** The placeholder of the `index`-th (from 1) parameter of a statement written by hand. */
export function parameterPlaceholder(dialect: DialectName, index: number): string {
  return dialect === 'postgres' ? `$${index}` : '?';
}

/** Column types of {@link jsonRecords}. */
export type JsonRecordColumns<R> = { readonly [K in keyof R & string]: 'text' | 'integer' };

/**
 * A derived table of `records`, passed as one JSON parameter: one statement (with one SQL text
 * whatever the number of records) joins or updates many rows. Column names come from code, never
 * from input.
 */
export function jsonRecords<R extends Record<string, string | number>>(
  dialect: DialectName,
  records: readonly R[],
  columns: JsonRecordColumns<R>,
): RawBuilder<R> {
  const json = JSON.stringify(records);
  const names = Object.keys(columns);
  if (dialect === 'postgres') {
    const definition = names.map((name) => `${name} ${columns[name as keyof R & string]}`).join(', ');
    return sql<R>`(select * from json_to_recordset(${json}::json) as r(${sql.raw(definition)}))`;
  }
  const extracts = names.map((name) => `json_extract(value, '$.${name}') as ${name}`).join(', ');
  return sql<R>`(select ${sql.raw(extracts)} from json_each(${json}))`;
}

/**
 * Whether the JSON array of strings in `column` holds `value` (a flag's tags). PostgreSQL compares
 * as jsonb; SQLite walks the array with json_each.
 */
export function jsonArrayContains(dialect: DialectName, column: string, value: string): RawBuilder<boolean> {
  if (dialect === 'postgres')
    return sql<boolean>`(${sql.ref(column)})::jsonb @> jsonb_build_array(${value}::text)`;
  return sql<boolean>`exists (select 1 from json_each(${sql.ref(column)}) where value = ${value})`;
}
