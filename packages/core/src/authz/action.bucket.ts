import { type FlatPattern, flatMatchesKeys, flattenPattern } from '../rn/rn.flat-matcher';
import { internNameId } from '../rn/rn.intern';
import { type KeyedResource, keyedResource } from '../rn/rn.keys';
import type { CompiledPattern } from '../rn/rn.matcher';
import { RESOURCE_TYPE_INFO, type ResourceName, type ResourceType } from '../rn/rn.types';
import type { IndexEntry } from './grant.compiler';

/**
 * A principal's index data (see principal.index.ts for where each action's body lies): 32-bit
 * integers only, so that an entry takes 12 bytes and no slot leads to another object. The body of
 * an action at offset `at` is `[depth, allowAt, end, (s0, s1, s2)…]`: `depth` is the segment
 * count of the action's resource type; the denies lie in `[at + 3, allowAt)` and
 * the allows in `[allowAt, end)`, each in decision order, 3 slots per entry. `s0`/`s1`/`s2` are the
 * interned ids (rn.intern.ts) of the literal names an entry's pattern requires for segments 0, 1
 * and 2, or 0 for any name. An entry with a tag filter or a partial wildcard keeps the id of its
 * segment-0 literal (or 0) and has `s1 = -k`, where `k` is its shared {@link FlatPattern} in
 * {@link flatPatternAt} ({@link FALLBACK_SLOT}: only its compiled pattern can tell). The entry of the
 * triple at `i` is `refs[Math.floor(i / 3)]`, read only once it matched.
 *
 * @example
 * const data: number[] = [];
 * const refs: (IndexEntry | undefined)[] = [];
 * appendBody(data, refs, 'project', [], [entry]); // 0; data: [1, 3, 6, id('shop'), 0, 0], refs[1] === entry
 */
export type IndexData = Int32Array;

/**
 * The `s1` of an entry that only its compiled pattern can test (more than three segments).
 *
 * @example
 * data[i + 1] === FALLBACK_SLOT; // test refs[Math.floor(i / 3)].pattern
 */
export const FALLBACK_SLOT = -0x7fffffff;

const STRIDE = 3;

// Every flat pattern an index refers to, by number (from 1); shared by all indexes, bounded by the
// distinct patterns ever compiled.
const flatTable: FlatPattern[] = [];
const flatNumbers = new Map<FlatPattern, number>();

function flatNumber(flat: FlatPattern): number {
  let n = flatNumbers.get(flat);
  if (n === undefined) {
    flatTable.push(flat);
    n = flatTable.length;
    flatNumbers.set(flat, n);
  }
  return n;
}

/**
 * The flat pattern of an entry whose `s1` is `-k`.
 *
 * @example
 * const flat = flatPatternAt(-data[i + 1]!);
 */
export function flatPatternAt(k: number): FlatPattern {
  return flatTable[k - 1]!;
}

function depthOf(type: ResourceType): number {
  let depth = 1;
  for (let t = RESOURCE_TYPE_INFO[type].parent; t !== null; t = RESOURCE_TYPE_INFO[t].parent) depth++;
  return depth;
}

/** The id a segment's name must equal, 0 for a bare `*`, -1 for anything else. */
function segmentLiteral(pattern: CompiledPattern, i: number): number {
  const parts = pattern.segments[i]!.parts;
  if (parts.length === 0) return internNameId('');
  if (parts.length !== 1) return -1;
  const part = parts[0]!;
  if (part.kind === 'text') return internNameId(part.text);
  return part.kind === 'wildcard' ? 0 : -1;
}

const triples = new WeakMap<CompiledPattern, readonly number[]>();

function tripleOf(p: CompiledPattern): readonly number[] {
  const known = triples.get(p);
  if (known !== undefined) return known;
  const names = [segmentLiteral(p, 0), p.segmentCount > 1 ? segmentLiteral(p, 1) : 0];
  names.push(p.segmentCount > 2 ? segmentLiteral(p, 2) : 0);
  const exact =
    p.segmentCount <= 3 && p.segments.every((s) => s.tags === undefined) && names.every((n) => n >= 0);
  // A literal first name is necessary whatever the rest of the pattern says: tags only narrow.
  const first = Math.max(names[0]!, 0);
  let triple: number[];
  if (exact) triple = [first, names[1]!, names[2]!];
  else {
    const flat = flattenPattern(p);
    triple = [first, flat === undefined ? FALLBACK_SLOT : -flatNumber(flat), 0];
  }
  triples.set(p, triple);
  return triple;
}

