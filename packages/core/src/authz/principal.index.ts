import { internNameId, nameIdOf } from '../rn/rn.intern';
import type { IndexData } from './action.bucket';
import { createGrantCache, type GrantCache, type GrantView, type IndexEntry } from './grant.compiler';
import { bodyOf, compileRun, type IndexRun, runHolds, SLOT_COUNT } from './index-run.layout';
import type { AssignmentParams, OrgRole, Policy } from './policy.types';

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

/** Slots per 32-bit mask of the index (its split, has and leaf masks come in pairs). */
export const SPLIT_BITS = 30;

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

/** The bloom bit of a leaf name id (the index's `leafBloom0`). */
export function leafBit(id: number): number {
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
