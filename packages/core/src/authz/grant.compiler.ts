import { type CompiledPattern, compileRnPattern } from '../rn/rn.matcher';
import { ACTION_CATALOG, actionsFor, grantableActionsFor, isActionName } from './action.catalog';
import { type BoundStatement, bindPolicy } from './policy.binding';
import type { AssignmentParams, Effect, Policy } from './policy.types';

/**
 * One (statement, pattern) pair that an action can match, as stored in indexes. Shared between every
 * principal that holds the same assignment (and group), so it is immutable. Build it with
 * {@link indexEntry}.
 *
 * @example
 * const e: IndexEntry = indexEntry('ops', 0, 'allow', compileRnPattern('org'), undefined);
 */
export interface IndexEntry {
  readonly policy: string;
  readonly statement: number;
  /** The group through which the policy is assigned, if any. */
  readonly group: string | undefined;
  /**
   * The start of the message of a decision by this entry, up to the action: `Allowed: statement 2
   * of policy "p" allows ` (or `… explicitly denies `), built once with the entry rather than at
   * every decision (see decision.messages.ts).
   */
  readonly messageHead: string;
  readonly effect: Effect;
  readonly pattern: CompiledPattern;
  /** Copy of `pattern.projectLiteral`, read on the hot path. */
  readonly projectLiteral: string | undefined;
}

/**
 * A policy bound with one assignment's parameters and compiled: its entries per action, split by
 * effect. Compiled once per (policy, params) by a {@link GrantCache} and shared.
 *
 * @example
 * const g: CompiledGrant = createGrantCache().grant(BUILTIN_POLICIES['project-reader'], { project: 'shop' });
 * g.allow.get('CanAccessProject')?.length; // 1
 */
export interface CompiledGrant {
  readonly id: number;
  readonly policy: string;
  /** The `project` parameter of the assignment, used to decide who "holds" a project role. */
  readonly project: string | undefined;
  readonly statements: readonly BoundStatement[];
  readonly allow: ReadonlyMap<string, readonly IndexEntry[]>;
  readonly deny: ReadonlyMap<string, readonly IndexEntry[]>;
}

/**
 * Entries of one grant as seen through one group (or directly when `group` is undefined).
 *
 * @example
 * const v: GrantView = createGrantCache().viaGroup(grant, 'devs');
 */
export interface GrantView {
  readonly grant: CompiledGrant;
  readonly group: string | undefined;
  readonly allow: ReadonlyMap<string, readonly IndexEntry[]>;
  readonly deny: ReadonlyMap<string, readonly IndexEntry[]>;
}

/**
 * Compiles policies once per (policy object, params) and shares the result; also caches per-group
 * views of grants (and, in principal.index.ts, principal indexes with the same grants). Policies are treated as immutable
 * values: an edited policy is a new object, compiled anew.
 *
 * @example
 * const cache = createGrantCache();
 * cache.grant(policy, { project: 'shop' }) === cache.grant(policy, { project: 'shop' }); // true
 */
export interface GrantCache {
  grant(policy: Policy, params: AssignmentParams): CompiledGrant;
  viaGroup(grant: CompiledGrant, group: string | undefined): GrantView;
}

let nextGrantId = 1;

// Entries of one statement seen through one group say the same head, whatever their pattern or
// grant (5 times fewer strings in the benchmark organization), so one string serves them all and
// stays in cache. Flat strings (made by join), not the tree of joins a template makes. Bounded.
const MAX_SHARED_HEADS = 100_000;
const heads = new Map<string, string>();

function sharedHead(text: string): string {
  const known = heads.get(text);
  if (known !== undefined) return known;
  if (heads.size >= MAX_SHARED_HEADS) heads.clear();
  heads.set(text, text);
  return text;
}

/**
 * An index entry with its message head (see {@link IndexEntry}).
 *
 * @example
 * indexEntry('ops', 1, 'deny', compileRnPattern('project/*'), 'devs').messageHead;
 * // 'Denied: statement 1 of policy "ops" (assigned to group "devs") explicitly denies '
 */
