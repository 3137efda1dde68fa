import type { Executor } from '../db/database';
import type { MembersTable } from '../db/database.types';
import type { OrgRole } from '../governance/principal';
import { bumpIamVersion } from '../iam/iam.repository';

export type MemberRow = MembersTable;

export class MemberRepository {
  async insert(executor: Executor, row: MemberRow): Promise<void> {
    await executor.insertInto('members').values(row).execute();
  }

  async findByEmail(executor: Executor, orgId: string, email: string): Promise<MemberRow | undefined> {
    return executor
      .selectFrom('members')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('email', '=', email)
      .executeTakeFirst();
  }

  /** Login is by email alone: the first organization that knows the address. */
  async findAnyByEmail(executor: Executor, email: string): Promise<MemberRow | undefined> {
    return executor
      .selectFrom('members')
      .selectAll()
      .where('email', '=', email)
      .orderBy('created_at')
      .executeTakeFirst();
  }

  async findById(executor: Executor, id: string): Promise<MemberRow | undefined> {
    return executor.selectFrom('members').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The organization's members by email, optionally only those after `page.after`, at most `page.limit`. */
  async list(
    executor: Executor,
    orgId: string,
    page: { after?: string | undefined; limit?: number | undefined } = {},
  ): Promise<MemberRow[]> {
    let query = executor.selectFrom('members').selectAll().where('org_id', '=', orgId);
    if (page.after !== undefined) query = query.where('email', '>', page.after);
    query = query.orderBy('email');
    if (page.limit !== undefined) query = query.limit(page.limit);
    return query.execute();
  }

  async findByIds(executor: Executor, ids: string[]): Promise<MemberRow[]> {
    if (ids.length === 0) return [];
    return executor.selectFrom('members').selectAll().where('id', 'in', ids).execute();
  }

  async update(
    executor: Executor,
    id: string,
    changes: Partial<Pick<MemberRow, 'name' | 'org_role' | 'disabled' | 'password_hash' | 'updated_at'>>,
  ): Promise<void> {
    await executor.updateTable('members').set(changes).where('id', '=', id).execute();
  }

  async setRole(executor: Executor, id: string, role: OrgRole, at: string): Promise<void> {
    await executor
      .updateTable('members')
      .set({ org_role: role, updated_at: at })
      .where('id', '=', id)
      .execute();
  }

  /** Removes a member and everything that only exists through them (sessions, tokens, invitations, group seats, assignments). */
  async delete(executor: Executor, id: string): Promise<void> {
    await executor.deleteFrom('sessions').where('member_id', '=', id).execute();
    await executor.deleteFrom('api_tokens').where('member_id', '=', id).execute();
    await executor.deleteFrom('invitations').where('member_id', '=', id).execute();
    await executor.deleteFrom('group_members').where('member_id', '=', id).execute();
    await executor.deleteFrom('assignments').where('member_id', '=', id).execute();
    await executor.deleteFrom('members').where('id', '=', id).execute();
    await bumpIamVersion(executor);
  }
}
