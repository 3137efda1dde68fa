import { type FlatPattern, flatMatches, flattenPattern, internName } from '../rn/rn.flat-matcher';
import type { CompiledPattern } from '../rn/rn.matcher';
import { RESOURCE_TYPE_INFO, type ResourceName, type ResourceType } from '../rn/rn.types';
import type { IndexEntry } from './grant.compiler';

/**
 * One slot of a principal's index data (see principal.index.ts for where each action's body lies).
 * The body of an action at offset `at` is `[flags, allowAt, end, (name0, name1, leaf)…]`: `flags`
 * holds the segment count of the action's resource type (bits 0–1) and whether its denies (bit 2)
 * or allows (bit 3) are scanned project first (see {@link firstMatchIn}); the denies lie in
 * `[at + 3, allowAt)` and the allows in `[allowAt, end)`, each in decision order, 3 slots per
 * entry. `name0`/`name1`/`leaf` are the literal names an entry's pattern requires for segments 0, 1
 * and 2 (`null`: any name); an entry with a tag filter or a partial wildcard keeps the literal of
 * segment 0 (or `null`) and has its shared {@link FlatPattern} as `name1` (or `undefined`: use the
 * compiled pattern). Literals are interned strings, so they stay in cache and compare by pointer.
 * The entry of the triple at `i` is `refs[Math.floor(i / 3)]`, read only once it matched.
 *
 * @example
 * const data: IndexSlot[] = [];
 * const refs: (IndexEntry | undefined)[] = [];
 * appendBody(data, refs, 'project', [], [entry]); // 0; data: [1, 3, 6, 'shop', null, null], refs[1] === entry
 */
export type IndexSlot = number | string | null | undefined | FlatPattern;

const STRIDE = 3;
const DEPTH = 3;
const DENY_SPLIT = 4;
const ALLOW_SPLIT = 8;
/** Larger lists were split by project until now; their order (project's entries first) is kept. */
const SPLIT_THRESHOLD = 8;

function depthOf(type: ResourceType): number {
  let depth = 1;
  for (let t = RESOURCE_TYPE_INFO[type].parent; t !== null; t = RESOURCE_TYPE_INFO[t].parent) depth++;
  return depth;
}

/** The literal a segment's name must equal, `null` for a bare `*`, `undefined` for anything else. */
function segmentLiteral(pattern: CompiledPattern, i: number): string | null | undefined {
  const parts = pattern.segments[i]!.parts;
  if (parts.length === 0) return internName('');
  if (parts.length !== 1) return undefined;
  const part = parts[0]!;
  if (part.kind === 'text') return internName(part.text);
  return part.kind === 'wildcard' ? null : undefined;
}

const triples = new WeakMap<CompiledPattern, readonly IndexSlot[]>();

function tripleOf(p: CompiledPattern): readonly IndexSlot[] {
  const known = triples.get(p);
  if (known !== undefined) return known;
  const names = [segmentLiteral(p, 0), p.segmentCount > 1 ? segmentLiteral(p, 1) : null];
  names.push(p.segmentCount > 2 ? segmentLiteral(p, 2) : null);
  const exact =
    p.segmentCount <= 3 &&
    p.segments.every((s) => s.tags === undefined) &&
    names.every((n) => n !== undefined);
  // A literal first name is necessary whatever the rest of the pattern says: tags only narrow.
  const first = names[0] ?? null;
  const triple = exact ? [first, names[1], names[2]] : [first, flattenPattern(p), null];
  triples.set(p, triple);
  return triple;
}

function pushEntries(data: IndexSlot[], refs: (IndexEntry | undefined)[], entries: readonly IndexEntry[]) {
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
  data: IndexSlot[],
  refs: (IndexEntry | undefined)[],
  type: ResourceType,
  denies: readonly IndexEntry[],
  allows: readonly IndexEntry[],
): number {
  const at = data.length;
  const allowAt = at + 3 + denies.length * STRIDE;
  const flags =
    depthOf(type) |
    (denies.length > SPLIT_THRESHOLD ? DENY_SPLIT : 0) |
    (allows.length > SPLIT_THRESHOLD ? ALLOW_SPLIT : 0);
  data.push(flags, allowAt, allowAt + allows.length * STRIDE);
  pushEntries(data, refs, denies);
  pushEntries(data, refs, allows);
  return at;
}

/**
 * The entries behind `[from, to)` of index data, in decision order.
 *
 * @example
 * entriesIn(refs, data[at + 1] as number, data[at + 2] as number); // the allows of the body at `at`
 */
export function entriesIn(refs: readonly (IndexEntry | undefined)[], from: number, to: number): IndexEntry[] {
  const out: IndexEntry[] = [];
  for (let i = from; i < to; i += STRIDE) out.push(refs[Math.floor(i / STRIDE)]!);
  return out;
}

/**
 * Whether the allows (or the denies) of the body at `at` are scanned project first: the entries
 * with the resource's literal project in order, then those without a literal project in order.
 *
 * @example
 * const split = isSplit(data, at, true);
 */
