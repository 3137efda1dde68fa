import type { Store } from '../../src/db/database';

const TABLES = [
  'organizations',
  'members',
  'invitations',
  'sessions',
  'api_tokens',
  'groups',
  'group_members',
  'projects',
  'environments',
  'audit_entries',
  'audit_heads',
  'audit_checkpoints',
  'flags',
  'flag_configurations',
  'rollout_schedules',
  'variables',
  'policies',
  'assignments',
  'protections',
] as const;

/** Every row of every table, in a stable order: equal snapshots mean nothing changed. */
export async function snapshotDatabase(store: Store): Promise<string> {
  const result: Record<string, unknown[]> = {};
  for (const table of TABLES) {
    const rows = await store.db.selectFrom(table).selectAll().execute();
    result[table] = rows.map((r) => JSON.stringify(r)).sort();
  }
  return JSON.stringify(result);
}
