// Scanning a compiled principal index: the first (or every) entry of an action that matches a
// resource, run after run in source order (ADR 0010, 0013).
import type { KeyedResource } from '../rn/rn.keys';
import type { ResourceName } from '../rn/rn.types';
import { allMatchesIn, type IndexData, scanEntries, scanKeys, slowFirstIn } from './action.bucket';
import type { IndexEntry } from './grant.compiler';
import { actionSlot, bodyOf, rangeOf, runEntries, SLOT_DEPTH } from './index-run.layout';
import type { Effect } from './policy.types';
import { leafBit, type PrincipalIndex, SPLIT_BITS } from './principal.index';

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
