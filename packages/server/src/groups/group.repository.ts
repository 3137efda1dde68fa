import type { Executor } from '../db/database';
import type { GroupsTable } from '../db/database.types';
import { bumpIamVersion } from '../iam/iam.repository';

export type GroupRow = GroupsTable;

export class GroupRepository {
  async insert(executor: Executor, row: GroupRow): Promise<void> {
    await executor.insertInto('groups').values(row).execute();
    await bumpIamVersion(executor);
  }

  async findByKey(executor: Executor, orgId: string, key: string): Promise<GroupRow | undefined> {
    return executor
      .selectFrom('groups')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('key', '=', key)
      .executeTakeFirst();
  }

  async list(executor: Executor, orgId: string): Promise<GroupRow[]> {
    return executor.selectFrom('groups').selectAll().where('org_id', '=', orgId).orderBy('key').execute();
  }

  async update(executor: Executor, id: string, changes: Partial<Pick<GroupRow, 'name'>>): Promise<void> {
    await executor.updateTable('groups').set(changes).where('id', '=', id).execute();
    await bumpIamVersion(executor);
  }

  async delete(executor: Executor, id: string): Promise<void> {
    await executor.deleteFrom('group_members').where('group_id', '=', id).execute();
    await executor.deleteFrom('assignments').where('group_id', '=', id).execute();
    await executor.deleteFrom('groups').where('id', '=', id).execute();
    await bumpIamVersion(executor);
  }

  async memberIds(executor: Executor, groupId: string): Promise<string[]> {
    const rows = await executor
      .selectFrom('group_members')
      .select('member_id')
      .where('group_id', '=', groupId)
      .execute();
    return rows.map((r) => r.member_id);
  }

  /** Member emails of every group of an organization, keyed by group id. */
  async membersByGroup(executor: Executor, orgId: string): Promise<Map<string, string[]>> {
    const rows = await executor
      .selectFrom('group_members')
      .innerJoin('groups', 'groups.id', 'group_members.group_id')
      .innerJoin('members', 'members.id', 'group_members.member_id')
      .select(['group_members.group_id as groupId', 'members.email as email'])
      .where('groups.org_id', '=', orgId)
      .orderBy('members.email')
      .execute();
    const result = new Map<string, string[]>();
    for (const row of rows) result.set(row.groupId, [...(result.get(row.groupId) ?? []), row.email]);
    return result;
  }

  async groupKeysOfMember(executor: Executor, memberId: string): Promise<string[]> {
    const rows = await executor
      .selectFrom('group_members')
      .innerJoin('groups', 'groups.id', 'group_members.group_id')
      .select('groups.key')
      .where('group_members.member_id', '=', memberId)
      .execute();
    return rows.map((r) => r.key);
  }

  async addMember(executor: Executor, groupId: string, memberId: string): Promise<void> {
    await executor.insertInto('group_members').values({ group_id: groupId, member_id: memberId }).execute();
    await bumpIamVersion(executor);
  }

  async removeMember(executor: Executor, groupId: string, memberId: string): Promise<void> {
    await executor
      .deleteFrom('group_members')
      .where('group_id', '=', groupId)
      .where('member_id', '=', memberId)
      .execute();
    await bumpIamVersion(executor);
  }

  async hasMember(executor: Executor, groupId: string, memberId: string): Promise<boolean> {
    const row = await executor
      .selectFrom('group_members')
      .select('member_id')
      .where('group_id', '=', groupId)
      .where('member_id', '=', memberId)
      .executeTakeFirst();
    return row !== undefined;
  }
}
