import type { Executor } from '../db/database';
import type { InvitationsTable, SessionsTable } from '../db/database.types';

export type SessionRow = SessionsTable;
export type InvitationRow = InvitationsTable;

export class SessionRepository {
  async insert(executor: Executor, row: SessionRow): Promise<void> {
    await executor.insertInto('sessions').values(row).execute();
  }

  async findByTokenHash(executor: Executor, tokenHash: string): Promise<SessionRow | undefined> {
    return executor.selectFrom('sessions').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  }

  async delete(executor: Executor, id: string): Promise<void> {
    await executor.deleteFrom('sessions').where('id', '=', id).execute();
  }

  async deleteForMember(executor: Executor, memberId: string): Promise<void> {
    await executor.deleteFrom('sessions').where('member_id', '=', memberId).execute();
  }
}

export class InvitationRepository {
  async insert(executor: Executor, row: InvitationRow): Promise<void> {
    await executor.insertInto('invitations').values(row).execute();
  }

  async findByTokenHash(executor: Executor, tokenHash: string): Promise<InvitationRow | undefined> {
    return executor
      .selectFrom('invitations')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
  }

  async markAccepted(executor: Executor, id: string, at: string): Promise<void> {
    await executor.updateTable('invitations').set({ accepted_at: at }).where('id', '=', id).execute();
  }
}
