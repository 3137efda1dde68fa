import { type KeyedResource, keyedResource } from '../rn/rn.keys';
import type { ResourceName } from '../rn/rn.types';
import { ACTION_CATALOG, ACTION_NAMES, type ActionDefinition } from './action.catalog';
import {
  inapplicableMessage,
  type MessagePieces,
  messagePieces,
  missingMessage,
  noneAllowsMessage,
  ownerOnlyMessage,
  policyMessage,
  protectedMessage,
  roleMessage,
} from './decision.messages';
import type { Decider, Decision, DecisionReason } from './decision.types';
import type { IndexEntry } from './grant.compiler';
import { actionSlot } from './index-run.layout';
import type { Effect } from './policy.types';
import type { Principal } from './principal.index';
import { firstMatch, firstMatchKeys } from './principal.scan';
import { type EnvProtection, protectionAllows, protectionAllowsId } from './protection.guard';

/** An action's definition with its position in indexes. */
interface CatalogAction {
  readonly name: string;
  readonly def: ActionDefinition;
  readonly slot: number;
  readonly pieces: MessagePieces;
}

const CATALOG_ACTIONS: readonly CatalogAction[] = ACTION_NAMES.map((n) => ({
  name: n,
  def: ACTION_CATALOG[n],
  slot: actionSlot(n)!,
  pieces: messagePieces(n),
}));
// Actions by the length of their name: finding one compares a few strings (by pointer, as action
// names are literals) instead of hashing the name.
const BY_LENGTH: readonly (readonly CatalogAction[])[] = (() => {
  const out: CatalogAction[][] = [];
  for (const a of CATALOG_ACTIONS) {
    const list = out[a.name.length] ?? [];
    list.push(a);
    out[a.name.length] = list;
  }
  return Array.from(out, (list) => list ?? []);
})();

function catalogAction(action: string): CatalogAction | undefined {
  const candidates = BY_LENGTH[action.length];
  if (candidates === undefined) return undefined;
  for (let i = 0; i < candidates.length; i++) {
    const a = candidates[i]!;
    if (a.name === action) return a;
  }
  return undefined;
}

enum Outcome {
  AllowPolicy,
  AllowOwner,
  AllowAdmin,
  Protected,
  ExplicitDeny,
  OwnerOnly,
  ImplicitDeny,
}

// The entry behind the last AllowPolicy/ExplicitDeny outcome; read right after `evaluate` returns,
// which avoids allocating a result object for every ancestor check.
let lastEntry: IndexEntry | undefined;

// The owner is never locked out of changing the protection list, not even through CanAccessEnv.
function ownerManagingProtection(principal: Principal, action: string): boolean {
  return principal.orgRole === 'owner' && action === 'ManageProtectedOperations';
}

function matchOf(
  principal: Principal,
  slot: number,
  effect: Effect,
  resource: ResourceName,
  keys: KeyedResource | undefined,
): IndexEntry | undefined {
  return keys === undefined
    ? firstMatch(principal.index, slot, effect, resource)
    : firstMatchKeys(principal.index, slot, effect, resource, keys);
}

// `named` is `resource`, or for an ancestor the resource it was taken from: they share the project
// and environment, and `keys` (undefined off the hierarchy) are those of `named`, which the
// decision has already loaded.
function evaluate(
  principal: Principal,
  action: string,
  entry: CatalogAction,
  resource: ResourceName,
  protection: EnvProtection | undefined,
  named: ResourceName,
  keys: KeyedResource | undefined,
): Outcome {
  if (
    protection !== undefined &&
    named.env !== undefined &&
    protection.operations.includes(action) &&
    !ownerManagingProtection(principal, action) &&
    !(keys === undefined
      ? protectionAllows(protection, principal, named.project)
      : protectionAllowsId(protection, principal, keys.k0))
  ) {
    return Outcome.Protected;
  }
  // The owner holds no other role (DESIGN §2): their assignments are not consulted, so nobody can lock
  // the owner out with a deny.
  if (principal.orgRole === 'owner') return Outcome.AllowOwner;
  if (principal.index.hasDeny) {
    const deny = matchOf(principal, entry.slot, 'deny', resource, keys);
    if (deny !== undefined) {
      lastEntry = deny;
      return Outcome.ExplicitDeny;
    }
  }
  if (entry.def.ownerOnly) return Outcome.OwnerOnly;
  if (principal.orgRole === 'admin') return Outcome.AllowAdmin;
  const allow = matchOf(principal, entry.slot, 'allow', resource, keys);
  if (allow !== undefined) {
    lastEntry = allow;
    return Outcome.AllowPolicy;
  }
  return Outcome.ImplicitDeny;
}

