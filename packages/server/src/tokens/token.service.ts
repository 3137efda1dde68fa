import { randomUUID } from 'node:crypto';
import { type AssignmentParams, FlagwardError } from '@flagward/core';
import type { ServiceDeps } from '../app/service-deps';
import type { Executor } from '../db/database';
import { requireMember } from '../governance/access';
import type { Refusal } from '../governance/authorizer';
import type { MemberPrincipal, Principal, RequestMeta, TokenLimit, TokenRef } from '../governance/principal';
import { bindablePolicy } from '../iam/assignment.service';
import type { AuthzContext } from '../iam/authz.context';
import { type AssignmentView, describeBinding, describeTokenLimit, mutableParams } from '../iam/iam.views';
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
  policy: TokenPolicyView | null;
}

/** The policy a token is limited to, as answered. */
export interface TokenPolicyView {
  key: string;
  params: AssignmentView['params'];
}

export interface IssuedToken {
  id: string;
  name: string;
  secret: string;
  expiresAt: string | null;
  policy: TokenPolicyView | null;
}

/** The limit stored with a token, if it has one. */
export function tokenLimitOf(row: Pick<TokenRow, 'policy_key' | 'policy_params'>): TokenLimit | undefined {
  if (row.policy_key === null) return undefined;
  return { policy: row.policy_key, params: JSON.parse(row.policy_params ?? '{}') as AssignmentParams };
}

/** How a request made with this token names it (its limit included, for the authorizer). */
export function tokenRefOf(row: TokenRow): TokenRef {
  const limit = tokenLimitOf(row);
  return { id: row.id, name: row.name, ...(limit ? { limit } : {}) };
}

/** A token's limit as answered (null: the member's full permissions). */
export function tokenPolicyView(limit: TokenLimit | undefined): TokenPolicyView | null {
  return limit ? { key: limit.policy, params: mutableParams(limit.params) } : null;
}

function tokenView(row: TokenRow): TokenView {
  return {
    id: row.id,
    name: row.name,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revoked: row.revoked_at !== null,
    policy: tokenPolicyView(tokenLimitOf(row)),
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
    input: {
      orgId: string;
      memberId: string;
      name: string;
      expiresAt: string | null;
      limit?: TokenLimit | undefined;
    },
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
      policy_key: input.limit?.policy ?? null,
      policy_params: input.limit ? JSON.stringify(input.limit.params) : null,
    });
    return { id, name: input.name, secret, expiresAt: input.expiresAt, policy: tokenPolicyView(input.limit) };
  }
}

/** The refusal of what no token limited to a policy may do, when the caller acts through one. */
function limitedTokenRefusals(
  caller: MemberPrincipal,
  action: string,
  resource: string,
  rule: string,
): Refusal[] {
  const token = caller.token;
  if (!token?.limit) return [];
  return [
    {
      action,
      resource,
      decision: 'implicit-deny',
      reason: `${describeTokenLimit({ name: token.name, limit: token.limit })}, and ${rule}`,
    },
  ];
}

/** Personal API tokens: create (shown once), list (never the secret), revoke. */
export class TokenService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly tokens: TokenRepository,
    private readonly issuer: TokenIssuer,
    private readonly contextOf: (executor: Executor, orgId: string) => AuthzContext,
  ) {}

  /**
   * Creates a token of the caller, optionally limited to a policy. A token that is itself limited
   * cannot create tokens: the new one could have more than its limit.
   */
  async create(
    principal: Principal | undefined,
    input: {
      name: string;
      expiresAt?: string | undefined;
      policy?: { key: string; params?: AssignmentParams | undefined } | undefined;
    },
    meta: RequestMeta,
  ): Promise<IssuedToken> {
    const caller = requireMember(principal);
    if (input.expiresAt !== undefined && Date.parse(input.expiresAt) <= this.deps.clock().getTime()) {
      throw FlagwardError.validation([{ path: 'expiresAt', message: 'must be in the future' }]);
    }
    return this.deps.governed.run({
      principal: caller,
      meta,
      plan: async (tx) => {
        let limit: TokenLimit | undefined;
        if (input.policy !== undefined) {
          const params = input.policy.params ?? {};
          const context = this.contextOf(tx, caller.org.id);
          await bindablePolicy(context, input.policy.key, params, {
            key: 'policy.key',
            params: 'policy.params',
          });
          limit = { policy: input.policy.key, params };
        }
        const limitText = limit ? ` limited to ${describeBinding(limit.policy, limit.params)}` : '';
        return {
          requirements: [],
          refusals: limitedTokenRefusals(
            caller,
            'CreateToken',
            `member/${caller.email}`,
            'a limited token cannot create API tokens',
          ),
          actions: ['CreateToken'],
          resource: `member/${caller.email}`,
          summary: `created API token "${input.name}" for ${caller.email}${limitText}`,
          after: { name: input.name, expiresAt: input.expiresAt ?? null, policy: tokenPolicyView(limit) },
          apply: (applyTx) =>
            this.issuer.issue(applyTx, {
              orgId: caller.org.id,
              memberId: caller.memberId,
              name: input.name,
              expiresAt: input.expiresAt ?? null,
              limit,
            }),
        };
      },
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
          // A leaked limited token must not be able to cut off its member's other integrations.
          refusals:
            own && token.id !== caller.token?.id
              ? limitedTokenRefusals(
                  caller,
                  'RevokeToken',
                  `token/${token.id}`,
                  'a limited token can revoke only itself',
                )
              : [],
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
