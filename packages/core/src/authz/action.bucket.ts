import { type FlatPattern, flatMatches, flattenPattern, internName } from '../rn/rn.flat-matcher';
import type { CompiledPattern } from '../rn/rn.matcher';
import { RESOURCE_TYPE_INFO, type ResourceName, type ResourceType } from '../rn/rn.types';
import type { IndexEntry } from './grant.compiler';

/**
 * One slot of a principal's index data (see principal.index.ts for where each action's body lies).
 * The body of an action at offset `at` is `[depth, allowAt, end, (name0, name1, leaf, entry)…]`:
 * `depth` is the segment count of the action's resource type; the denies lie in
 * `[at + 3, allowAt)` and the allows in `[allowAt, end)`, each in decision order. Per entry,
 * `name0`/`name1`/`leaf` are the literal names its pattern requires for segments 0, 1 and 2
 * (`null`: any name); an entry with a tag filter or a partial wildcard keeps the literal of segment
 * 0 (or `null`) and has its shared {@link FlatPattern} as `name1` (or `undefined`: use the compiled
 * pattern). Literals are interned strings, so they stay in cache and compare by pointer.
 *
 * @example
 * const data: IndexSlot[] = [];
 * appendBody(data, 'project', [], [entry]); // 0; data: [1, 3, 7, 'shop', null, null, entry]
 */
export type IndexSlot = number | string | null | undefined | FlatPattern | IndexEntry;

const STRIDE = 4;

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

function pushEntries(data: IndexSlot[], entries: readonly IndexEntry[]): void {
  for (const e of entries) {
    const p = e.pattern;
    const names = [segmentLiteral(p, 0), p.segmentCount > 1 ? segmentLiteral(p, 1) : null];
    names.push(p.segmentCount > 2 ? segmentLiteral(p, 2) : null);
    const exact =
      p.segmentCount <= 3 &&
      p.segments.every((s) => s.tags === undefined) &&
      names.every((n) => n !== undefined);
    // A literal first name is necessary whatever the rest of the pattern says: tags only narrow.
    const first = names[0] ?? null;
    if (exact) data.push(first, names[1], names[2], e);
    else data.push(first, flattenPattern(p), null, e);
  }
}

/**
 * Appends the body of one action (its denies and allows, all of one resource type, in decision
 * order) to `data` and returns its offset.
 *
 * @example
 * const at = appendBody(data, 'flag', grant.deny.get('UpdateFlagOn') ?? [], grant.allow.get('UpdateFlagOn') ?? []);
 */
export function appendBody(
  data: IndexSlot[],
  type: ResourceType,
  denies: readonly IndexEntry[],
  allows: readonly IndexEntry[],
): number {
  const at = data.length;
  const allowAt = at + 3 + denies.length * STRIDE;
  data.push(depthOf(type), allowAt, allowAt + allows.length * STRIDE);
  pushEntries(data, denies);
  pushEntries(data, allows);
  return at;
}

/**
 * The entries stored in `[from, to)` of index data, in decision order.
 *
 * @example
 * entriesIn(data, data[at + 1] as number, data[at + 2] as number); // the allows of the body at `at`
 */
export function entriesIn(data: readonly IndexSlot[], from: number, to: number): IndexEntry[] {
  const out: IndexEntry[] = [];
  for (let i = from + STRIDE - 1; i < to; i += STRIDE) out.push(data[i] as IndexEntry);
  return out;
}

function slowFirst(data: readonly IndexSlot[], from: number, to: number, resource: ResourceName) {
  for (let i = from + STRIDE - 1; i < to; i += STRIDE) {
    const e = data[i] as IndexEntry;
    if (e.pattern.matches(resource)) return e;
  }
  return undefined;
}

// Whether the resource has `depth` segments, read from its own fields where they tell (a project
// is its own projectRn, an environment its own envRn) so that ancestors need no segment reads.
function hasDepth(resource: ResourceName, depth: number): boolean {
  if (depth === 1 && resource.projectRn === resource) return true;
  if (depth === 2) return resource.envRn === resource;
  return resource.segments.length === depth;
}

/**
 * The first entry in `[from, to)` of index data whose pattern matches a resource of `depth`
 * segments, or undefined. Entries are filtered by interned literals compared with the resource's
 * names, without reading the entry; the rest are tested with their shared flat pattern.
 *
 * @example
 * const hit = firstMatchIn(data, data[at + 1] as number, data[at + 2] as number, data[at] as number, resource);
 */
export function firstMatchIn(
  data: readonly IndexSlot[],
  from: number,
  to: number,
  depth: number,
  resource: ResourceName,
): IndexEntry | undefined {
  // Same depth and same last type (the caller checked the action's type) means the same segment
  // types, as resource names follow the hierarchy of DESIGN §3.
  if (!hasDepth(resource, depth)) return slowFirst(data, from, to, resource);
  const n0 = resource.project ?? resource.segments[0]!.name;
  let n1: string | undefined;
  let leaf: string | undefined;
  for (let i = from; i < to; i += STRIDE) {
    const s0 = data[i];
    if (s0 !== null && s0 !== n0) continue;
    const s1 = data[i + 1];
    if (typeof s1 === 'object' && s1 !== null) {
      if (flatMatches(s1 as FlatPattern, resource, depth)) return data[i + 3] as IndexEntry;
      continue;
    }
    if (s1 === undefined) {
      const e = data[i + 3] as IndexEntry;
      if (e.pattern.matches(resource)) return e;
      continue;
    }
    if (s1 !== null) {
      if (n1 === undefined) n1 = resource.env ?? resource.segments[1]!.name;
      if (s1 !== n1) continue;
    }
    const s2 = data[i + 2];
    if (s2 !== null) {
      if (leaf === undefined) leaf = resource.segments[2]!.name;
      if (s2 !== leaf) continue;
    }
    return data[i + 3] as IndexEntry;
  }
  return undefined;
}

/**
 * Every entry in `[from, to)` of index data whose pattern matches the resource (for who-can).
 *
 * @example
 * allMatchesIn(data, data[at + 1] as number, data[at + 2] as number, resource).map((e) => e.policy);
 */
export function allMatchesIn(
  data: readonly IndexSlot[],
  from: number,
  to: number,
  resource: ResourceName,
): IndexEntry[] {
  const out: IndexEntry[] = [];
  const n0 = resource.project ?? resource.segments[0]!.name;
  for (let i = from; i < to; i += STRIDE) {
    const s0 = data[i];
    if (s0 !== null && s0 !== n0) continue;
    const e = data[i + 3] as IndexEntry;
    if (e.pattern.matches(resource)) out.push(e);
  }
  return out;
}
