import type { Executor } from '../db/database';
import type { Authorizer, Refusal, Requirement } from './authorizer';
import type { MemberPrincipal, Principal } from './principal';

/** Organization actions only the owner may perform. */
export const OWNER_ONLY_ACTIONS: ReadonlySet<string> = new Set([
  'UpdateOrgSettings',
  'DeleteOrg',
  'TransferOwnership',
]);

function effectiveMember(principal: Principal): MemberPrincipal | undefined {
  return principal.kind === 'system' ? principal.onBehalfOf : principal;
}

/**
 * Decides by organization role alone: the owner may do everything, admins everything but the owner-only
 * organization actions, members nothing beyond what later policies grant them.
 */
export class OrgRoleAuthorizer implements Authorizer {
  async refusals(_executor: Executor, principal: Principal, requirements: Requirement[]): Promise<Refusal[]> {
    const member = effectiveMember(principal);
    const refused: Refusal[] = [];
    for (const requirement of requirements) {
      const role = member?.orgRole;
      const allowed = role === 'owner' || (role === 'admin' && !OWNER_ONLY_ACTIONS.has(requirement.action));
      if (!allowed) {
        refused.push({
          ...requirement,
          decision: 'implicit-deny',
          reason: `${requirement.action} on ${requirement.resource} is not granted to ${member ? `organization role ${member.orgRole}` : 'the system actor'}`,
        });
      }
    }
    return refused;
  }
}