export function indexEntry(
  policy: string,
  statement: number,
  effect: Effect,
  pattern: CompiledPattern,
  group: string | undefined,
): IndexEntry {
  const via = group === undefined ? '' : ` (assigned to group "${group}")`;
  const verb = effect === 'allow' ? 'Allowed' : 'Denied';
  const does = effect === 'allow' ? 'allows' : 'explicitly denies';
  return {
    policy,
    statement,
    group,
    messageHead: sharedHead(
      [verb, ': statement ', statement, ' of policy "', policy, '"', via, ' ', does, ' '].join(''),
    ),
    effect,
    pattern,
    projectLiteral: pattern.projectLiteral,
  };
}

function addEntry(map: Map<string, IndexEntry[]>, action: string, entry: IndexEntry): void {
  const list = map.get(action);
  if (list === undefined) map.set(action, [entry]);
  else list.push(entry);
}

/**
 * Compiles bound statements into per-action entries. `*` expands to the grantable actions of each
 * pattern's type (every action of the type for deny); a named action is paired with the patterns of
 * its own resource type (validation guarantees they all are).
 *
 * @example
 * const g = compileGrant('ops', undefined, bindPolicy(policy, {}));
 */
export function compileGrant(
  policy: string,
  project: string | undefined,
  statements: readonly BoundStatement[],
): CompiledGrant {
  const allow = new Map<string, IndexEntry[]>();
  const deny = new Map<string, IndexEntry[]>();
  for (const s of statements) {
    const target = s.effect === 'allow' ? allow : deny;
    for (const parsed of s.resources) {
      const pattern = compileRnPattern(parsed);
      const entry = indexEntry(policy, s.index, s.effect, pattern, undefined);
      const expand = s.effect === 'allow' ? grantableActionsFor(pattern.type) : actionsFor(pattern.type);
      const actions = new Set<string>();
      for (const action of s.actions) {
        if (action === '*') for (const a of expand) actions.add(a);
        else if (isActionName(action) && ACTION_CATALOG[action].resourceType === pattern.type) {
          if (s.effect === 'deny' || !ACTION_CATALOG[action].ownerOnly) actions.add(action);
        }
      }
      for (const action of actions) addEntry(target, action, entry);
    }
  }
  return { id: nextGrantId++, policy, project, statements, allow, deny };
}

function withGroup(
  map: ReadonlyMap<string, readonly IndexEntry[]>,
  group: string,
): Map<string, IndexEntry[]> {
  const out = new Map<string, IndexEntry[]>();
  for (const [action, entries] of map)
    out.set(
      action,
      entries.map((e) => indexEntry(e.policy, e.statement, e.effect, e.pattern, group)),
    );
  return out;
}

/**
 * A new, empty {@link GrantCache}.
 *
 * @example
 * const cache = createGrantCache();
 */
export function createGrantCache(): GrantCache {
  const grants = new WeakMap<Policy, Map<string, CompiledGrant>>();
  const views = new WeakMap<CompiledGrant, Map<string, GrantView>>();
  return {
    grant(policy, params) {
      const key = JSON.stringify([params.project ?? null, params.flag ?? null, params.envs ?? null]);
      let byParams = grants.get(policy);
      if (byParams === undefined) {
        byParams = new Map();
        grants.set(policy, byParams);
      }
      let grant = byParams.get(key);
      if (grant === undefined) {
        grant = compileGrant(policy.key, params.project, bindPolicy(policy, params));
        byParams.set(key, grant);
      }
      return grant;
    },
    viaGroup(grant, group) {
      let byGroup = views.get(grant);
      if (byGroup === undefined) {
        byGroup = new Map();
        views.set(grant, byGroup);
      }
      const key = group ?? '';
      let view = byGroup.get(key);
      if (view === undefined) {
        view =
          group === undefined
            ? { grant, group, allow: grant.allow, deny: grant.deny }
            : { grant, group, allow: withGroup(grant.allow, group), deny: withGroup(grant.deny, group) };
        byGroup.set(key, view);
      }
      return view;
    },
  };
}
