import { type Kysely, type Migration, sql } from 'kysely';
import { dialectOf } from '../dialect';

const APPEND_ONLY_TABLES = ['audit_entries', 'audit_checkpoints'] as const;

async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('audit_checkpoints')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('root', 'text', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('signed_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_checkpoints_pk', ['org_id', 'size'])
    .execute();

  if (dialectOf(db) === 'postgres') {
    await sql`
      create or replace function flagward_refuse_audit_change() returns trigger language plpgsql as $$
      begin
        raise exception 'the audit log is append-only: % on % is refused', tg_op, tg_table_name
          using errcode = 'insufficient_privilege';
      end $$`.execute(db);
    for (const table of APPEND_ONLY_TABLES) {
      await sql`create trigger ${sql.raw(`${table}_no_update_delete`)} before update or delete on ${sql.table(table)}
        for each row execute function flagward_refuse_audit_change()`.execute(db);
      await sql`create trigger ${sql.raw(`${table}_no_truncate`)} before truncate on ${sql.table(table)}
        for each statement execute function flagward_refuse_audit_change()`.execute(db);
      // ENABLE ALWAYS: the triggers fire even under session_replication_role = replica.
      await sql`alter table ${sql.table(table)} enable always trigger ${sql.raw(`${table}_no_update_delete`)}`.execute(
        db,
      );
      await sql`alter table ${sql.table(table)} enable always trigger ${sql.raw(`${table}_no_truncate`)}`.execute(
        db,
      );
    }
    return;
  }
  const keys: Record<(typeof APPEND_ONLY_TABLES)[number], string> = {
    audit_entries: 'org_id = NEW.org_id AND (seq = NEW.seq OR id = NEW.id)',
    audit_checkpoints: 'org_id = NEW.org_id AND size = NEW.size',
  };
  for (const table of APPEND_ONLY_TABLES) {
    await sql
      .raw(`create trigger ${table}_no_update before update on ${table}
        begin select raise(abort, 'the audit log is append-only: UPDATE on ${table} is refused'); end`)
      .execute(db);
    await sql
      .raw(`create trigger ${table}_no_delete before delete on ${table}
        begin select raise(abort, 'the audit log is append-only: DELETE on ${table} is refused'); end`)
      .execute(db);
    // INSERT OR REPLACE deletes the old row without firing delete triggers: refuse any insert that collides.
    await sql
      .raw(`create trigger ${table}_no_replace before insert on ${table}
        when exists (select 1 from ${table} where ${keys[table]})
        begin select raise(abort, 'the audit log is append-only: replacing a row of ${table} is refused'); end`)
      .execute(db);
  }
}

export const appendOnlyAudit: Migration = { up };