function pushEntries(data: number[], refs: (IndexEntry | undefined)[], entries: readonly IndexEntry[]) {
  for (const e of entries) {
    refs[Math.floor(data.length / STRIDE)] = e;
    data.push(...tripleOf(e.pattern));
  }
}

/**
 * Appends the body of one action (its denies and allows, all of one resource type, in decision
 * order) to `data`, their entries to `refs`, and returns the body's offset.
 *
 * @example
 * const at = appendBody(data, refs, 'flag', grant.deny.get('UpdateFlagOn') ?? [], grant.allow.get('UpdateFlagOn') ?? []);
 */
export function appendBody(
  data: number[],
  refs: (IndexEntry | undefined)[],
  type: ResourceType,
  denies: readonly IndexEntry[],
  allows: readonly IndexEntry[],
): number {
  const at = data.length;
  const allowAt = at + 3 + denies.length * STRIDE;
  data.push(depthOf(type), allowAt, allowAt + allows.length * STRIDE);
  pushEntries(data, refs, denies);
  pushEntries(data, refs, allows);
  return at;
}

/**
 * The entries behind `[from, to)` of index data, in decision order.
 *
 * @example
 * entriesIn(refs, data[at + 1]!, data[at + 2]!); // the allows of the body at `at`
 */
export function entriesIn(refs: readonly (IndexEntry | undefined)[], from: number, to: number): IndexEntry[] {
  const out: IndexEntry[] = [];
  for (let i = from; i < to; i += STRIDE) out.push(refs[Math.floor(i / STRIDE)]!);
  return out;
}

/**
 * The segment count of the resources the body at `at` applies to.
 *
 * @example
 * depthAt(data, 1); // 1 for CanAccessProject
 */
export function depthAt(data: IndexData, at: number): number {
  return data[at]!;
}

// 1: the triple at `i` matches the names and tags of `r`; 0: it does not; -1: only its compiled
// pattern can tell.
function tripleMatches(data: IndexData, i: number, r: KeyedResource): number {
  const s1 = data[i + 1]!;
  if (s1 >= 0) {
    if (s1 !== 0 && s1 !== r.k1) return 0;
    const s2 = data[i + 2]!;
    return s2 === 0 || s2 === r.k2 ? 1 : 0;
  }
  if (s1 === FALLBACK_SLOT) return -1;
  return flatMatchesKeys(flatTable[-s1 - 1]!, r) ? 1 : 0;
}

/**
 * The first entry in `[from, to)` of index data matching a resource with up-to-date keys `r` (see
 * {@link scanKeys}). `pass` 0 keeps every entry, 1 only those whose literal project is `r`'s,
 * 2 only those without a literal project (the two passes of a list scanned project first).
 *
 * @example
 * scanEntries(data, refs, data[at + 1]!, data[at + 2]!, resource, keyedResource(resource)!, 0);
 */
export function scanEntries(
  data: IndexData,
  refs: readonly (IndexEntry | undefined)[],
  from: number,
  to: number,
  resource: ResourceName,
  r: KeyedResource,
  pass: number,
): IndexEntry | undefined {
  const k0 = r.k0;
  for (let i = from; i < to; i += STRIDE) {
    const s0 = data[i]!;
    if (pass === 0) {
      if (s0 !== 0 && s0 !== k0) continue;
    } else if (pass === 1 ? s0 === 0 || s0 !== k0 : s0 !== 0) continue;
    const m = tripleMatches(data, i, r);
    if (m === 1) return refs[(i / STRIDE) | 0];
    if (m === -1) {
      const e = refs[(i / STRIDE) | 0]!;
      if (e.pattern.matches(resource)) return e;
    }
  }
  return undefined;
}

