import { compileNameParts, compileRnPattern } from '../rn/rn.matcher';
import type { RnPattern } from '../rn/rn.parser';
import { parseRnPatternOrThrow } from '../rn/rn.parser';
import { ACTION_CATALOG, grantableActionsFor, isActionName } from './action.catalog';
import type { Decider } from './decision.types';
import { type BoundStatement, bindPolicy, DEFAULT_ENVS } from './policy.binding';
import type { AssignmentParams, Policy } from './policy.types';
import { describeReached, type Universe, type UniverseProject, walkReached } from './universe.walker';

/**
 * One permission a grant would give that its grantor lacks. `future` marks a resource that does not
 * exist yet but that the grant would reach once created (shown with `*`).
 *
 * @example
 * const lack: DelegationLack = { action: 'UpdateFlagOn', resource: 'project/shop:env/production:flag/checkout', future: false };
 */
export interface DelegationLack {
  readonly action: string;
  readonly resource: string;
  readonly future: boolean;
}

/**
 * The outcome of a delegation check: `lacking` lists at most `limit` missing permissions;
 * `truncated` says there were more.
 *
 * @example
 * const r: DelegationResult = { ok: false, lacking: [lack], truncated: false };
 */
export interface DelegationResult {
  readonly ok: boolean;
  readonly lacking: readonly DelegationLack[];
  readonly truncated: boolean;
}

/**
 * Default cap of the `lacking` list.
 *
 * @example
 * checkDelegation(grantor, statements, universe, { limit: DEFAULT_LACKING_LIMIT });
 */
export const DEFAULT_LACKING_LIMIT = 20;

function actionsFor(statement: BoundStatement, pattern: RnPattern): string[] {
  const type = pattern.segments.at(-1)!.type;
  const out = new Set<string>();
  for (const action of statement.actions) {
    if (action === '*') for (const a of grantableActionsFor(type)) out.add(a);
    else if (isActionName(action) && ACTION_CATALOG[action].resourceType === type) out.add(action);
  }
  return [...out];
}

/**
 * Checks that a grant never escalates (DESIGN §5): for every allow statement, every action it gives on
 * every resource it reaches — the existing ones in `universe` and stand-ins for ones created later —
 * must be allowed for the grantor. Deny statements only narrow and never need holding.
 *
 * @example
 * const r = checkDelegation(createDecider(grantor, protectionOf), bindPolicy(BUILTIN_POLICIES['production-access'], { project: 'shop' }), universe);
 * if (!r.ok) console.log(r.lacking); // [{ action: 'UpdateFlagOn', resource: 'project/shop:env/production:flag/checkout', future: false }, …]
 */
export function checkDelegation(
  grantor: Decider,
  statements: readonly BoundStatement[],
  universe: Universe,
  options: { limit?: number } = {},
): DelegationResult {
  const limit = options.limit ?? DEFAULT_LACKING_LIMIT;
  const lacking: DelegationLack[] = [];
  const seen = new Set<string>();
  let more = false;
  outer: for (const statement of statements) {
    if (statement.effect !== 'allow') continue;
    for (const pattern of statement.resources) {
      const actions = actionsFor(statement, pattern);
      if (actions.length === 0) continue;
      walkReached(compileRnPattern(pattern), universe, (resource, future) => {
        for (const action of actions) {
          if (grantor(action, resource).allowed) continue;
          const text = describeReached(resource, future);
          const key = `${action} ${text}`;
          if (seen.has(key)) continue;
          seen.add(key);
          if (lacking.length >= limit) {
            more = true;
            return false;
          }
          lacking.push({ action, resource: text, future });
        }
        return undefined;
      });
      if (more) break outer;
    }
  }
  return { ok: lacking.length === 0, lacking, truncated: more };
}

/**
 * For a built-in project or flag role granted by anyone but the org owner or an admin (DESIGN §5
 * "Where the seeds' role models meet"): the keys of the project's environments, among those the
 * requested `params.envs` patterns select, where the grantor holds every action the role gives there.
 * Project-level statements are left to {@link checkDelegation} on the narrowed grant.
 *
 * @example
 * limitEnvsForGrantor(nonProdMember, BUILTIN_POLICIES['flag-owner'], { project: 'shop', flag: 'checkout' }, shop);
 * // ['dev', 'staging'] — not 'production'
 */
export function limitEnvsForGrantor(
  grantor: Decider,
  role: Policy,
  params: AssignmentParams,
  project: UniverseProject,
): string[] {
  const requested = (params.envs ?? DEFAULT_ENVS).map((p) =>
    compileNameParts(parseRnPatternOrThrow(`project/x:env/${p}`, 'params.envs').segments[1]!.parts),
  );
  const out: string[] = [];
  for (const env of project.envs) {
    if (!requested.some((matches) => matches(env.key))) continue;
    const bound = bindPolicy(role, { ...params, envs: [env.key] });
    const inEnv = bound.map((s) => ({ ...s, resources: s.resources.filter((r) => r.segments.length >= 2) }));
    const universe: Universe = { projects: [{ ...project, envs: [env] }] };
    if (checkDelegation(grantor, inEnv, universe, { limit: 1 }).ok) out.push(env.key);
  }
  return out;
}
