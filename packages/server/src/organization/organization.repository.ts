import type { Executor } from '../db/database';
import type { OrganizationsTable } from '../db/database.types';

export type OrganizationRow = OrganizationsTable;

export class OrganizationRepository {
  async count(executor: Executor): Promise<number> {
    const row = await executor
      .selectFrom('organizations')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async insert(executor: Executor, row: OrganizationRow): Promise<void> {
    await executor.insertInto('organizations').values(row).execute();
  }

  async findById(executor: Executor, id: string): Promise<OrganizationRow | undefined> {
    return executor.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async findOnly(executor: Executor): Promise<OrganizationRow | undefined> {
    const rows = await executor.selectFrom('organizations').selectAll().limit(2).execute();
    return rows.length === 1 ? rows[0] : undefined;
  }
}
