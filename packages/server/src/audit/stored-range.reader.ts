import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Executor } from '../db/database';
import type { Database } from '../db/database.types';
import { AuditRepository } from './audit.repository';
import type { StoredLogSource } from './verification.job';

// A worker thread's own read-only connection to the store (loaded only by workers that read one).

interface Connection {
  db: Executor;
  repository: AuditRepository;
}

const connections = new Map<string, Connection>();

function idleSafePool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  // A connection the server drops while idle must not kill the worker: the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

function connect(source: StoredLogSource): Connection {
  const key = source.dialect === 'sqlite' ? `sqlite:${source.file}` : source.url;
  let connection = connections.get(key);
  if (connection) return connection;
  const dialect =
    source.dialect === 'sqlite'
      ? new SqliteDialect({
          database: new SqliteDatabase(source.file, { readonly: true, fileMustExist: true }),
        })
      : new PostgresDialect({ pool: idleSafePool(source.url) });
  connection = { db: new Kysely<Database>({ dialect }), repository: new AuditRepository(source.dialect) };
  connections.set(key, connection);
  return connection;
}

/** The stored bodies with `afterSeq < seq <= uptoSeq`, in seq order. */
export async function readStoredRange(
  source: StoredLogSource,
  orgId: string,
  afterSeq: number,
  uptoSeq: number,
): Promise<string[]> {
  const { db, repository } = connect(source);
  const rows = await repository.bodies(db, orgId, afterSeq, uptoSeq, uptoSeq - afterSeq);
  return rows.map((row) => row.body);
}

/** Closes every connection (the pool is going idle: nothing should stay open on its behalf). */
export async function closeStoredConnections(): Promise<void> {
  const open = [...connections.values()];
  connections.clear();
  await Promise.all(open.map(({ db }) => db.destroy()));
}
