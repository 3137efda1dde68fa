import type { ResourceName } from '../rn/rn.types';
import { isAllowed } from './decision.engine';
import { actionSlot } from './index-run.layout';
import type { OrgRole } from './policy.types';
import type { Principal } from './principal.index';
import { allMatches } from './principal.scan';
import type { EnvProtection } from './protection.guard';

/**
 * One way a member is allowed: a policy statement, possibly through a group.
 *
 * @example
 * const v: WhoCanVia = { policy: 'production-access', statement: 2, group: 'releasers' };
 */
export interface WhoCanVia {
  readonly policy: string;
  readonly statement: number;
  readonly group?: string;
}

/**
 * A member allowed to perform the action, with every statement that allows it and the org role when
 * the role alone allows it (owner, admin).
 *
 * @example
 * const item: WhoCanItem = { memberId: 'm1', email: 'ann@acme.io', via: [{ policy: 'project-admin', statement: 1 }] };
 */
export interface WhoCanItem {
  readonly memberId: string;
  readonly email?: string;
  readonly orgRole?: OrgRole;
  readonly via: readonly WhoCanVia[];
}

/**
 * The principals that may perform an action on a resource (DESIGN §5 `who-can`), honouring the
 * protection, denies and the ancestor rule, each with the statements that allow it. Principals that
 * share an index share the (cached) work of listing its statements.
 *
 * @example
 * whoCan('UpdateFlagOn', rn.flag('shop', prod, 'checkout'), principals, protection)
 * // [{ memberId: 'm7', email: 'lead@acme.io', via: [{ policy: 'production-access', statement: 2 }] }, …]
 */
export function whoCan(
  action: string,
  resource: ResourceName,
  principals: readonly Principal[],
  protection?: EnvProtection,
): WhoCanItem[] {
  const out: WhoCanItem[] = [];
  const viaByIndex = new Map<Principal['index'], WhoCanVia[]>();
  const none: WhoCanVia[] = [];
  for (const principal of principals) {
    if (!isAllowed(principal, action, resource, protection)) continue;
    // The owner's assignments are never consulted (see decision.engine.ts), so they explain nothing.
    let via = principal.orgRole === 'owner' ? none : viaByIndex.get(principal.index);
    if (via === undefined) {
      via = [];
      for (const e of allMatches(principal.index, actionSlot(action)!, 'allow', resource)) {
        via.push(
          e.group === undefined
            ? { policy: e.policy, statement: e.statement }
            : { policy: e.policy, statement: e.statement, group: e.group },
        );
      }
      viaByIndex.set(principal.index, via);
    }
    const item: { -readonly [K in keyof WhoCanItem]: WhoCanItem[K] } = { memberId: principal.memberId, via };
    if (principal.email !== undefined) item.email = principal.email;
    if (principal.orgRole !== 'member') item.orgRole = principal.orgRole;
    out.push(item);
  }
  return out;
}
