import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  Kysely,
  Migrator,
  PostgresDialect,
  type PostgresPool,
  type PostgresPoolClient,
  SqliteDialect,
  type SqliteDialectConfig,
  type Transaction,
} from 'kysely';
import pg from 'pg';
import type { Database } from './database.types';
import { SQLITE_BUSY_TIMEOUT_MS } from './dialect';
import { migrationProvider } from './migrations/migrations';

export type DialectName = 'sqlite' | 'postgres';
export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
/** Either the database or an open transaction: repositories accept both. */
export type Executor = Kysely<Database>;

/** A connected store: the Kysely instance plus the few facts that differ between dialects. */
export interface Store {
  db: Db;
  dialect: DialectName;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** postgres:// URL; when absent the SQLite file in dataDir is used. */
  databaseUrl?: string | undefined;
  dataDir: string;
  /** Pool size for PostgreSQL. */
  poolSize?: number;
}

// INT8 (bigint) columns hold audit sequence numbers, far below 2^53: read them as numbers.
pg.types.setTypeParser(20, (value) => Number.parseInt(value, 10));

/** Opens the configured store (PostgreSQL when a URL is given, otherwise SQLite in the data directory). */
export function openStore(options: StoreOptions): Store {
  if (options.databaseUrl) {
    // Pipelining: queries issued together on one connection (the changes of a batch, which group commit
    // runs side by side) go out without waiting for each other's answers, so they share round trips.
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      pipeline: true,
    });
    // An idle pooled connection that the server drops (restart, failover, admin termination) must not
    // crash the process: the pool discards it and the next query opens a fresh connection.
    pool.on('error', () => undefined);
    const db = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: withNamedStatements(pool) }),
    });
    return { db, dialect: 'postgres', close: () => db.destroy() };
  }
  fs.mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(options.dataDir, 'flagward.sqlite');
  const sqlite = new SqliteDatabase(file);
  sqlite.pragma('journal_mode = WAL');
  // FULL: a committed change and its audit entry survive a power loss together.
  sqlite.pragma('synchronous = FULL');
  // A checkpoint copies each page changed since the last one into the database file and syncs it. The
  // pages every change touches (index tails, the log head, configurations) are rewritten in each batch,
  // so checkpointing every ~40 MB instead of SQLite's default ~4 MB copies them far fewer times.
  sqlite.pragma('wal_autocheckpoint = 10000');
  sqlite.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

/** How many distinct SQL texts keep their prepared statement (least recently used ones are dropped). */
const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely's SQLite driver prepares every statement anew, which costs more than running most of ours. A
 * better-sqlite3 Statement is reusable, so `prepare` hands out one cached Statement per SQL text. The
 * driver runs one query at a time on its single connection; a statement still busy (an unfinished
 * iteration) is never handed out again: a fresh one is prepared instead.
 */
function withStatementCache(sqlite: SqliteDatabase.Database): SqliteDialectConfig['database'] {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => {
      cache.clear();
      sqlite.close();
    },
    prepare: (text: string) => {
      const cached = cache.get(text);
      if (cached && !cached.busy) {
        // Most recently used last, so the first key is the one to evict.
        cache.delete(text);
        cache.set(text, cached);
        return cached;
      }
      const statement = sqlite.prepare(text);
      if (!cached) {
        cache.set(text, statement);
        if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      }
      return statement;
    },
  };
}

/** How many distinct SQL texts become named (server-side prepared) statements; the rest stay unnamed. */
const NAMED_STATEMENTS = 1000;
const statementNames = new Map<string, string>();
let namesGiven = 0;

function statementName(text: string): string | undefined {
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < NAMED_STATEMENTS) {
    namesGiven += 1;
    name = `flagward_${namesGiven}`;
    statementNames.set(text, name);
  }
  return name;
}

/** PostgreSQL's "cached plan must not change result type": a table changed under a prepared statement. */
function isStalePlan(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '0A000';
}

/**
 * With pipelining, the queries that the changes of a batch issue together would still each cost a
 * write system call (pg corks the socket for one query's messages only). Holding the socket corked
 * until the current callbacks and promise continuations are done sends them in one write.
 */
function coalescedWrites(client: pg.PoolClient): () => void {
  const stream = (client as unknown as { connection: { stream: NodeJS.WritableStream & Cork } }).connection
    .stream;
  let corked = false;
  const uncork = () => {
    corked = false;
    stream.uncork();
  };
  return () => {
    if (corked) return;
    corked = true;
    stream.cork();
    process.nextTick(uncork);
  };
}

interface Cork {
  cork(): void;
  uncork(): void;
}

/**
 * Kysely sends every query unnamed, so PostgreSQL parses and plans each one again (for the join a
 * flag change starts with, that costs more than running it). Giving each parameterized SQL text a
 * name makes it a prepared statement on each connection after its first use; pg remembers which
 * connection prepared which name. Should a migration by a newer process change a table under a
 * prepared statement, the failing text gets a fresh name, so the next attempt prepares it again.
 */
function withNamedStatements(pool: pg.Pool): PostgresPool {
  return {
    async connect() {
      const client = await pool.connect();
      const coalesce = coalescedWrites(client);
      const query = async (text: string, parameters: unknown[]) => {
        coalesce();
        const name = parameters.length > 0 ? statementName(text) : undefined;
        if (name === undefined) return client.query(text, parameters);
        try {
          return await client.query({ name, text, values: parameters });
        } catch (error) {
          if (isStalePlan(error) && statementNames.get(text) === name) statementNames.delete(text);
          throw error;
        }
      };
      return {
        query: ((textOrCursor: unknown, parameters?: unknown[]) =>
          typeof textOrCursor === 'string'
            ? query(textOrCursor, parameters ?? [])
            : client.query(textOrCursor as pg.Submittable)) as unknown as PostgresPoolClient['query'],
        release: () => client.release(),
      };
    },
    end: () => pool.end(),
  };
}

/** Applies every pending migration; returns the names applied now. */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
