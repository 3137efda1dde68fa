import { internNameId, nameIdOf } from '../rn/rn.intern';
import type { KeyedResource } from '../rn/rn.keys';
import type { ResourceName } from '../rn/rn.types';
import { allMatchesIn, type IndexData, scanEntries, scanKeys, slowFirstIn } from './action.bucket';
import { createGrantCache, type GrantCache, type GrantView, type IndexEntry } from './grant.compiler';
import {
  actionSlot,
  bodyOf,
  compileRun,
  type IndexRun,
  rangeOf,
  runEntries,
  runHolds,
  SLOT_COUNT,
  SLOT_DEPTH,
} from './index-run.layout';
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
 * A principal's active statements compiled for decisions: its grant views cut into runs of
 * consecutive views through the same group (or direct), each a shared {@link IndexRun}. A decision
 * scans the runs in order, which is the order of the principal's sources. The first four runs are
 * fields of the index itself, so that reaching a group's (shared, usually cached) data takes no
 * further object. Lists of more than 8 entries over all runs are scanned project first (the
 * bits of `splitDeny`/`splitAllow`, one per action slot), as they always were. Read it with
 * {@link firstMatch}, {@link allMatches} and {@link holdsPolicy}.
 *
 * @example
 * const index: PrincipalIndex = compilePrincipalIndex([{ policy: BUILTIN_POLICIES['project-reader'], params: { project: 'shop' } }]);
 * firstMatch(index, actionSlot('CanAccessProject')!, 'allow', rn.project('shop'))?.policy; // 'project-reader'
 */
