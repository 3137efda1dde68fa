import type { Kysely, Migration } from 'kysely';

/**
 * Columns and indexes for querying the audit log. `actor_email` is filled on insert only (the
 * append-only triggers refuse UPDATE), so entries written before this migration keep it null and are
 * matched on the `actor` JSON text instead.
 */
async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('audit_entries').addColumn('actor_email', 'text').execute();
  await db.schema
    .createIndex('audit_entries_actor')
    .on('audit_entries')
    .columns(['org_id', 'actor_email', 'seq'])
    .execute();
  await db.schema
    .createIndex('audit_entries_flag')
    .on('audit_entries')
    .columns(['org_id', 'project', 'flag', 'environment', 'seq'])
    .execute();
  await db.schema
    .createIndex('audit_entries_resource')
    .on('audit_entries')
    .columns(['org_id', 'resource', 'seq'])
    .execute();
}

export const auditQueryColumns: Migration = { up };
