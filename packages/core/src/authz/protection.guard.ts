import type { FieldError } from '../errors/flagward-error';
import { keyProblem } from '../keys/key';
import { internNameId } from '../rn/rn.intern';
import { emailNameProblem } from '../rn/rn.types';
import { type ActionName, isActionName, isEnvironmentAction, suggestAction } from './action.catalog';
import type { OrgRole } from './policy.types';
import { heldPolicyBit, holdsPolicy, holdsPolicyId, type Principal } from './principal.index';

/**
 * The protected operations of one environment and who may perform them (DESIGN §5 step 1).
 * `members` are compared with both the member id and the email of the principal.
 *
 * @example
 * const p: EnvProtection = { operations: ['UpdateFlagOn'], allowed: { orgRoles: ['owner', 'admin'], policies: ['production-access'] } };
 */
export interface EnvProtection {
  readonly operations: readonly string[];
  readonly allowed: {
    readonly orgRoles?: readonly OrgRole[];
    readonly policies?: readonly string[];
    readonly groups?: readonly string[];
    readonly members?: readonly string[];
  };
}

/**
 * Operations a production environment starts with protected.
 *
 * @example
 * DEFAULT_PRODUCTION_PROTECTED_OPERATIONS.includes('WriteVariable'); // true
 */
export const DEFAULT_PRODUCTION_PROTECTED_OPERATIONS: readonly ActionName[] = [
  'UpdateFlagOn',
  'UpdateFlagRollout',
  'ScheduleFlagRollout',
  'WriteVariable',
  'DeleteVariable',
];

/**
 * The protection a new production environment starts with: enable/disable, rollout changes (and
 * scheduling them) and variable writes (and deletes), allowed to the org owner and admins and to
 * holders of Production Access or Project Admin of the project.
 *
 * @example
 * defaultProductionProtection().allowed.policies; // ['production-access', 'project-admin']
 */
export function defaultProductionProtection(): EnvProtection {
  return {
    operations: [...DEFAULT_PRODUCTION_PROTECTED_OPERATIONS],
    allowed: {
      orgRoles: ['owner', 'admin'],
      policies: ['production-access', 'project-admin'],
      groups: [],
      members: [],
    },
  };
}

/**
 * Whether a protection lets the principal perform its operations in an environment of `project`.
 *
 * @example
 * protectionAllows(defaultProductionProtection(), adminPrincipal, 'shop'); // true
 */
export function protectionAllows(
  protection: EnvProtection,
  principal: Principal,
  project: string | undefined,
): boolean {
  const allowed = protection.allowed;
  if (allowed.orgRoles?.includes(principal.orgRole)) return true;
  if (allowed.members !== undefined && allowed.members.length > 0) {
    if (allowed.members.includes(principal.memberId)) return true;
    if (principal.email !== undefined && allowed.members.includes(principal.email)) return true;
  }
  if (allowed.groups !== undefined) {
    for (const g of allowed.groups) if (principal.groups.includes(g)) return true;
  }
  if (allowed.policies !== undefined) {
    for (const p of allowed.policies) if (holdsPolicy(principal.index, p, project)) return true;
  }
  return false;
}

// Protections are loaded once and reused across many decisions (see decision.messages.ts).
interface ProtectionPolicies {
  readonly ids: readonly number[];
  /** The {@link heldPolicyBit}s of `ids`. */
  readonly bits: number;
}

const policyIds = new WeakMap<EnvProtection, ProtectionPolicies>();

function policyIdsOf(protection: EnvProtection): ProtectionPolicies {
  let known = policyIds.get(protection);
  if (known === undefined) {
    const ids = (protection.allowed.policies ?? []).map(internNameId);
    known = { ids, bits: ids.reduce((bits, id) => bits | heldPolicyBit(id), 0) };
    policyIds.set(protection, known);
  }
  return known;
}

/**
 * {@link protectionAllows} with the project given by the interned id of its name (rn.intern.ts; 0
 * when no pattern or assignment spells it), as decisions read it from the resource's keys.
 *
 * @example
 * protectionAllowsId(defaultProductionProtection(), principal, keyedResource(resource)!.k0);
 */