function reasonOf(
  outcome: Outcome,
  principal: Principal,
  action: CatalogAction,
  resource: ResourceName,
  protection: EnvProtection | undefined,
): DecisionReason {
  switch (outcome) {
    case Outcome.AllowPolicy:
    case Outcome.ExplicitDeny: {
      const e = lastEntry!;
      const kind = outcome === Outcome.AllowPolicy ? 'allow' : 'explicit-deny';
      const message = policyMessage(e, action.pieces, resource);
      return e.group === undefined
        ? { kind, policy: e.policy, statement: e.statement, message }
        : { kind, policy: e.policy, statement: e.statement, group: e.group, message };
    }
    case Outcome.AllowOwner:
    case Outcome.AllowAdmin: {
      const role = outcome === Outcome.AllowOwner ? 'owner' : 'admin';
      return { kind: 'allow', orgRole: role, message: roleMessage(role, action.pieces, resource) };
    }
    case Outcome.Protected: {
      const project = resource.project ?? '';
      const environment = resource.env ?? '';
      return {
        kind: 'protected',
        protection: { project, environment, operation: action.name },
        message: protectedMessage(action.name, project, environment, protection!),
      };
    }
    case Outcome.OwnerOnly:
      return { kind: 'implicit-deny', orgRole: principal.orgRole, message: ownerOnlyMessage(action.name) };
    default:
      return { kind: 'implicit-deny', message: noneAllowsMessage(action.pieces, resource) };
  }
}

function isAllow(outcome: Outcome): boolean {
  return outcome <= Outcome.AllowAdmin;
}

const CAN_ACCESS_PROJECT = catalogAction('CanAccessProject')!;
const CAN_ACCESS_ENV = catalogAction('CanAccessEnv')!;

function missingAccess(
  principal: Principal,
  action: CatalogAction,
  resource: ResourceName,
  missingAction: CatalogAction,
  missingResource: ResourceName,
  outcome: Outcome,
  protection: EnvProtection | undefined,
): Decision {
  return {
    allowed: false,
    decision: 'missing-access',
    reason: {
      kind: 'missing-access',
      missing: { action: missingAction.name, resource: missingResource.text },
      cause: reasonOf(outcome, principal, missingAction, missingResource, protection),
      message: missingMessage(action.pieces, resource, missingAction.pieces, missingResource),
    },
  };
}

/**
 * Decides whether a principal may perform an action on a concrete resource (DESIGN §5): protection
 * guard → explicit deny → allow (owner: everything; admin: all but owner-only actions) → default
 * deny, then the ancestor rule (CanAccessProject on the project, CanAccessEnv on the environment, for
 * any other action on or inside them). `protection` is that of the resource's environment.
 *
 * @example
 * const d = decide(principal, 'UpdateFlagOn', rn.flag('shop', { key: 'production', production: true }, 'checkout'), protection);
 * d.decision;        // 'protected'
 * d.reason.message;  // 'Denied: UpdateFlagOn is a protected operation in environment "production" of project "shop"; …'
 */
