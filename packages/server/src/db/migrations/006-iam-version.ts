import { randomUUID } from 'node:crypto';
import type { Kysely, Migration } from 'kysely';

/**
 * One row whose `version` changes (to a fresh random value) in every transaction that writes what a
 * compiled principal is made of: assignments, policies, groups, group membership, members. Processes
 * cache compiled principals per version; a random value, not a counter, so a rolled-back change can
 * never make a cached principal look current again.
 */
async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('iam_version')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('version', 'text', (c) => c.notNull())
    .execute();
  await (db as Kysely<{ iam_version: { id: number; version: string } }>)
    .insertInto('iam_version')
    .values({ id: 1, version: randomUUID() })
    .execute();
}

export const iamVersion: Migration = { up };
