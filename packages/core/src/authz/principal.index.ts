import type { ResourceName } from '../rn/rn.types';
import { createGrantCache, type GrantCache, type GrantView, type IndexEntry } from './grant.compiler';
import type { AssignmentParams, OrgRole, Policy } from './policy.types';

/**
 * The entries of one action in a principal's index. Small buckets are scanned (skipping other
 * projects by a string compare); large ones are split by project literal.
 *
 * @example
 * const b: ActionBucket = { entries: [], byProject: undefined, unscoped: [] };
 */
export interface ActionBucket {
  readonly entries: readonly IndexEntry[];
  readonly byProject: ReadonlyMap<string, readonly IndexEntry[]> | undefined;
  /** Entries whose pattern has no literal project (wildcards, org-level), when `byProject` is set. */
  readonly unscoped: readonly IndexEntry[];
}

/**
 * Which projects a principal holds a policy for: an assignment without a `project` parameter holds it
 * everywhere (for protections, DESIGN §5).
 *
 * @example
 * const h: HeldPolicy = { anyProject: false, projects: new Set(['shop']) };
 */
export interface HeldPolicy {
  readonly anyProject: boolean;
  readonly projects: ReadonlySet<string>;
}

/**
 * A principal's active statements compiled for decisions: action → effect → entries.
 *
 * @example
 * const index: PrincipalIndex = compilePrincipalIndex([{ policy: BUILTIN_POLICIES['project-reader'], params: { project: 'shop' } }]);
 */
export interface PrincipalIndex {
  readonly allow: ReadonlyMap<string, ActionBucket>;
  readonly deny: ReadonlyMap<string, ActionBucket>;
  readonly held: ReadonlyMap<string, HeldPolicy>;
  /** How many (statement, pattern) pairs were indexed, for diagnostics. */
  readonly entryCount: number;
}

/**
 * The decision subject: a member with its org role, groups and compiled active assignments.
 *
 * @example
 * const p: Principal = { memberId: 'm1', email: 'ann@acme.io', orgRole: 'member', groups: ['devs'], index };
 */
export interface Principal {
  readonly memberId: string;
  readonly email?: string;
  readonly orgRole: OrgRole;
  readonly groups: readonly string[];
  readonly index: PrincipalIndex;
}

/**
 * One active assignment reaching the principal, directly or through `group`. The caller has already
 * dropped expired assignments (see activeAssignments).
 *
 * @example
 * const src: GrantSource = { policy: BUILTIN_POLICIES['flag-user'], params: { project: 'shop', flag: 'checkout' }, group: 'devs' };
 */
export interface GrantSource {
  readonly policy: Policy;
  readonly params: AssignmentParams;
  readonly group?: string | undefined;
}

const SPLIT_THRESHOLD = 8;
const MAX_CACHED_INDEXES = 20_000;
const defaultCache = createGrantCache();
const indexMemo = new WeakMap<GrantCache, Map<string, PrincipalIndex>>();

function makeBucket(entries: readonly IndexEntry[]): ActionBucket {
  if (entries.length <= SPLIT_THRESHOLD) return { entries, byProject: undefined, unscoped: [] };
  const byProject = new Map<string, IndexEntry[]>();
  const unscoped: IndexEntry[] = [];
  for (const e of entries) {
    if (e.projectLiteral === undefined) unscoped.push(e);
    else {
      const list = byProject.get(e.projectLiteral);
      if (list === undefined) byProject.set(e.projectLiteral, [e]);
      else list.push(e);
    }
  }
  return { entries, byProject, unscoped };
}

function merge(
  views: readonly GrantView[],
  pick: (v: GrantView) => ReadonlyMap<string, readonly IndexEntry[]>,
) {
  const lists = new Map<string, (readonly IndexEntry[])[]>();
  for (const view of views) {
    for (const [action, entries] of pick(view)) {
      const l = lists.get(action);
      if (l === undefined) lists.set(action, [entries]);
      else l.push(entries);
    }
  }
  const out = new Map<string, ActionBucket>();
  let count = 0;
  for (const [action, parts] of lists) {
    // A single source keeps the shared array: principals with the same grant share its entries.
    const entries = parts.length === 1 ? parts[0]! : parts.flat();
    count += entries.length;
    out.set(action, makeBucket(entries));
  }
  return { map: out, count };
}