/**
 * The first entry in `[from, to)` whose compiled pattern matches, in list order (for resources
 * off the hierarchy).
 *
 * @example
 * slowFirstIn(refs, data[at + 1]!, data[at + 2]!, resource);
 */
export function slowFirstIn(
  refs: readonly (IndexEntry | undefined)[],
  from: number,
  to: number,
  resource: ResourceName,
): IndexEntry | undefined {
  for (let i = from; i < to; i += STRIDE) {
    const e = refs[Math.floor(i / STRIDE)]!;
    if (e.pattern.matches(resource)) return e;
  }
  return undefined;
}

/**
 * The resource whose keys a scan of entries of `depth` segments compares for `resource`: itself
 * when it has that depth, or `named` when `resource` is `named.projectRn` (depth 1) or
 * `named.envRn` (depth 2), since they share their first segments; undefined when only the compiled
 * patterns can decide (a resource of another depth, or one off the hierarchy).
 *
 * @example
 * const keyed = scanKeys(resource.envRn!, resource, 2); // resource's own keys
 */
export function scanKeys(
  resource: ResourceName,
  named: ResourceName,
  depth: number,
): KeyedResource | undefined {
  if (named !== resource && (depth === 1 ? named.projectRn === resource : named.envRn === resource)) {
    return keyedResource(named);
  }
  const r = keyedResource(resource);
  return r !== undefined && r.segments.length === depth ? r : undefined;
}

/**
 * The first entry in `[from, to)` of index data whose pattern matches a resource of `depth`
 * segments, or undefined. Entries are filtered by comparing interned ids with the resource's keys,
 * without reading the entry; the rest are tested with their shared flat pattern. A `split` list is
 * scanned project first (its entries with the resource's literal project, then those without a
 * literal project), the order decisions have always had for lists of more than 8 entries. For an
 * ancestor, `named` may be the resource it was taken from (`named.projectRn` or `named.envRn` is
 * `resource`): they share their first segments, and the keys are read from `named`, which the
 * decision has already read (see {@link scanKeys}).
 *
 * @example
 * const hit = firstMatchIn(data, refs, data[at + 1]!, data[at + 2]!, 3, false, resource);
 */
export function firstMatchIn(
  data: IndexData,
  refs: readonly (IndexEntry | undefined)[],
  from: number,
  to: number,
  depth: number,
  split: boolean,
  resource: ResourceName,
  named: ResourceName = resource,
): IndexEntry | undefined {
  const r = scanKeys(resource, named, depth);
  if (r === undefined) return slowFirstIn(refs, from, to, resource);
  return firstMatchKeyed(data, refs, from, to, split, resource, r);
}

/**
 * {@link firstMatchIn} for a caller that already holds the keys to compare (see {@link scanKeys}).
 *
 * @example
 * const hit = firstMatchKeyed(data, refs, from, to, false, resource, keyedResource(resource)!);
 */
export function firstMatchKeyed(
  data: IndexData,
  refs: readonly (IndexEntry | undefined)[],
  from: number,
  to: number,
  split: boolean,
  resource: ResourceName,
  r: KeyedResource,
): IndexEntry | undefined {
  if (!split || r.project === undefined) return scanEntries(data, refs, from, to, resource, r, 0);
  return (
    scanEntries(data, refs, from, to, resource, r, 1) ?? scanEntries(data, refs, from, to, resource, r, 2)
  );
}

/**
 * Every entry in `[from, to)` of index data whose pattern matches the resource (for who-can).
 *
 * @example
 * allMatchesIn(data, refs, data[at + 1]!, data[at + 2]!, resource).map((e) => e.policy);
 */
export function allMatchesIn(
  data: IndexData,
  refs: readonly (IndexEntry | undefined)[],
  from: number,
  to: number,
  resource: ResourceName,
): IndexEntry[] {
  const out: IndexEntry[] = [];
  const r = keyedResource(resource);
  for (let i = from; i < to; i += STRIDE) {
    const s0 = data[i]!;
    if (r !== undefined && s0 !== 0 && s0 !== r.k0) continue;
    const e = refs[Math.floor(i / STRIDE)]!;
    if (e.pattern.matches(resource)) out.push(e);
  }
  return out;
}
