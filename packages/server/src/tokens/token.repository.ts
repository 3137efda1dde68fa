import type { Executor } from '../db/database';
import type { ApiTokensTable } from '../db/database.types';

export type TokenRow = ApiTokensTable;

export class TokenRepository {
  async insert(executor: Executor, row: TokenRow): Promise<void> {
    await executor.insertInto('api_tokens').values(row).execute();
  }

  async findBySecretHash(executor: Executor, secretHash: string): Promise<TokenRow | undefined> {
    return executor
      .selectFrom('api_tokens')
      .selectAll()
      .where('secret_hash', '=', secretHash)
      .executeTakeFirst();
  }

  async findById(executor: Executor, orgId: string, id: string): Promise<TokenRow | undefined> {
    return executor
      .selectFrom('api_tokens')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async listForMember(executor: Executor, memberId: string): Promise<TokenRow[]> {
    return executor
      .selectFrom('api_tokens')
      .selectAll()
      .where('member_id', '=', memberId)
      .orderBy('created_at', 'desc')
      .execute();
  }

  async revoke(executor: Executor, id: string, at: string): Promise<void> {
    await executor.updateTable('api_tokens').set({ revoked_at: at }).where('id', '=', id).execute();
  }

  async touch(executor: Executor, id: string, at: string): Promise<void> {
    await executor.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
  }
}