/**
 * Compiles a principal's active assignments (direct and through groups) into an index. Policies are
 * compiled once per (policy, params) in `cache`, and principals with the same grants share one index.
 *
 * @example
 * const cache = createGrantCache();
 * const index = compilePrincipalIndex([
 *   { policy: BUILTIN_POLICIES['production-access'], params: { project: 'shop' }, group: 'releasers' },
 *   { policy: BUILTIN_POLICIES['flag-owner'], params: { project: 'shop', flag: 'checkout', envs: ['dev'] } },
 * ], cache);
 */
export function compilePrincipalIndex(
  sources: readonly GrantSource[],
  cache: GrantCache = defaultCache,
): PrincipalIndex {
  const views = sources.map((s) => cache.viaGroup(cache.grant(s.policy, s.params), s.group));
  const signature = views
    .map((v) => `${v.grant.id}/${v.group ?? ''}`)
    .sort()
    .join(' ');
  let memo = indexMemo.get(cache);
  if (memo === undefined) {
    memo = new Map();
    indexMemo.set(cache, memo);
  }
  const cached = memo.get(signature);
  if (cached !== undefined) return cached;

  const allow = merge(views, (v) => v.allow);
  const deny = merge(views, (v) => v.deny);
  const held = new Map<string, { anyProject: boolean; projects: Set<string> }>();
  for (const { grant } of views) {
    let h = held.get(grant.policy);
    if (h === undefined) {
      h = { anyProject: false, projects: new Set() };
      held.set(grant.policy, h);
    }
    if (grant.project === undefined) h.anyProject = true;
    else h.projects.add(grant.project);
  }
  const index: PrincipalIndex = {
    allow: allow.map,
    deny: deny.map,
    held,
    entryCount: allow.count + deny.count,
  };
  if (memo.size >= MAX_CACHED_INDEXES) memo.clear();
  memo.set(signature, index);
  return index;
}

/**
 * The first entry of a bucket whose pattern matches the resource, or undefined.
 *
 * @example
 * const hit = firstMatch(index.allow.get('UpdateFlagOn'), resource);
 */
export function firstMatch(bucket: ActionBucket | undefined, resource: ResourceName): IndexEntry | undefined {
  if (bucket === undefined) return undefined;
  const project = resource.project;
  if (bucket.byProject === undefined) {
    for (const e of bucket.entries) {
      if (e.projectLiteral !== undefined && e.projectLiteral !== project) continue;
      if (e.pattern.matches(resource)) return e;
    }
    return undefined;
  }
  if (project !== undefined) {
    const scoped = bucket.byProject.get(project);
    if (scoped !== undefined) for (const e of scoped) if (e.pattern.matches(resource)) return e;
  }
  for (const e of bucket.unscoped) if (e.pattern.matches(resource)) return e;
  return undefined;
}

/**
 * Every entry of a bucket whose pattern matches the resource (for who-can explanations).
 *
 * @example
 * allMatches(index.allow.get('UpdateFlagOn'), resource).map((e) => e.policy);
 */
export function allMatches(bucket: ActionBucket | undefined, resource: ResourceName): IndexEntry[] {
  const out: IndexEntry[] = [];
  if (bucket === undefined) return out;
  for (const e of bucket.entries) {
    if (e.projectLiteral !== undefined && e.projectLiteral !== resource.project) continue;
    if (e.pattern.matches(resource)) out.push(e);
  }
  return out;
}

/**
 * Whether the principal holds a policy for a project: an assignment of it bound to that project, or
 * one without a project parameter.
 *
 * @example
 * holdsPolicy(principal.index, 'production-access', 'shop'); // true when assigned for project shop
 */
export function holdsPolicy(index: PrincipalIndex, policy: string, project: string | undefined): boolean {
  const h = index.held.get(policy);
  if (h === undefined) return false;
  return h.anyProject || (project !== undefined && h.projects.has(project));
}
