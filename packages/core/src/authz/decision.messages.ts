import type { ResourceName } from '../rn/rn.types';
import type { IndexEntry } from './grant.compiler';
import type { OrgRole } from './policy.types';
import { describeProtectionAllowed, type EnvProtection } from './protection.guard';

const via = (entry: IndexEntry): string =>
  entry.group === undefined ? '' : ` (assigned to group "${entry.group}")`;

/**
 * The parts of decision messages that depend on the action alone, made once per action so that a
 * decision joins 3–5 strings instead of about ten (the text is the same as writing the message out
 * at once). Decisions keep them with the action's catalog entry.
 *
 * @example
 * messagePieces('UpdateFlagOn').on; // 'UpdateFlagOn on '
 */
export interface MessagePieces {
  readonly on: string;
  readonly ownerMayOn: string;
  readonly adminsMayOn: string;
  readonly noneAllowsOn: string;
  readonly deniedOn: string;
  readonly alsoNeedsOn: string;
  readonly protectedIn: string;
}

const piecesMade = new Map<string, MessagePieces>();

/**
 * The {@link MessagePieces} of an action.
 *
 * @example
 * messagePieces('DeleteFlag').noneAllowsOn; // 'Denied: none of your policies allows DeleteFlag on '
 */
export function messagePieces(action: string): MessagePieces {
  let pieces = piecesMade.get(action);
  if (pieces === undefined) {
    pieces = {
      on: `${action} on `,
      ownerMayOn: `Allowed: the organization owner may perform ${action} on `,
      adminsMayOn: `Allowed: organization admins may perform ${action} on `,
      noneAllowsOn: `Denied: none of your policies allows ${action} on `,
      deniedOn: `Denied: ${action} on `,
      alsoNeedsOn: ` also needs ${action} on `,
      protectedIn: `Denied: ${action} is a protected operation in environment "`,
    };
    // Bounded: callers with unknown actions get the pieces without keeping them.
    if (piecesMade.size < 1_000) piecesMade.set(action, pieces);
  }
  return pieces;
}

const DENY_TAIL = '; ask an organization admin to change that policy or its assignment.';
const IMPLICIT_TAIL_ORG = '; ask an organization admin for a role that grants it.';
const IMPLICIT_TAIL_PROJECT = '; ask a project admin or an organization admin for a role that grants it.';
const missingTails = (whom: string): readonly [string, string] => [
  `, which you do not have; ask ${whom} for access to that project.`,
  `, which you do not have; ask ${whom} for access to that environment.`,
];
const MISSING_TAILS_ORG = missingTails('an organization admin');
const MISSING_TAILS_PROJECT = missingTails('a project admin or an organization admin');

/**
 * The message of an allow through a policy statement.
 *
 * @example
 * allowByPolicyMessage(entry, 'UpdateFlagOn', resource);
 * // 'Allowed: statement 2 of policy "production-access" allows UpdateFlagOn on project/shop:env/dev:flag/checkout.'
 */
export function allowByPolicyMessage(entry: IndexEntry, action: string, resource: ResourceName): string {
  if (entry.effect === 'allow') return policyMessage(entry, messagePieces(action), resource);
  return `Allowed: statement ${entry.statement} of policy "${entry.policy}"${via(entry)} allows ${action} on ${resource.text}.`;
}

/**
 * The message of an allow through an org role.
 *
 * @example
 * allowByRoleMessage('owner', 'DeleteOrg', rn.org()); // 'Allowed: the organization owner may perform DeleteOrg on org.'
 */
export function allowByRoleMessage(role: OrgRole, action: string, resource: ResourceName): string {
  return roleMessage(role, messagePieces(action), resource);
}

/**
 * The message of an explicit deny.
 *
 * @example
 * explicitDenyMessage(entry, 'UpdateFlagOn', resource);
 * // 'Denied: statement 0 of policy "freeze" explicitly denies UpdateFlagOn on …; ask an organization admin to change that policy or its assignment.'
 */
export function explicitDenyMessage(entry: IndexEntry, action: string, resource: ResourceName): string {
  if (entry.effect === 'deny') return policyMessage(entry, messagePieces(action), resource);
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
  return noneAllowsMessage(messagePieces(action), resource);
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
const protectedTails = new WeakMap<EnvProtection, string>();

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
  let tail = protectedTails.get(protection);
  if (tail === undefined) {
    tail = `; only ${describeProtectionAllowed(protection)} may perform it. Ask one of them, or an organization admin to change the protection.`;
    protectedTails.set(protection, tail);
  }
  return `${messagePieces(action).protectedIn + env}" of project "${project}"${tail}`;
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
  return missingMessage(messagePieces(action), resource, messagePieces(missingAction), missingResource);
}

/**
 * The message of a decision by a policy entry (an allow or an explicit deny, by its effect).
 *
 * @example
 * policyMessage(entry, messagePieces('UpdateFlagOn'), resource); // same as allowByPolicyMessage for an allow
 */
export function policyMessage(entry: IndexEntry, pieces: MessagePieces, resource: ResourceName): string {
  const text = entry.messageHead + pieces.on + resource.text;
  return entry.effect === 'allow' ? `${text}.` : text + DENY_TAIL;
}

/**
 * {@link allowByRoleMessage} with the action's pieces.
 *
 * @example
 * roleMessage('admin', messagePieces('DeleteFlag'), resource);
 */
export function roleMessage(role: OrgRole, pieces: MessagePieces, resource: ResourceName): string {
  return `${(role === 'owner' ? pieces.ownerMayOn : pieces.adminsMayOn) + resource.text}.`;
}

/**
 * {@link implicitDenyMessage} with the action's pieces.
 *
 * @example
 * noneAllowsMessage(messagePieces('DeleteFlag'), resource);
 */
export function noneAllowsMessage(pieces: MessagePieces, resource: ResourceName): string {
  return (
    pieces.noneAllowsOn +
    resource.text +
    (resource.project === undefined ? IMPLICIT_TAIL_ORG : IMPLICIT_TAIL_PROJECT)
  );
}

/**
 * {@link missingAccessMessage} with the pieces of the action and of the missing action.
 *
 * @example
 * missingMessage(messagePieces('UpdateFlagOn'), resource, messagePieces('CanAccessEnv'), resource.envRn!);
 */
export function missingMessage(
  pieces: MessagePieces,
  resource: ResourceName,
  missing: MessagePieces,
  missingResource: ResourceName,
): string {
  const tails = missingResource.project === undefined ? MISSING_TAILS_ORG : MISSING_TAILS_PROJECT;
  const tail = missingResource.type === 'project' ? tails[0] : tails[1];
  return pieces.deniedOn + resource.text + missing.alsoNeedsOn + missingResource.text + tail;
}
