import type { Executor } from '../db/database';
import type { VariablesTable } from '../db/database.types';

export type VariableRow = VariablesTable;

/** Environment variables; secret values are stored sealed, never in clear. */
export class VariableRepository {
  async list(executor: Executor, environmentId: string): Promise<VariableRow[]> {
    return executor
      .selectFrom('variables')
      .selectAll()
      .where('environment_id', '=', environmentId)
      .orderBy('key')
      .execute();
  }

  async find(executor: Executor, environmentId: string, key: string): Promise<VariableRow | undefined> {
    return executor
      .selectFrom('variables')
      .selectAll()
      .where('environment_id', '=', environmentId)
      .where('key', '=', key)
      .executeTakeFirst();
  }

  async upsert(executor: Executor, row: VariableRow): Promise<void> {
    await executor
      .insertInto('variables')
      .values(row)
      .onConflict((conflict) =>
        conflict
          .columns(['environment_id', 'key'])
          .doUpdateSet({ value: row.value, secret: row.secret, updated_at: row.updated_at }),
      )
      .execute();
  }

  async delete(executor: Executor, environmentId: string, key: string): Promise<void> {
    await executor
      .deleteFrom('variables')
      .where('environment_id', '=', environmentId)
      .where('key', '=', key)
      .execute();
  }
}
