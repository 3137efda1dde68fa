import type { Executor } from '../db/database';
import type { Principal } from './principal';

/** One permission a change needs: an action on a resource (RN). */
export interface Requirement {
  action: string;
  resource: string;
}

/** Why one requirement was refused, in the words of API.md's authz/check. */
export interface Refusal {
  action: string;
  resource: string;
  decision: 'explicit-deny' | 'implicit-deny' | 'protected' | 'missing-access';
  reason: string;
  protection?: { environment: string; operation: string };
}

/**
 * The single authorization point of the governed-change path. Every implementation answers for a set
 * of requirements at once, so a change is applied only when all of them are allowed.
 */
export interface Authorizer {
  /** Returns every refused requirement; an empty list means the change may proceed. */
  refusals(executor: Executor, principal: Principal, requirements: Requirement[]): Promise<Refusal[]>;
}