export function isSplit(data: readonly IndexSlot[], at: number, allows: boolean): boolean {
  return ((data[at] as number) & (allows ? ALLOW_SPLIT : DENY_SPLIT)) !== 0;
}

/**
 * The segment count of the resources the body at `at` applies to.
 *
 * @example
 * depthAt(data, 1); // 1 for CanAccessProject
 */
export function depthAt(data: readonly IndexSlot[], at: number): number {
  return (data[at] as number) & DEPTH;
}

// Whether the resource has `depth` segments, read from its own fields where they tell (a project
// is its own projectRn, an environment its own envRn) so that ancestors need no segment reads.
function hasDepth(resource: ResourceName, depth: number): boolean {
  if (depth === 1 && resource.projectRn === resource) return true;
  if (depth === 2) return resource.envRn === resource;
  return resource.segments.length === depth;
}

// 1: the triple at `i` matches; 0: it does not; -1: only its compiled pattern can tell.
function tripleMatches(data: readonly IndexSlot[], i: number, resource: ResourceName, depth: number): number {
  const s1 = data[i + 1];
  if (s1 === null) {
    const s2 = data[i + 2];
    return s2 === null || s2 === resource.segments[2]!.name ? 1 : 0;
  }
  if (typeof s1 === 'string') {
    if (s1 !== (resource.env ?? resource.segments[1]!.name)) return 0;
    const s2 = data[i + 2];
    return s2 === null || s2 === resource.segments[2]!.name ? 1 : 0;
  }
  if (s1 === undefined) return -1;
  return flatMatches(s1 as FlatPattern, resource, depth) ? 1 : 0;
}

function scan(
  data: readonly IndexSlot[],
  refs: readonly (IndexEntry | undefined)[],
  from: number,
  to: number,
  resource: ResourceName,
  named: ResourceName,
  depth: number,
  first: string | null | undefined,
): IndexEntry | undefined {
  // `first`: a string keeps the entries with that literal first name or none; null keeps only
  // those with none; undefined keeps those with any.
  const n0 = named.project ?? named.segments[0]!.name;
  for (let i = from; i < to; i += STRIDE) {
    const s0 = data[i];
    if (s0 !== null ? s0 !== n0 || first === null : first !== undefined && first !== null) continue;
    const m = tripleMatches(data, i, named, depth);
    if (m === 1) return refs[Math.floor(i / STRIDE)];
    if (m === -1) {
      const e = refs[Math.floor(i / STRIDE)]!;
      if (e.pattern.matches(resource)) return e;
    }
  }
  return undefined;
}

function slowFirst(
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
 * The first entry in `[from, to)` of index data whose pattern matches a resource of `depth`
 * segments, or undefined. Entries are filtered by interned literals compared with the resource's
 * names, without reading the entry; the rest are tested with their shared flat pattern. A `split`
 * list is scanned project first (its entries with the resource's literal project, then those
 * without a literal project), the order decisions have always had for lists of more than 8
 * entries. For an ancestor, `named` may be the resource it was taken from (`named.projectRn` or
 * `named.envRn` is `resource`): they share their first segments, and the names are read from
 * `named`, which the decision has already read, rather than from the ancestor's own objects.
 *
 * @example
 * const hit = firstMatchIn(data, refs, data[at + 1] as number, data[at + 2] as number, 3, false, resource);
 */
export function firstMatchIn(
  data: readonly IndexSlot[],
  refs: readonly (IndexEntry | undefined)[],
  from: number,
  to: number,
  depth: number,
  split: boolean,
  resource: ResourceName,
  named: ResourceName = resource,
): IndexEntry | undefined {
  // Same depth and same last type (the caller checked the action's type) means the same segment
  // types, as resource names follow the hierarchy of DESIGN §3; other resources match nothing.
  // An ancestor built by resourceFromSegments has the depth of its type by construction.
  const ancestor =
    named !== resource && (depth === 1 ? named.projectRn === resource : named.envRn === resource);
  if (!ancestor) {
    if (!hasDepth(resource, depth)) return slowFirst(refs, from, to, resource);
    named = resource;
  }
  const project = named.project;
  if (!split || project === undefined) {
    return scan(data, refs, from, to, resource, named, depth, undefined);
  }
  return (
    scan(data, refs, from, to, resource, named, depth, project) ??
    scan(data, refs, from, to, resource, named, depth, null)
  );
}

/**
 * Every entry in `[from, to)` of index data whose pattern matches the resource (for who-can).
 *
 * @example
 * allMatchesIn(data, refs, data[at + 1] as number, data[at + 2] as number, resource).map((e) => e.policy);
 */
export function allMatchesIn(
  data: readonly IndexSlot[],
  refs: readonly (IndexEntry | undefined)[],
  from: number,
  to: number,
  resource: ResourceName,
): IndexEntry[] {
  const out: IndexEntry[] = [];
  const n0 = resource.project ?? resource.segments[0]!.name;
  for (let i = from; i < to; i += STRIDE) {
    const s0 = data[i];
    if (s0 !== null && s0 !== n0) continue;
    const e = refs[Math.floor(i / STRIDE)]!;
    if (e.pattern.matches(resource)) out.push(e);
  }
  return out;
}
