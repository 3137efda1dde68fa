import { internNameId } from '../rn/rn.intern';
import { RESOURCE_TYPE_INFO } from '../rn/rn.types';
import { appendBody, entriesIn, type IndexData } from './action.bucket';
import { ACTION_CATALOG, ACTION_NAMES, type ActionName } from './action.catalog';
import type { GrantView, IndexEntry } from './grant.compiler';
import type { Effect } from './policy.types';

/**
 * The compiled statements of consecutive grant views of a principal that come through the same
 * group (or directly), as one array of 32-bit integers (see {@link IndexData}). Runs are shared:
 * every principal whose sources hold the same views in a row uses the same run, so that the data
 * of a group's assignments exists once and stays in cache, however many members the group has.
 * The array starts with a table of one body offset per action (0: no entries) in
 * {@link actionSlot} order, so that finding a body takes one read; at {@link SLOT_COUNT}, the
 * offset of the policies held, `[count, (policy id, project id or 0 for every project)…]` (for
 * protections), which follow the table; then the bodies of CanAccessProject and CanAccessEnv,
 * which the ancestor rule reads in nearly every decision (when the run has entries for them), then
 * those of the other actions.
 *
 * @example
 * const run: IndexRun = compileRun([createGrantCache().viaGroup(grant, 'devs')]);
 * bodyOf(run.data, actionSlot('CanAccessProject')!); // the offset of its body, after the table
 */
export interface IndexRun {
  readonly data: IndexData;
  /** The entry behind the triple at `i` of `data` is `refs[Math.floor(i / 3)]`. */
  readonly refs: readonly (IndexEntry | undefined)[];
  /** Entries per action slot, denies then allows: `[deny0, allow0, deny1, allow1, …]`. */
  readonly counts: readonly number[];
}

// The ancestor actions first, then by how often actions come (flags, then variables,
// environments, segments, projects, the organization), so that the table's first cache line
// holds the slots most decisions read.
const TYPE_ORDER = ['flag', 'var', 'env', 'segment', 'project', 'org'];
const rank = (n: ActionName): number => {
  const i = TYPE_ORDER.indexOf(ACTION_CATALOG[n].resourceType);
  return i < 0 ? TYPE_ORDER.length : i;
};
const SLOT_ORDER: readonly ActionName[] = [
  'CanAccessProject',
  'CanAccessEnv',
  ...ACTION_NAMES.filter((n) => n !== 'CanAccessProject' && n !== 'CanAccessEnv').sort(
    (a, b) => rank(a) - rank(b),
  ),
];
const SLOTS = new Map<string, number>(SLOT_ORDER.map((name, i) => [name, i]));

/**
 * How many action slots an index table has.
 *
 * @example
 * SLOT_COUNT === ACTION_NAMES.length; // true
 */
export const SLOT_COUNT = SLOT_ORDER.length;

/**
 * The segment count of the resources of each action slot's type.
 *
 * @example
 * SLOT_DEPTH[actionSlot('CanAccessEnv')!]; // 2
 */
export const SLOT_DEPTH: readonly number[] = SLOT_ORDER.map((action) => {
  let depth = 1;
  const info = RESOURCE_TYPE_INFO;
  for (let t = info[ACTION_CATALOG[action].resourceType].parent; t !== null; t = info[t].parent) depth++;
  return depth;
});

/**
 * The position of an action in the table of an index (CanAccessProject 0, CanAccessEnv 1), or
 * undefined for an unknown action.
 *
 * @example
 * actionSlot('CanAccessEnv'); // 1
 */
export function actionSlot(action: string): number | undefined {
  return SLOTS.get(action);
}

/**
 * The offset of an action's body in run data, 0 when the run has no entries for it.
 *
 * @example
 * const at = bodyOf(run.data, actionSlot('UpdateFlagOn')!);
 */
export function bodyOf(data: IndexData, slot: number): number {
  return data[slot]!;
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
 * Compiles views into one run: each action's denies, then its allows, in view order.
 *
 * @example
 * const run = compileRun(views);
 */
export function compileRun(views: readonly GrantView[]): IndexRun {
  const denies = entriesBySlot(views, 'deny');
  const allows = entriesBySlot(views, 'allow');
  const data: number[] = [];
  for (let slot = 0; slot <= SLOT_COUNT; slot++) data.push(0);
  data[SLOT_COUNT] = appendHeld(data, views);
  const refs: (IndexEntry | undefined)[] = [];
  const typeOf = (slot: number) => ACTION_CATALOG[SLOT_ORDER[slot]!].resourceType;
  const counts: number[] = [];
  for (let slot = 0; slot < SLOT_COUNT; slot++) {
    counts.push(denies[slot]!.length, allows[slot]!.length);
    if (denies[slot]!.length + allows[slot]!.length > 0) {
      data[slot] = appendBody(data, refs, typeOf(slot), denies[slot]!, allows[slot]!);
    }
  }
  // A copy without holes (a packed array) keeps element reads on V8's fast path.
  return { data: Int32Array.from(data), refs: Array.from(refs), counts };
}

/**
 * The `[from, to)` range of an action's denies or allows in run data (empty when it has none).
 *
 * @example
 * const [from, to] = rangeOf(run.data, slot, true);
 */
export function rangeOf(data: IndexData, slot: number, allow: boolean): [number, number] {
  const at = bodyOf(data, slot);
  if (at === 0) return [0, 0];
  return allow ? [data[at + 1]!, data[at + 2]!] : [at + 3, data[at + 1]!];
}

/**
 * The entries of one action and effect in a run, in decision order.
 *
 * @example
 * runEntries(run, actionSlot('UpdateFlagOn')!, true).map((e) => e.policy);
 */
export function runEntries(run: IndexRun, slot: number, allow: boolean): IndexEntry[] {
  const [from, to] = rangeOf(run.data, slot, allow);
  return entriesIn(run.refs, from, to);
}

/**
 * Whether run data holds a policy for a project (ids from rn.intern.ts; project 0: none, then only
 * an assignment without a project parameter counts).
 *
 * @example
 * runHolds(run.data, internNameId('production-access'), internNameId('shop'));
 */
export function runHolds(data: IndexData, policy: number, project: number): boolean {
  const at = data[SLOT_COUNT]!;
  const end = at + 1 + 2 * data[at]!;
  for (let i = at + 1; i < end; i += 2) {
    if (data[i] === policy) {
      const p = data[i + 1]!;
      if (p === 0 || (p === project && project !== 0)) return true;
    }
  }
  return false;
}
