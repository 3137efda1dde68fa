import type { Executor } from '../db/database';
import type { Principal } from './principal';

/**
 * One permission a change needs: an action on a resource.
 *
 * `resource` is a concrete resource name (`project/shop:env/production:flag/checkout-v2`). Flag actions
 * whose scope is `every-env` or `any-env` (UpdateFlagDetails, ArchiveFlag, DeleteFlag, CreateFlag …)
 * name the flag with `*` as the environment (`project/shop:env/*:flag/checkout-v2`); the authorizer
 * expands that to the project's environments. The authorizer loads environment tags itself; flag tags
 * are taken from `flagTags` when given (so UpdateFlagTags can be checked with the old and the new tags,
 * and CreateFlag against the flag that will exist), otherwise from the stored flag.
 */
export interface Requirement {
  action: string;
  resource: string;
  flagTags?: string[];
}

/** Why one requirement was refused, in the words of API.md's authz/check. */
export interface Refusal {
  action: string;
  resource: string;
  decision: 'explicit-deny' | 'implicit-deny' | 'protected' | 'missing-access';
  reason: string;
  protection?: { project?: string; environment: string; operation: string };
}

/**
 * The single authorization point of the governed-change path. Every implementation answers for a set
 * of requirements at once, so a change is applied only when all of them are allowed.
 */
export interface Authorizer {
  /** Returns every refused requirement; an empty list means the change may proceed. */
  refusals(executor: Executor, principal: Principal, requirements: Requirement[]): Promise<Refusal[]>;
}