export function decide(
  principal: Principal,
  action: string,
  resource: ResourceName,
  protection?: EnvProtection,
): Decision {
  const known = catalogAction(action);
  if (known === undefined || known.def.resourceType !== resource.type) {
    return {
      allowed: false,
      decision: 'implicit-deny',
      reason: {
        kind: 'implicit-deny',
        message: inapplicableMessage(action, resource, known?.def.resourceType),
      },
    };
  }
  // Off the hierarchy (undefined keys), the ancestors are matched with their own names.
  const keys = keyedResource(resource);
  const outcome = evaluate(principal, action, known, resource, protection, resource, keys);
  if (!isAllow(outcome)) {
    return {
      allowed: false,
      decision:
        outcome === Outcome.Protected
          ? 'protected'
          : outcome === Outcome.ExplicitDeny
            ? 'explicit-deny'
            : 'implicit-deny',
      reason: reasonOf(outcome, principal, known, resource, protection),
    };
  }
  const entry = lastEntry;
  const projectRn = resource.projectRn;
  if (projectRn !== undefined && action !== 'CanAccessProject') {
    const o = evaluate(
      principal,
      'CanAccessProject',
      CAN_ACCESS_PROJECT,
      projectRn,
      undefined,
      resource,
      keys,
    );
    if (!isAllow(o))
      return missingAccess(principal, known, resource, CAN_ACCESS_PROJECT, projectRn, o, undefined);
  }
  const envRn = resource.envRn;
  if (envRn !== undefined && action !== 'CanAccessEnv') {
    const guard = ownerManagingProtection(principal, action) ? undefined : protection;
    const o = evaluate(principal, 'CanAccessEnv', CAN_ACCESS_ENV, envRn, guard, resource, keys);
    if (!isAllow(o)) return missingAccess(principal, known, resource, CAN_ACCESS_ENV, envRn, o, guard);
  }
  lastEntry = entry;
  return {
    allowed: true,
    decision: 'allow',
    reason: reasonOf(outcome, principal, known, resource, protection),
  };
}

/**
 * Whether `decide` would allow, without building an explanation (for bulk questions).
 *
 * @example
 * isAllowed(principal, 'CanAccessEnv', rn.env('shop', { key: 'dev', production: false })); // true
 */
export function isAllowed(
  principal: Principal,
  action: string,
  resource: ResourceName,
  protection?: EnvProtection,
): boolean {
  const known = catalogAction(action);
  if (known === undefined || known.def.resourceType !== resource.type) return false;
  const keys = keyedResource(resource);
  if (!isAllow(evaluate(principal, action, known, resource, protection, resource, keys))) return false;
  const projectRn = resource.projectRn;
  if (projectRn !== undefined && action !== 'CanAccessProject') {
    const o = evaluate(
      principal,
      'CanAccessProject',
      CAN_ACCESS_PROJECT,
      projectRn,
      undefined,
      resource,
      keys,
    );
    if (!isAllow(o)) return false;
  }
  const envRn = resource.envRn;
  if (envRn !== undefined && action !== 'CanAccessEnv') {
    const guard = ownerManagingProtection(principal, action) ? undefined : protection;
    if (!isAllow(evaluate(principal, 'CanAccessEnv', CAN_ACCESS_ENV, envRn, guard, resource, keys)))
      return false;
  }
  return true;
}

/**
 * Binds a principal and a lookup of environment protections into a {@link Decider}.
 *
 * @example
 * const can = createDecider(principal, (project, env) => protections.get(`${project}/${env}`));
 * can('DeleteFlag', rn.flag('shop', prod, 'checkout')).allowed;
 */
export function createDecider(
  principal: Principal,
  protectionOf?: (project: string, env: string) => EnvProtection | undefined,
): Decider {
  return (action, resource) => {
    const protection =
      protectionOf !== undefined && resource.env !== undefined && resource.project !== undefined
        ? protectionOf(resource.project, resource.env)
        : undefined;
    return decide(principal, action, resource, protection);
  };
}
