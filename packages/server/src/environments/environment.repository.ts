import type { Executor } from '../db/database';
import { bumpIamVersion } from '../iam/iam.repository';
import type { EnvironmentRow } from '../projects/project.repository';

export class EnvironmentRepository {
  async insert(executor: Executor, row: EnvironmentRow): Promise<void> {
    await executor.insertInto('environments').values(row).execute();
    await bumpIamVersion(executor);
  }

  async listForProject(executor: Executor, projectId: string): Promise<EnvironmentRow[]> {
    return executor
      .selectFrom('environments')
      .selectAll()
      .where('project_id', '=', projectId)
      .orderBy('position')
      .execute();
  }

  async findByKey(executor: Executor, projectId: string, key: string): Promise<EnvironmentRow | undefined> {
    return executor
      .selectFrom('environments')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('key', '=', key)
      .executeTakeFirst();
  }

  async findByServerKeyHash(executor: Executor, hash: string): Promise<EnvironmentRow | undefined> {
    return executor
      .selectFrom('environments')
      .selectAll()
      .where('server_key_hash', '=', hash)
      .executeTakeFirst();
  }

  async update(
    executor: Executor,
    id: string,
    changes: Partial<
      Pick<
        EnvironmentRow,
        'name' | 'production' | 'tags' | 'server_key_encrypted' | 'server_key_hash' | 'client_id'
      >
    >,
  ): Promise<void> {
    await executor.updateTable('environments').set(changes).where('id', '=', id).execute();
    await bumpIamVersion(executor);
  }

  async delete(executor: Executor, id: string): Promise<void> {
    await executor.deleteFrom('environments').where('id', '=', id).execute();
    await bumpIamVersion(executor);
  }

  async nextPosition(executor: Executor, projectId: string): Promise<number> {
    const row = await executor
      .selectFrom('environments')
      .select((eb) => eb.fn.max('position').as('max'))
      .where('project_id', '=', projectId)
      .executeTakeFirst();
    return row?.max == null ? 0 : Number(row.max) + 1;
  }
}
