import type { Kysely, Migration } from 'kysely';

/**
 * An API token may be limited to a policy (built-in or custom, with assignment parameters): it then
 * acts with what both its member and that policy allow. Null for tokens with their member's full
 * permissions, which every token created before this migration keeps.
 */
async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('api_tokens').addColumn('policy_key', 'text').execute();
  await db.schema.alterTable('api_tokens').addColumn('policy_params', 'text').execute();
}

export const tokenPolicy: Migration = { up };
