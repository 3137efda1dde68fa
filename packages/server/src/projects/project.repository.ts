import type { Executor } from '../db/database';
import type { EnvironmentsTable, ProjectsTable } from '../db/database.types';
import { bumpIamVersion } from '../iam/iam.repository';

export type ProjectRow = ProjectsTable;
export type EnvironmentRow = EnvironmentsTable;

export class ProjectRepository {
  async insert(executor: Executor, row: ProjectRow): Promise<void> {
    await executor.insertInto('projects').values(row).execute();
  }

  async findByKey(executor: Executor, orgId: string, key: string): Promise<ProjectRow | undefined> {
    return executor
      .selectFrom('projects')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('key', '=', key)
      .executeTakeFirst();
  }

  async list(executor: Executor, orgId: string): Promise<ProjectRow[]> {
    return executor.selectFrom('projects').selectAll().where('org_id', '=', orgId).orderBy('key').execute();
  }

  async update(executor: Executor, id: string, changes: Partial<Pick<ProjectRow, 'name'>>): Promise<void> {
    await executor.updateTable('projects').set(changes).where('id', '=', id).execute();
  }

  async delete(executor: Executor, id: string): Promise<void> {
    await executor.deleteFrom('environments').where('project_id', '=', id).execute();
    await executor.deleteFrom('projects').where('id', '=', id).execute();
    await bumpIamVersion(executor);
  }
}
