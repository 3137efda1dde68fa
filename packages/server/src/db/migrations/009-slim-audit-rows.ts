import type { Kysely, Migration } from 'kysely';

/**
 * Columns of an audit row that only repeated its body: no query filters on them, and every read of an
 * entry parses the body (the entry exactly as hashed). Dropping them halves a flag change's row (its
 * before and after are most of it), so appends write and verification reads about half the pages.
 * The body keeps every value; nothing of the log is lost. Neither dialect fires the append-only
 * triggers for a dropped column (SQLite rewrites the rows itself, PostgreSQL only forgets the column).
 */
const REPEATED_COLUMNS = ['before', 'after', 'request_id', 'ip', 'user_agent', 'prev_hash'] as const;

async function up(db: Kysely<unknown>): Promise<void> {
  for (const column of REPEATED_COLUMNS) {
    await db.schema.alterTable('audit_entries').dropColumn(column).execute();
  }
}

export const slimAuditRows: Migration = { up };
