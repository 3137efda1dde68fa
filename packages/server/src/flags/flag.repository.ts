import type { DialectName, Executor } from '../db/database';
import type { FlagsTable } from '../db/database.types';
import { lockRows } from '../db/dialect';

export type FlagRow = FlagsTable;

/** A flag row with its creator's email (null when the creator is gone). */
export interface FlagRecord extends FlagRow {
  created_by_email: string | null;
}

export interface FlagFilter {
  archived?: boolean | undefined;
  tag?: string | undefined;
}

export class FlagRepository {
  constructor(private readonly dialect: DialectName) {}

  private records(executor: Executor) {
    return executor
      .selectFrom('flags')
      .leftJoin('members', 'members.id', 'flags.created_by')
      .selectAll('flags')
      .select('members.email as created_by_email');
  }

  async insert(executor: Executor, row: FlagRow): Promise<void> {
    await executor.insertInto('flags').values(row).execute();
  }

  async findByKey(executor: Executor, projectId: string, key: string): Promise<FlagRecord | undefined> {
    return this.records(executor)
      .where('flags.project_id', '=', projectId)
      .where('flags.key', '=', key)
      .executeTakeFirst();
  }

  /** The flag row, locked until the transaction ends (PostgreSQL; SQLite serialises writers). */
  async findByKeyForUpdate(executor: Executor, projectId: string, key: string): Promise<FlagRow | undefined> {
    return lockRows(
      this.dialect,
      executor.selectFrom('flags').selectAll().where('project_id', '=', projectId).where('key', '=', key),
    ).executeTakeFirst();
  }

  /** The flag row by id, locked until the transaction ends. */
  async findByIdForUpdate(executor: Executor, id: string): Promise<FlagRow | undefined> {
    return lockRows(
      this.dialect,
      executor.selectFrom('flags').selectAll().where('id', '=', id),
    ).executeTakeFirst();
  }

  async emailOf(executor: Executor, memberId: string | null): Promise<string | null> {
    if (memberId === null) return null;
    const row = await executor
      .selectFrom('members')
      .select('email')
      .where('id', '=', memberId)
      .executeTakeFirst();
    return row?.email ?? null;
  }

  async list(executor: Executor, projectId: string, filter: FlagFilter = {}): Promise<FlagRecord[]> {
    let query = this.records(executor).where('flags.project_id', '=', projectId);
    if (filter.archived !== undefined) query = query.where('flags.archived', '=', filter.archived ? 1 : 0);
    const rows = await query.orderBy('flags.key').execute();
    const { tag } = filter;
    // Tags are a JSON array in one column; matching exact elements is simplest and portable in code.
    return tag === undefined ? rows : rows.filter((row) => (JSON.parse(row.tags) as string[]).includes(tag));
  }

  async update(
    executor: Executor,
    id: string,
    changes: Partial<
      Pick<FlagRow, 'name' | 'description' | 'tags' | 'variations' | 'archived' | 'updated_at'>
    >,
  ): Promise<void> {
    await executor.updateTable('flags').set(changes).where('id', '=', id).execute();
  }

  /** Removes a flag with its configurations and rollout schedules. */
  async delete(executor: Executor, id: string): Promise<void> {
    await executor.deleteFrom('rollout_schedules').where('flag_id', '=', id).execute();
    await executor.deleteFrom('flag_configurations').where('flag_id', '=', id).execute();
    await executor.deleteFrom('flags').where('id', '=', id).execute();
  }
}
