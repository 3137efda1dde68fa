import SqliteDatabase from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.types';
import type { AuditRepository } from './audit.repository';
import type { EntryBytes, StoredLogSource } from './verification.job';

// A prover's own read-only connections to the store (loaded only where a stored log is proven). A
// SQLite log is read with better-sqlite3 alone; Kysely, pg and the repository are loaded for a
// PostgreSQL one only (loading them costs a worker more than half of its start-up).

type Connection =
  | { dialect: 'sqlite'; sqlite: SqliteDatabase.Database; ranges: SqliteDatabase.Statement }
  | { dialect: 'postgres'; db: Kysely<Database>; repository: AuditRepository };

/**
 * One range's bodies in seq order, in a single row: their bytes joined by newlines (SQLite hands text
 * over as stored, so `CAST(… AS BLOB)` is the UTF-8 of the text a text read decodes), and how many
 * there are. Rows whose body is not text are flagged. A canonical body has no newline, so the range
 * splits into exactly `count` bodies when none has one; otherwise, or if SQLite aggregated out of seq
 * order (each body's seq is checked against its place), the range is read again as text.
 */
const RANGE_BYTES = `select cast(group_concat(body, char(10)) as blob), min(typeof(body) = 'text'), count(*)
  from (select body from audit_entries where org_id = ? and seq > ? and seq <= ? order by seq)`;

const NEWLINE = 0x0a;

/**
 * SQLite maps up to this much of the file (its build caps it at 2 GB) instead of copying each page
 * through a read() call: about 0.8 µs per entry on a log read once from end to end. The mapping is
 * read-only and the product never shrinks the database file (no VACUUM), which is what could make
 * an access to the mapping fail.
 */
const MMAP_BYTES = 2 ** 40;

/**
 * Reads ranges of a stored log over read-only connections of its own (one per store, opened on first
 * use): as bytes from SQLite, as text from PostgreSQL.
 */
export class StoredRangeReader {
  readonly #connections = new Map<string, Promise<Connection>>();

  /**
   * The bodies with `afterSeq < seq <= uptoSeq`, in seq order: as UTF-8 bytes when the store can hand
   * them over as such (SQLite), else as text; undefined when they cannot be read as bytes faithfully
   * (a body that is not text, or one holding a newline): the caller then proves
   * nothing of the range.
   */
  async entries(
    source: StoredLogSource,
    orgId: string,
    afterSeq: number,
    uptoSeq: number,
  ): Promise<EntryBytes | string[] | undefined> {
    const connection = await this.#connect(source);
    if (connection.dialect === 'postgres') {
      const { db, repository } = connection;
      const rows = await repository.bodies(db, orgId, afterSeq, uptoSeq, uptoSeq - afterSeq);
      return rows.map((row) => row.body);
    }
    const [bytes, allText, count] = connection.ranges.get(orgId, afterSeq, uptoSeq) as [
      Buffer | null,
      number | null,
      number,
    ];
    if (count === 0) return { bytes: Buffer.alloc(0), starts: [], ends: [] };
    if (allText !== 1 || !(bytes instanceof Buffer)) return undefined;
    const starts: number[] = new Array(count);
    const ends: number[] = new Array(count);
    let at = 0;
    for (let i = 0; i < count; i++) {
      const newline = bytes.indexOf(NEWLINE, at);
      const end = newline < 0 ? bytes.length : newline;
      // A newline after the last body, or none before another one: some body holds a newline.
      if (i === count - 1 ? newline >= 0 : newline < 0) return undefined;
      starts[i] = at;
      ends[i] = end;
      at = end + 1;
    }
    return { bytes, starts, ends };
  }

  /** Closes every connection (nothing should stay open on behalf of an idle prover). */
  async close(): Promise<void> {
    const open = [...this.#connections.values()];
    this.#connections.clear();
    await Promise.all(
      open.map(async (pending) => {
        const connection = await pending.catch(() => undefined);
        if (connection?.dialect === 'sqlite') connection.sqlite.close();
        else if (connection) await connection.db.destroy();
      }),
    );
  }

  #connect(source: StoredLogSource): Promise<Connection> {
    const key = source.dialect === 'sqlite' ? `sqlite:${source.file}` : source.url;
    let connection = this.#connections.get(key);
    if (!connection) {
      connection = source.dialect === 'sqlite' ? openSqlite(source.file) : openPostgres(source.url);
      this.#connections.set(key, connection);
      // A connection that failed to open is not kept: the next range tries again.
      connection.catch(() => this.#connections.delete(key));
    }
    return connection;
  }
}

async function openSqlite(file: string): Promise<Connection> {
  const sqlite = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
  sqlite.pragma(`mmap_size = ${MMAP_BYTES}`);
  return { dialect: 'sqlite', sqlite, ranges: sqlite.prepare(RANGE_BYTES).raw() };
}

async function openPostgres(url: string): Promise<Connection> {
  const [{ Kysely, PostgresDialect }, { default: pg }, { AuditRepository }] = await Promise.all([
    import('kysely'),
    import('pg'),
    import('./audit.repository'),
  ]);
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  // A connection the server drops while idle must not kill the worker: the next query reconnects.
  pool.on('error', () => undefined);
  return {
    dialect: 'postgres',
    db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }),
    repository: new AuditRepository('postgres'),
  };
}
