import { randomUUID } from 'node:crypto';
import { FlagwardError } from '@flagward/core';
import type { ServiceDeps } from '../app/service-deps';
import type { Executor } from '../db/database';
import { requireMember } from '../governance/access';
import type { Principal, RequestMeta } from '../governance/principal';
import { hashSecret, newSecret } from '../security/secrets';
import type { TokenRepository, TokenRow } from './token.repository';

export const TOKEN_PREFIX = 'fw_pat_';

export interface TokenView {
  id: string;
  name: string;
  expiresAt: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revoked: boolean;
}

export interface IssuedToken {
  id: string;
  name: string;
  secret: string;
  expiresAt: string | null;
}

function tokenView(row: TokenRow): TokenView {
  return {
    id: row.id,
    name: row.name,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revoked: row.revoked_at !== null,
  };
}

/** Creates token rows; the secret exists only in the returned value, the database keeps its hash. */
export class TokenIssuer {
  constructor(
    private readonly tokens: TokenRepository,
    private readonly clock: () => Date,
  ) {}

  async issue(
    executor: Executor,
    input: { orgId: string; memberId: string; name: string; expiresAt: string | null },
  ): Promise<IssuedToken> {
    const secret = newSecret(TOKEN_PREFIX);
    const id = randomUUID();
    await this.tokens.insert(executor, {
      id,
      org_id: input.orgId,
      member_id: input.memberId,
      name: input.name,
      secret_hash: hashSecret(secret),
      expires_at: input.expiresAt,
      revoked_at: null,
      last_used_at: null,
      created_at: this.clock().toISOString(),
    });
    return { id, name: input.name, secret, expiresAt: input.expiresAt };
  }
}

/** Personal API tokens: create (shown once), list (never the secret), revoke. */
export class TokenService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly tokens: TokenRepository,
    private readonly issuer: TokenIssuer,
  ) {}

  async create(
    principal: Principal | undefined,
    input: { name: string; expiresAt?: string | undefined },
    meta: RequestMeta,
  ): Promise<IssuedToken> {
    const caller = requireMember(principal);
    if (input.expiresAt !== undefined && Date.parse(input.expiresAt) <= this.deps.clock().getTime()) {
      throw FlagwardError.validation([{ path: 'expiresAt', message: 'must be in the future' }]);
    }
    return this.deps.governed.run({
      principal: caller,
      meta,
      plan: async () => ({
        requirements: [],
        actions: ['CreateToken'],
        resource: `member/${caller.email}`,
        summary: `created API token "${input.name}" for ${caller.email}`,
        after: { name: input.name, expiresAt: input.expiresAt ?? null },
        apply: (tx) =>
          this.issuer.issue(tx, {
            orgId: caller.org.id,
            memberId: caller.memberId,
            name: input.name,
            expiresAt: input.expiresAt ?? null,
          }),
      }),
    });
  }

  async list(principal: Principal | undefined): Promise<TokenView[]> {
    const caller = requireMember(principal);
    return (await this.tokens.listForMember(this.deps.store.db, caller.memberId)).map(tokenView);
  }

  async revoke(principal: Principal | undefined, id: string, meta: RequestMeta): Promise<void> {
    const caller = requireMember(principal);
    await this.deps.governed.run({
      principal: caller,
      meta,
      plan: async (tx) => {
        const token = await this.tokens.findById(tx, caller.org.id, id);
        if (!token) throw new FlagwardError('not-found', `no token ${id}`);
        if (token.revoked_at !== null) return { unchanged: true, result: undefined };
        const own = token.member_id === caller.memberId;
        return {
          requirements: own ? [] : [{ action: 'ManageMembers', resource: 'org' }],
          actions: ['RevokeToken'],
          resource: `token/${token.id}`,
          summary: `revoked API token "${token.name}"`,
          before: tokenView(token),
          after: { ...tokenView(token), revoked: true },
          apply: async (applyTx) => {
            await this.tokens.revoke(applyTx, token.id, this.deps.clock().toISOString());
          },
        };
      },
    });
  }
}
