import { type Kysely, type Migration, sql } from 'kysely';

/**
 * The index by exact resource serves only the history of resources outside projects (policies, for
 * point-in-time reads). Indexing every entry by resource put each flag change's entry at its own place
 * in that index: one more page written per change, for rows no query reads through it. Only entries
 * without a project are indexed now.
 */
async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('audit_entries_resource').execute();
  await db.schema
    .createIndex('audit_entries_org_resource')
    .on('audit_entries')
    .columns(['org_id', 'resource', 'seq'])
    .where(sql.ref('project'), 'is', null)
    .execute();
}

export const auditResourceIndex: Migration = { up };
