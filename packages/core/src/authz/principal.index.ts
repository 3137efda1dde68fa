import { internNameId, nameIdOf } from '../rn/rn.intern';
import type { KeyedResource } from '../rn/rn.keys';
import type { ResourceName } from '../rn/rn.types';
import {
  allMatchesIn,
  appendBody,
  depthAt,
  entriesIn,
  firstMatchIn,
  firstMatchKeyed,
  type IndexData,
  isSplit,
} from './action.bucket';
import { ACTION_CATALOG, ACTION_NAMES, type ActionName } from './action.catalog';
import { createGrantCache, type GrantCache, type GrantView, type IndexEntry } from './grant.compiler';
import type { AssignmentParams, Effect, OrgRole, Policy } from './policy.types';

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
 * A principal's active statements compiled for decisions, as one array of 32-bit integers (see
 * {@link IndexData}): `data[0]` is the offset of a table with one body offset per action (0: no
 * entries), in {@link actionSlot} order; the bodies of CanAccessProject and CanAccessEnv, which the
 * ancestor rule reads in nearly every decision, come first, at offset 1 and right after it, so
 * that they share cache lines with the array's header. At `heldAt`, after the bodies, the policies
 * held: `[count, (policy id, project id or 0 for every project)…]`, for protections. Read it with
 * {@link firstMatch}, {@link allMatches} and {@link holdsPolicy}.
 *
 * @example
 * const index: PrincipalIndex = compilePrincipalIndex([{ policy: BUILTIN_POLICIES['project-reader'], params: { project: 'shop' } }]);
 * firstMatch(index, actionSlot('CanAccessProject')!, 'allow', rn.project('shop'))?.policy; // 'project-reader'
 */