export function protectionAllowsId(
  protection: EnvProtection,
  principal: Principal,
  project: number,
): boolean {
  const allowed = protection.allowed;
  if (allowed.orgRoles?.includes(principal.orgRole)) return true;
  if (allowed.members !== undefined && allowed.members.length > 0) {
    if (allowed.members.includes(principal.memberId)) return true;
    if (principal.email !== undefined && allowed.members.includes(principal.email)) return true;
  }
  if (allowed.groups !== undefined) {
    for (const g of allowed.groups) if (principal.groups.includes(g)) return true;
  }
  const { ids, bits } = policyIdsOf(protection);
  // Most principals hold none of the protection's policies, which their held bits tell at once.
  if ((principal.index.heldBits & bits) === 0) return false;
  for (let i = 0; i < ids.length; i++) if (holdsPolicyId(principal.index, ids[i]!, project)) return true;
  return false;
}

/**
 * Validates a protection as submitted: operations must be catalog actions on an environment or
 * something inside one; the allowed lists must hold org roles, keys and emails.
 *
 * @example
 * validateProtection({ operations: ['CreateProject'], allowed: {} });
 * // [{ path: 'operations[0]', message: 'CreateProject is not an operation inside an environment' }]
 */
export function validateProtection(input: {
  operations?: unknown;
  allowed?: Record<string, unknown> | undefined;
}): FieldError[] {
  const errors: FieldError[] = [];
  if (!Array.isArray(input.operations))
    errors.push({ path: 'operations', message: 'must be an array of actions' });
  else {
    input.operations.forEach((op: unknown, i) => {
      const path = `operations[${i}]`;
      if (typeof op !== 'string' || !isActionName(op)) {
        const hint = typeof op === 'string' ? suggestAction(op) : undefined;
        errors.push({
          path,
          message: `unknown action${hint === undefined ? '' : ` (did you mean "${hint}"?)`}`,
        });
      } else if (!isEnvironmentAction(op)) {
        errors.push({ path, message: `${op} is not an operation inside an environment` });
      }
    });
  }
  const allowed = input.allowed ?? {};
  const check = (field: string, problem: (v: string) => string | undefined): void => {
    const list = allowed[field];
    if (list === undefined) return;
    if (!Array.isArray(list)) {
      errors.push({ path: `allowed.${field}`, message: 'must be an array' });
      return;
    }
    list.forEach((v: unknown, i) => {
      const p = typeof v === 'string' ? problem(v) : 'must be a string';
      if (p !== undefined) errors.push({ path: `allowed.${field}[${i}]`, message: p });
    });
  };
  check('orgRoles', (v) =>
    v === 'owner' || v === 'admin' || v === 'member' ? undefined : 'must be owner, admin or member',
  );
  check('policies', keyProblem);
  check('groups', keyProblem);
  check('members', emailNameProblem);
  return errors;
}

/**
 * A sentence naming who may perform a protected operation, for refusal messages.
 *
 * @example
 * describeProtectionAllowed(defaultProductionProtection());
 * // 'the org roles owner and admin, or holders of the policies production-access or project-admin of this project'
 */
export function describeProtectionAllowed(protection: EnvProtection): string {
  const a = protection.allowed;
  const parts: string[] = [];
  const list = (items: readonly string[], word: string): string =>
    items.length === 1
      ? `${word} ${items[0]}`
      : `${word}s ${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
  const anyOf = (items: readonly string[]): string =>
    items.length === 1 ? items[0]! : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
  if (a.orgRoles !== undefined && a.orgRoles.length > 0) parts.push(`the ${list(a.orgRoles, 'org role')}`);
  if (a.policies !== undefined && a.policies.length > 0) {
    parts.push(
      `holders of the ${a.policies.length === 1 ? 'policy' : 'policies'} ${anyOf(a.policies)} of this project`,
    );
  }
  if (a.groups !== undefined && a.groups.length > 0) {
    parts.push(`members of the ${a.groups.length === 1 ? 'group' : 'groups'} ${anyOf(a.groups)}`);
  }
  if (a.members !== undefined && a.members.length > 0) parts.push(anyOf(a.members));
  if (parts.length === 0) return 'nobody';
  return parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(', ')}, or ${parts.at(-1)}`;
}