export interface PrincipalIndex {
  readonly runCount: number;
  /** Whether any deny entry exists (most principals have none, and skip the deny scans). */
  readonly hasDeny: boolean;
  /** The data and entries of the first four runs (those of `runs`), read without the run objects. */
  readonly data0: IndexData | undefined;
  readonly data1: IndexData | undefined;
  readonly refs0: readonly (IndexEntry | undefined)[] | undefined;
  readonly refs1: readonly (IndexEntry | undefined)[] | undefined;
  /**
   * The action slots for which the first (second) run has entries: bit `s` of `has0Low` for
   * `s < 30`, bit `s - 30` of `has0High` otherwise. A run that is not shared (a member's direct
   * assignments) is rarely in cache, and is then not read at all for the other actions.
   */
  readonly has0Low: number;
  readonly has0High: number;
  readonly has1Low: number;
  readonly has1High: number;
  /**
   * The action slots whose entries in the first run all name a literal last segment (a flag role's
   * flag), bits as in `has0Low`/`has0High`, and a bloom filter of those names' ids: a resource whose
   * name is not in it cannot match them, and the run is not read for it.
   */
  readonly leaf0Low: number;
  readonly leaf0High: number;
  readonly leafBloom0: number;
  /** The {@link heldPolicyBit}s of every policy held, to rule policies out without the runs. */
  readonly heldBits: number;
  /**
   * Bit `s` of `denySplit0` (`s < 30`) or bit `s - 30` of `denySplit1`: the denies of action slot
   * `s` are scanned project first; `allowSplit0`/`allowSplit1` likewise for the allows. Fields of
   * the index, not arrays, so that reading them costs no further object.
   */
  readonly denySplit0: number;
  readonly denySplit1: number;
  readonly allowSplit0: number;
  readonly allowSplit1: number;
  readonly data2: IndexData | undefined;
  readonly data3: IndexData | undefined;
  readonly refs2: readonly (IndexEntry | undefined)[] | undefined;
  readonly refs3: readonly (IndexEntry | undefined)[] | undefined;
  readonly runs: readonly IndexRun[];
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

const MAX_CACHED_INDEXES = 20_000;
/** Lists of more than 8 entries were split by project until ADR 0010; their order is kept. */
const SPLIT_THRESHOLD = 8;
const defaultCache = createGrantCache();
const indexMemo = new WeakMap<GrantCache, Map<string, PrincipalIndex>>();
const runMemo = new WeakMap<GrantCache, Map<string, IndexRun>>();

const SPLIT_BITS = 30;

function isSplitSlot(index: PrincipalIndex, slot: number, allow: boolean): boolean {
  const mask =
    slot < SPLIT_BITS
      ? allow
        ? index.allowSplit0
        : index.denySplit0
      : allow
        ? index.allowSplit1
        : index.denySplit1;
  return ((mask >> (slot < SPLIT_BITS ? slot : slot - SPLIT_BITS)) & 1) !== 0;
}

function scanRun(
  data: IndexData,
  refs: readonly (IndexEntry | undefined)[],
  slot: number,
  allow: boolean,
  resource: ResourceName,
  keys: KeyedResource,
  pass: number,
): IndexEntry | undefined {
  const at = bodyOf(data, slot);
  if (at === 0) return undefined;
  const from = allow ? data[at + 1]! : at + 3;
  const to = data[allow ? at + 2 : at + 1]!;
  if (from === to) return undefined;
  return scanEntries(data, refs, from, to, resource, keys, pass);
}

function scanRuns(
  index: PrincipalIndex,
  slot: number,
  allow: boolean,
  resource: ResourceName,
  keys: KeyedResource,
  pass: number,
): IndexEntry | undefined {
  const n = index.runCount;
  if (n === 0) return undefined;
  const low = slot < SPLIT_BITS;
  const bit = low ? slot : slot - SPLIT_BITS;
  let hit: IndexEntry | undefined;
  if (
    (((low ? index.has0Low : index.has0High) >> bit) & 1) !== 0 &&
    ((((low ? index.leaf0Low : index.leaf0High) >> bit) & 1) === 0 ||
      (keys.k2 !== 0 && (index.leafBloom0 & leafBit(keys.k2)) !== 0))
  ) {
    hit = scanRun(index.data0!, index.refs0!, slot, allow, resource, keys, pass);
  }
  if (hit !== undefined || n === 1) return hit;
  if ((((low ? index.has1Low : index.has1High) >> bit) & 1) !== 0) {
    hit = scanRun(index.data1!, index.refs1!, slot, allow, resource, keys, pass);
  }
  if (hit !== undefined || n === 2) return hit;
  hit = scanRun(index.data2!, index.refs2!, slot, allow, resource, keys, pass);
  if (hit !== undefined || n === 3) return hit;
  hit = scanRun(index.data3!, index.refs3!, slot, allow, resource, keys, pass);
  for (let i = 4; hit === undefined && i < n; i++) {
    const run = index.runs[i]!;
    hit = scanRun(run.data, run.refs, slot, allow, resource, keys, pass);
  }
  return hit;
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
  const allow = effect === 'allow';
  if (keys.project !== undefined && isSplitSlot(index, slot, allow)) {
    return scanRuns(index, slot, allow, resource, keys, 1) ?? scanRuns(index, slot, allow, resource, keys, 2);
  }
  return scanRuns(index, slot, allow, resource, keys, 0);
}

/**
 * The first entry of an action's denies or allows (the action given by its {@link actionSlot})
 * whose pattern matches the resource, or undefined. The caller has checked that the action applies
 * to the resource's type. For an ancestor (`named.projectRn` or `named.envRn`), passing the resource
 * it belongs to as `named` lets the scan read keys from that resource (see scanKeys).
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
  const keys = scanKeys(resource, named, SLOT_DEPTH[slot]!);
  if (keys !== undefined) return firstMatchKeys(index, slot, effect, resource, keys);
  // Off the hierarchy or of another depth: the compiled patterns, in list order, refuse it.
  const allow = effect === 'allow';
  for (const run of index.runs) {
    const [from, to] = rangeOf(run.data, slot, allow);
    const hit = slowFirstIn(run.refs, from, to, resource);
    if (hit !== undefined) return hit;
  }
  return undefined;
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
  const out: IndexEntry[] = [];
  for (const run of index.runs) {
    const [from, to] = rangeOf(run.data, slot, effect === 'allow');
    if (from !== to) out.push(...allMatchesIn(run.data, run.refs, from, to, resource));
  }
  return out;
}

/**
 * The entries of one action and effect in an index, in decision order.
 *
 * @example
 * actionEntries(principal.index, 'UpdateFlagOn', 'allow').map((e) => e.policy); // ['flag-user']
 */
export function actionEntries(index: PrincipalIndex, action: string, effect: Effect): IndexEntry[] {
  const slot = actionSlot(action);
  if (slot === undefined) return [];
  return index.runs.flatMap((run) => runEntries(run, slot, effect === 'allow'));
}

function runOf(views: readonly GrantView[], cache: GrantCache): IndexRun {
  const signature = views.map((v) => `${v.grant.id}/${v.group ?? ''}`).join(' ');
  let memo = runMemo.get(cache);
  if (memo === undefined) {
    memo = new Map();
    runMemo.set(cache, memo);
  }
  let run = memo.get(signature);
  if (run === undefined) {
    run = compileRun(views);
    if (memo.size >= MAX_CACHED_INDEXES) memo.clear();
    memo.set(signature, run);
  }
  return run;
}

/** Consecutive views through the same group (or direct) make one run. */
function runsOf(views: readonly GrantView[], cache: GrantCache): IndexRun[] {
  const runs: IndexRun[] = [];
  let start = 0;
  for (let i = 1; i <= views.length; i++) {
    if (i === views.length || views[i]!.group !== views[start]!.group) {
      runs.push(runOf(views.slice(start, i), cache));
      start = i;
    }
  }
  return runs;
}

function slotMasks(run: IndexRun | undefined): number[] {
  const masks = [0, 0];
  if (run === undefined) return masks;
  for (let slot = 0; slot < SLOT_COUNT; slot++) {
    if (run.counts[2 * slot]! + run.counts[2 * slot + 1]! === 0) continue;
    if (slot < SPLIT_BITS) masks[0]! |= 1 << slot;
    else masks[1]! |= 1 << (slot - SPLIT_BITS);
  }
  return masks;
}

function leafBit(id: number): number {
  return 1 << (id % 30);
}

/** `[low, high, bloom]`: the slots of a run whose entries all name a literal leaf, and their bloom. */
function leafMasks(run: IndexRun | undefined): number[] {
  const out = [0, 0, 0];
  if (run === undefined) return out;
  const data = run.data;
  for (let slot = 0; slot < SLOT_COUNT; slot++) {
    const at = bodyOf(data, slot);
    if (at === 0) continue;
    let literal = true;
    let bloom = 0;
    for (let i = at + 3; i < data[at + 2]!; i += 3) {
      if (data[i + 1]! < 0 || data[i + 2]! <= 0) literal = false;
      else bloom |= leafBit(data[i + 2]!);
    }
    if (!literal) continue;
    if (slot < SPLIT_BITS) out[0]! |= 1 << slot;
    else out[1]! |= 1 << (slot - SPLIT_BITS);
    out[2]! |= bloom;
  }
  return out;
}

function splitMasks(runs: readonly IndexRun[], effect: number): number[] {
  const masks = [0, 0];
  for (let slot = 0; slot < SLOT_COUNT; slot++) {
    let n = 0;
    for (const run of runs) n += run.counts[2 * slot + effect]!;
    if (n > SPLIT_THRESHOLD) {
      if (slot < SPLIT_BITS) masks[0]! |= 1 << slot;
      else masks[1]! |= 1 << (slot - SPLIT_BITS);
    }
  }
  return masks;
}

/**
 * Compiles a principal's active assignments (direct and through groups) into an index. Policies are
 * compiled once per (policy, params) in `cache`, runs of views once per run, and principals with
 * the same grants share one index.
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

  const runs = runsOf(views, cache);
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
  let denies = 0;
  let entries = 0;
  for (const run of runs) {
    for (let i = 0; i < run.counts.length; i++) {
      entries += run.counts[i]!;
      if (i % 2 === 0) denies += run.counts[i]!;
    }
  }
  const has0 = slotMasks(runs[0]);
  const has1 = slotMasks(runs[1]);
  const leaf0 = leafMasks(runs[0]);
  const denySplit = splitMasks(runs, 0);
  const allowSplit = splitMasks(runs, 1);
  // Fields in the order a decision reads them (those of slots below 30, where the ancestors, flags,
  // variables and environments are, first), so that most decisions read one or two lines of it.
  const index: PrincipalIndex = {
    runCount: runs.length,
    hasDeny: denies > 0,
    data0: runs[0]?.data,
    has0Low: has0[0]!,
    allowSplit0: allowSplit[0]!,
    denySplit0: denySplit[0]!,
    data1: runs[1]?.data,
    has1Low: has1[0]!,
    refs0: runs[0]?.refs,
    refs1: runs[1]?.refs,
    leaf0Low: leaf0[0]!,
    leaf0High: leaf0[1]!,
    leafBloom0: leaf0[2]!,
    heldBits: views.reduce((bits, v) => bits | heldPolicyBit(internNameId(v.grant.policy)), 0),
    has0High: has0[1]!,
    has1High: has1[1]!,
    allowSplit1: allowSplit[1]!,
    denySplit1: denySplit[1]!,
    data2: runs[2]?.data,
    refs2: runs[2]?.refs,
    data3: runs[3]?.data,
    refs3: runs[3]?.refs,
    runs,
    held,
    entryCount: entries,
  };
  if (memo.size >= MAX_CACHED_INDEXES) memo.clear();
  memo.set(signature, index);
  return index;
}

/**
 * One of 30 bits standing for a policy (by its interned id, rn.intern.ts): a principal whose
 * {@link PrincipalIndex.heldBits} lack it does not hold the policy.
 *
 * @example
 * (index.heldBits & heldPolicyBit(internNameId('production-access'))) === 0; // then not held
 */
export function heldPolicyBit(policy: number): number {
  return 1 << (policy % 30);
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
  if ((index.heldBits & heldPolicyBit(policy)) === 0) return false;
  const n = index.runCount;
  if (n > 0 && runHolds(index.data0!, policy, project)) return true;
  if (n > 1 && runHolds(index.data1!, policy, project)) return true;
  for (let i = 2; i < n; i++) if (runHolds(index.runs[i]!.data, policy, project)) return true;
  return false;
}
