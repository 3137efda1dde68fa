import { FlagwardError } from '@flagward/core';
import type { Executor } from '../db/database';
import type { Authorizer, Requirement } from './authorizer';
import type { MemberPrincipal, Principal } from './principal';

/** The caller as a member; anything else is unauthenticated. */
export function requireMember(principal: Principal | undefined): MemberPrincipal {
  if (principal?.kind !== 'member') {
    throw new FlagwardError('unauthenticated', 'sign in or send an API token');
  }
  return principal;
}

/** Authorizes a read; reads are not audited, so a refusal only throws. */
export async function authorizeRead(
  authorizer: Authorizer,
  executor: Executor,
  principal: Principal,
  requirements: Requirement[],
): Promise<void> {
  const refused = await authorizer.refusals(executor, principal, requirements);
  if (refused.length > 0) {
    throw new FlagwardError(
      'forbidden',
      `not allowed: ${refused.map((r) => `${r.action} on ${r.resource}: ${r.reason}`).join('; ')}`,
      {
        details: {
          missing: refused.map(({ action, resource, decision, reason }) => ({
            action,
            resource,
            decision,
            reason,
          })),
        },
      },
    );
  }
}

/** Whether a read would be allowed (for filtering lists). */
export async function mayRead(
  authorizer: Authorizer,
  executor: Executor,
  principal: Principal,
  requirements: Requirement[],
): Promise<boolean> {
  return (await authorizer.refusals(executor, principal, requirements)).length === 0;
}
