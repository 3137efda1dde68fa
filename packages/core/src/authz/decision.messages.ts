import type { ResourceName } from '../rn/rn.types';
import type { IndexEntry } from './grant.compiler';
import type { OrgRole } from './policy.types';
import { describeProtectionAllowed, type EnvProtection } from './protection.guard';

const via = (entry: IndexEntry): string =>
  entry.group === undefined ? '' : ` (assigned to group "${entry.group}")`;

const whomToAsk = (resource: ResourceName): string =>
  resource.project === undefined ? 'an organization admin' : 'a project admin or an organization admin';

/**
 * The message of an allow through a policy statement.
 *
 * @example
 * allowByPolicyMessage(entry, 'UpdateFlagOn', resource);
 * // 'Allowed: statement 2 of policy "production-access" allows UpdateFlagOn on project/shop:env/dev:flag/checkout.'
 */
export function allowByPolicyMessage(entry: IndexEntry, action: string, resource: ResourceName): string {
  return `Allowed: statement ${entry.statement} of policy "${entry.policy}"${via(entry)} allows ${action} on ${resource.text}.`;
}

/**
 * The message of an allow through an org role.
 *
 * @example
 * allowByRoleMessage('owner', 'DeleteOrg', rn.org()); // 'Allowed: the organization owner may perform DeleteOrg on org.'
 */
export function allowByRoleMessage(role: OrgRole, action: string, resource: ResourceName): string {
  const who = role === 'owner' ? 'the organization owner' : 'organization admins';
  return `Allowed: ${who} may perform ${action} on ${resource.text}.`;
}

/**
 * The message of an explicit deny.
 *
 * @example
 * explicitDenyMessage(entry, 'UpdateFlagOn', resource);
 * // 'Denied: statement 0 of policy "freeze" explicitly denies UpdateFlagOn on …; ask an organization admin to change that policy or its assignment.'
 */
export function explicitDenyMessage(entry: IndexEntry, action: string, resource: ResourceName): string {
  return `Denied: statement ${entry.statement} of policy "${entry.policy}"${via(entry)} explicitly denies ${action} on ${resource.text}; ask an organization admin to change that policy or its assignment.`;
}

/**
 * The message of a default deny.
 *
 * @example
 * implicitDenyMessage('UpdateFlagOn', resource);
 * // 'Denied: none of your policies allows UpdateFlagOn on …; ask a project admin or an organization admin for a role that grants it.'
 */
export function implicitDenyMessage(action: string, resource: ResourceName): string {
  return `Denied: none of your policies allows ${action} on ${resource.text}; ask ${whomToAsk(resource)} for a role that grants it.`;
}

/**
 * The message of a refused owner-only action.
 *
 * @example
 * ownerOnlyMessage('DeleteOrg'); // 'Denied: DeleteOrg is reserved to the organization owner; ask the owner.'
 */
export function ownerOnlyMessage(action: string): string {
  return `Denied: ${action} is reserved to the organization owner; ask the owner.`;
}

/**
 * The message of an action that does not apply to the resource, or is not in the catalog.
 *
 * @example
 * inapplicableMessage('UpdateFlagOn', rn.org(), 'flag'); // 'Denied: UpdateFlagOn applies to flag resources, not to org.'
 */
export function inapplicableMessage(
  action: string,
  resource: ResourceName,
  expected: string | undefined,
): string {
  return expected === undefined
    ? `Denied: "${action}" is not a known action.`
    : `Denied: ${action} applies to ${expected} resources, not to ${resource.text}.`;
}

// Protections are loaded once and reused across many refusals; describing one is the costly part.
const allowedDescriptions = new WeakMap<EnvProtection, string>();

/**
 * The message of a refusal by a protected operation, naming whom to ask.
 *
 * @example
 * protectedMessage('UpdateFlagOn', 'shop', 'production', defaultProductionProtection());
 */
export function protectedMessage(
  action: string,
  project: string,
  env: string,
  protection: EnvProtection,
): string {
  let who = allowedDescriptions.get(protection);
  if (who === undefined) {
    who = describeProtectionAllowed(protection);
    allowedDescriptions.set(protection, who);
  }
  return `Denied: ${action} is a protected operation in environment "${env}" of project "${project}"; only ${who} may perform it. Ask one of them, or an organization admin to change the protection.`;
}

/**
 * The message of a missing ancestor access.
 *
 * @example
 * missingAccessMessage('UpdateFlagOn', resource, 'CanAccessEnv', resource.envRn!);
 */
export function missingAccessMessage(
  action: string,
  resource: ResourceName,
  missingAction: string,
  missingResource: ResourceName,
): string {
  const what = missingResource.type === 'project' ? 'project' : 'environment';
  return `Denied: ${action} on ${resource.text} also needs ${missingAction} on ${missingResource.text}, which you do not have; ask ${whomToAsk(missingResource)} for access to that ${what}.`;
}