export interface PrincipalIndex {
  readonly data: IndexData;
  /** The entry behind the triple at `i` of `data` is `refs[Math.floor(i / 3)]`. */
  readonly refs: readonly (IndexEntry | undefined)[];
  /** Whether any deny entry exists (most principals have none, and skip the deny scans). */
  readonly hasDeny: boolean;
  readonly held: ReadonlyMap<string, HeldPolicy>;
  /** Where the list of held policies starts in `data`. */
  readonly heldAt: number;
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

const MAX_CACHED_INDEXES = 20_000;
const defaultCache = createGrantCache();
const indexMemo = new WeakMap<GrantCache, Map<string, PrincipalIndex>>();

const SLOT_ORDER: readonly ActionName[] = [
  'CanAccessProject',
  'CanAccessEnv',
  ...ACTION_NAMES.filter((n) => n !== 'CanAccessProject' && n !== 'CanAccessEnv'),
];
const SLOTS = new Map<string, number>(SLOT_ORDER.map((name, i) => [name, i]));

/**
 * The position of an action in the table of a {@link PrincipalIndex} (CanAccessProject 0,
 * CanAccessEnv 1), or undefined for an unknown action.
 *
 * @example
 * actionSlot('CanAccessEnv'); // 1
 */
export function actionSlot(action: string): number | undefined {
  return SLOTS.get(action);
}

function bodyOf(data: ArrayLike<number>, slot: number): number {
  if (slot === 0) return 1;
  // CanAccessEnv's body starts where CanAccessProject's ends.
  if (slot === 1) return data[3]!;
  return data[data[0]! + slot]!;
}

/**
 * The first entry of an action's denies or allows (the action given by its {@link actionSlot})
 * whose pattern matches the resource, or undefined. The caller has checked that the action applies
 * to the resource's type. For an ancestor (`named.projectRn` or `named.envRn`), passing the resource
 * it belongs to as `named` lets the scan read names from that resource (see firstMatchIn).
 *
 * @example
 * firstMatch(principal.index, actionSlot('UpdateFlagOn')!, 'allow', resource)?.policy; // 'flag-user'
 */
export function firstMatch(
  index: PrincipalIndex,
  slot: number,
  effect: Effect,
  resource: ResourceName,
  named: ResourceName = resource,
): IndexEntry | undefined {
  const data = index.data;
  const at = bodyOf(data, slot);
  if (at === 0) return undefined;
  const from = effect === 'allow' ? data[at + 1]! : at + 3;
  const to = data[effect === 'allow' ? at + 2 : at + 1]!;
  if (from === to) return undefined;
  return firstMatchIn(
    data,
    index.refs,
    from,
    to,
    depthAt(data, at),
    isSplit(data, at, effect === 'allow'),
    resource,
    named,
  );
}

/**
 * {@link firstMatch} with the keys to compare already at hand: those of `resource`, or for an
 * ancestor those of the resource it was taken from (see scanKeys). The caller has checked that the
 * action applies to the resource's type.
 *
 * @example
 * firstMatchKeys(principal.index, actionSlot('CanAccessEnv')!, 'allow', resource.envRn!, keyedResource(resource)!);
 */
export function firstMatchKeys(
  index: PrincipalIndex,
  slot: number,
  effect: Effect,
  resource: ResourceName,
  keys: KeyedResource,
): IndexEntry | undefined {
  const data = index.data;
  const at = bodyOf(data, slot);
  if (at === 0) return undefined;
  const allow = effect === 'allow';
  const from = allow ? data[at + 1]! : at + 3;
  const to = data[allow ? at + 2 : at + 1]!;
  if (from === to) return undefined;
  return firstMatchKeyed(data, index.refs, from, to, isSplit(data, at, allow), resource, keys);
}

/**
 * Every entry of an action's denies or allows whose pattern matches the resource (who-can).
 *
 * @example
 * allMatches(principal.index, actionSlot('UpdateFlagOn')!, 'allow', resource).map((e) => e.policy);
 */
export function allMatches(
  index: PrincipalIndex,
  slot: number,
  effect: Effect,
  resource: ResourceName,
): IndexEntry[] {
  const data = index.data;
  const at = bodyOf(data, slot);
  if (at === 0) return [];
  const from = effect === 'allow' ? data[at + 1]! : at + 3;
  return allMatchesIn(data, index.refs, from, data[effect === 'allow' ? at + 2 : at + 1]!, resource);
}

/**
 * The entries of one action and effect in an index, in decision order.
 *
 * @example
 * actionEntries(principal.index, 'UpdateFlagOn', 'allow').map((e) => e.policy); // ['flag-user']
 */
export function actionEntries(index: PrincipalIndex, action: string, effect: Effect): IndexEntry[] {
  const slot = actionSlot(action);
  const data = index.data;
  const at = slot === undefined ? 0 : bodyOf(data, slot);
  if (at === 0) return [];
  const from = effect === 'allow' ? data[at + 1]! : at + 3;
  return entriesIn(index.refs, from, data[effect === 'allow' ? at + 2 : at + 1]!);
}

function entriesBySlot(views: readonly GrantView[], effect: Effect): IndexEntry[][] {
  const lists: IndexEntry[][] = SLOT_ORDER.map(() => []);
  for (const view of views) {
    for (const [action, entries] of effect === 'allow' ? view.allow : view.deny) {
      const slot = actionSlot(action);
      if (slot !== undefined) lists[slot]!.push(...entries);
    }
  }
  return lists;
}

interface Layout {
  data: number[];
  refs: (IndexEntry | undefined)[];
  denies: number;
  allows: number;
}

function layout(views: readonly GrantView[]): Layout {
  const denies = entriesBySlot(views, 'deny');
  const allows = entriesBySlot(views, 'allow');
  const data: number[] = [0];
  const refs: (IndexEntry | undefined)[] = [];
  const typeOf = (slot: number) => ACTION_CATALOG[SLOT_ORDER[slot]!].resourceType;
  appendBody(data, refs, typeOf(0), denies[0]!, allows[0]!);
  appendBody(data, refs, typeOf(1), denies[1]!, allows[1]!);
  const table = data.length;
  data[0] = table;
  for (let slot = 0; slot < SLOT_ORDER.length; slot++) data.push(0);
  const out: Layout = { data, refs, denies: 0, allows: 0 };
  for (let slot = 0; slot < SLOT_ORDER.length; slot++) {
    out.denies += denies[slot]!.length;
    out.allows += allows[slot]!.length;
    if (slot < 2) data[table + slot] = bodyOf(data, slot);
    else if (denies[slot]!.length + allows[slot]!.length > 0) {
      data[table + slot] = appendBody(data, refs, typeOf(slot), denies[slot]!, allows[slot]!);
    }
  }
  // A copy without holes (a packed array) keeps element reads on V8's fast path.
  out.refs = Array.from(refs);
  return out;
}

/** Appends the held policies as `[count, (policy id, project id or 0)…]`; returns where they start. */
function appendHeld(data: number[], views: readonly GrantView[]): number {
  const at = data.length;
  const pairs = new Set<string>();
  data.push(0);
  for (const { grant } of views) {
    const policy = internNameId(grant.policy);
    const project = grant.project === undefined ? 0 : internNameId(grant.project);
    if (pairs.has(`${policy} ${project}`)) continue;
    pairs.add(`${policy} ${project}`);
    data.push(policy, project);
  }
  data[at] = pairs.size;
  return at;
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

  const { data, refs, denies, allows } = layout(views);
  const heldAt = appendHeld(data, views);
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
    data: Int32Array.from(data),
    refs,
    hasDeny: denies > 0,
    held,
    heldAt,
    entryCount: allows + denies,
  };
  if (memo.size >= MAX_CACHED_INDEXES) memo.clear();
  memo.set(signature, index);
  return index;
}

/**
 * Whether the principal holds a policy for a project: an assignment of it bound to that project, or
 * one without a project parameter.
 *
 * @example
 * holdsPolicy(principal.index, 'production-access', 'shop'); // true when assigned for project shop
 */
export function holdsPolicy(index: PrincipalIndex, policy: string, project: string | undefined): boolean {
  const id = nameIdOf(policy);
  return id !== 0 && holdsPolicyId(index, id, project === undefined ? 0 : nameIdOf(project));
}

/**
 * {@link holdsPolicy} with interned ids (rn.intern.ts): `project` is the id of the project's name,
 * or 0 when it has none (then only an assignment without a project parameter counts).
 *
 * @example
 * holdsPolicyId(principal.index, internNameId('production-access'), keyedResource(resource)!.k0);
 */
export function holdsPolicyId(index: PrincipalIndex, policy: number, project: number): boolean {
  const data = index.data;
  const at = index.heldAt;
  const end = at + 1 + 2 * data[at]!;
  for (let i = at + 1; i < end; i += 2) {
    if (data[i] === policy) {
      const p = data[i + 1]!;
      if (p === 0 || (p === project && project !== 0)) return true;
    }
  }
  return false;
}
