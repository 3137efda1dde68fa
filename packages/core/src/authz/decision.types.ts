import type { ResourceName } from '../rn/rn.types';
import type { OrgRole } from './policy.types';

/**
 * The rule that decided (API.md `/authz/check`).
 *
 * @example
 * const kind: DecisionKind = 'missing-access';
 */
export type DecisionKind = 'allow' | 'explicit-deny' | 'implicit-deny' | 'protected' | 'missing-access';

/**
 * The explanation of a decision: the deciding policy and statement (and group), the org role, the
 * protection, or the missing ancestor access, plus a sentence the member can act on.
 *
 * @example
 * const r: DecisionReason = { kind: 'allow', policy: 'production-access', statement: 2, message: 'Allowed: …' };
 */
export interface DecisionReason {
  readonly kind: DecisionKind;
  readonly policy?: string;
  readonly statement?: number;
  readonly group?: string;
  /** Set when an org role decided (owner: everything; admin: all but owner-only actions). */
  readonly orgRole?: OrgRole;
  readonly protection?: {
    readonly project: string;
    readonly environment: string;
    readonly operation: string;
  };
  readonly missing?: { readonly action: string; readonly resource: string };
  /** For `missing-access`: why the ancestor access was refused. */
  readonly cause?: DecisionReason;
  /** For scoped decisions: the environment that decided. */
  readonly environment?: string;
  readonly message: string;
}

/**
 * A decision with its explanation.
 *
 * @example
 * const d: Decision = decide(principal, 'UpdateFlagOn', rn.flag('shop', prodEnv, 'checkout'), protection);
 * if (!d.allowed) console.log(d.reason.message);
 */
export interface Decision {
  readonly allowed: boolean;
  readonly decision: DecisionKind;
  readonly reason: DecisionReason;
}

/**
 * A principal's decision function bound to its protections, as used by scope and delegation checks.
 *
 * @example
 * const can: Decider = createDecider(principal, (project, env) => protections.get(`${project}/${env}`));
 * can('UpdateFlagOn', resource).allowed;
 */
export type Decider = (action: string, resource: ResourceName) => Decision;
