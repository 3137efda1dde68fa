import type { Kysely, Migration } from 'kysely';

async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('policies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('statements', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('policies_org_key', ['org_id', 'key'])
    .execute();

  await db.schema
    .createTable('assignments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('policy_key', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text', (c) => c.references('members.id'))
    .addColumn('group_id', 'text', (c) => c.references('groups.id'))
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    /** Set once the expiry has been written to the audit log by the system actor. */
    .addColumn('expiry_recorded', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('assignments_member')
    .on('assignments')
    .columns(['org_id', 'member_id'])
    .execute();
  await db.schema
    .createIndex('assignments_group')
    .on('assignments')
    .columns(['org_id', 'group_id'])
    .execute();
  await db.schema
    .createIndex('assignments_policy')
    .on('assignments')
    .columns(['org_id', 'policy_key'])
    .execute();

  await db.schema
    .createTable('protections')
    .addColumn('environment_id', 'text', (c) =>
      c.primaryKey().references('environments.id').onDelete('cascade'),
    )
    .addColumn('operations', 'text', (c) => c.notNull())
    .addColumn('allowed', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

export const policiesAssignmentsProtections: Migration = { up };
