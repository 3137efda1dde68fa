import { internNameId, internTagBit } from './rn.intern';
import { type KeyedResource, keyedResource } from './rn.keys';
import { type CompiledPattern, compileNameParts } from './rn.matcher';
import type { NamePart } from './rn.parser';
import type { ResourceName } from './rn.types';

/**
 * A compiled pattern of at most three segments as plain data over interned ids (rn.intern.ts),
 * shared by every pattern with the same segments. Per segment `i`: `n<i>` is the id of the literal
 * its name must equal, 0 for any name, or -1 for a glob (`g<i>`, for partial wildcards such as
 * `dev*` or `*-1*`); for the tagged segments 1 and 2, `m<i>` is the mask of the filter's tags that
 * have a bit and `x<i>` those without one (compared as strings; null when all have one), and `f<i>`
 * whether the segment has a tag filter at all (the resource must carry any of its tags).
 *
 * @example
 * const flat = flattenPattern(compileRnPattern('project/shop:env/*;production'))!;
 * flat.n1; // 0: any environment name
 * flat.f1; // true
 */
export interface FlatPattern {
  readonly n0: number;
  readonly n1: number;
  readonly n2: number;
  readonly g0: ((name: string) => boolean) | null;
  readonly g1: ((name: string) => boolean) | null;
  readonly g2: ((name: string) => boolean) | null;
  readonly f1: boolean;
  readonly f2: boolean;
  readonly m1: number;
  readonly m2: number;
  readonly x1: readonly string[] | null;
  readonly x2: readonly string[] | null;
}

// Shared so that equal globs and flat patterns are one object each: they stay in cache however
// many grants use them.
const globs = new Map<string, (name: string) => boolean>();
const flats = new Map<string, FlatPattern>();

interface NameTest {
  n: number;
  g: ((name: string) => boolean) | null;
}

function nameTest(parts: readonly NamePart[] | undefined): NameTest {
  if (parts === undefined) return { n: 0, g: null };
  if (parts.length === 0) return { n: internNameId(''), g: null };
  const only = parts[0]!;
  if (parts.length === 1 && only.kind === 'text') return { n: internNameId(only.text), g: null };
  if (parts.length === 1 && only.kind === 'wildcard') return { n: 0, g: null };
  const key = JSON.stringify(parts);
  let glob = globs.get(key);
  if (glob === undefined) {
    glob = compileNameParts(parts);
    globs.set(key, glob);
  }
  return { n: -1, g: glob };
}

interface TagTest {
  f: boolean;
  m: number;
  x: readonly string[] | null;
}

function tagTest(tags: readonly string[] | undefined): TagTest {
  if (tags === undefined) return { f: false, m: 0, x: null };
  let m = 0;
  const x: string[] = [];
  for (const tag of tags) {
    const bit = internTagBit(tag);
    if (bit === 0) x.push(tag);
    else m |= bit;
  }
  return { f: true, m, x: x.length === 0 ? null : Object.freeze(x) };
}

/**
 * The shared {@link FlatPattern} of a compiled pattern, or undefined when it has more than three
 * segments or a tag filter on its first segment (neither occurs in the hierarchy of DESIGN §3).
 *
 * @example
 * flattenPattern(compileRnPattern('project/ops-*:env/dev:flag/*;beta'))?.n0; // -1: a glob
 */
export function flattenPattern(pattern: CompiledPattern): FlatPattern | undefined {
  if (pattern.segmentCount > 3 || pattern.segments[0]!.tags !== undefined) return undefined;
  const key = JSON.stringify(pattern.segments.map((s) => [s.parts, s.tags ?? null]));
  const known = flats.get(key);
  if (known !== undefined) return known;
  const [s0, s1, s2] = pattern.segments;
  const t0 = nameTest(s0!.parts);
  const t1 = nameTest(s1?.parts);
  const t2 = nameTest(s2?.parts);
  const tags1 = tagTest(s1?.tags);
  const tags2 = tagTest(s2?.tags);
  const flat: FlatPattern = Object.freeze({
    n0: t0.n,
    n1: t1.n,
    n2: t2.n,
    g0: t0.g,
    g1: t1.g,
    g2: t2.g,
    f1: tags1.f,
    f2: tags2.f,
    m1: tags1.m,
    m2: tags2.m,
    x1: tags1.x,
    x2: tags2.x,
  });
  flats.set(key, flat);
  return flat;
}

function carriesAny(filter: readonly string[], tags: readonly string[]): boolean {
  for (const tag of tags) if (filter.includes(tag)) return true;
  return false;
}

/**
 * Whether a resource with up-to-date keys matches a flat pattern. The caller guarantees that the
 * resource has the pattern's type, or that the pattern is that of an ancestor of the resource (a
 * project or environment pattern tested on a resource inside it): the tests of the segments the
 * pattern does not have are "any". Names and masks are read from the resource object itself; only
 * globs read a name string, and only tags without a mask bit read the segments.
 *
 * @example
 * flatMatchesKeys(flat, keyedResource(rn.env('shop', { key: 'p', production: true }))!);
 */
export function flatMatchesKeys(flat: FlatPattern, r: KeyedResource): boolean {
  const n0 = flat.n0;
  if (n0 !== 0 && (n0 > 0 ? n0 !== r.k0 : !flat.g0!(r.project ?? r.segments[0]!.name))) return false;
  const n1 = flat.n1;
  if (n1 !== 0 && (n1 > 0 ? n1 !== r.k1 : !flat.g1!(r.env ?? r.segments[1]!.name))) return false;
  const n2 = flat.n2;
  if (n2 !== 0 && (n2 > 0 ? n2 !== r.k2 : !flat.g2!(r.segments[2]!.name))) return false;
  if (flat.f1 && (r.t1 & flat.m1) === 0) {
    const x = flat.x1;
    if (x === null || !carriesAny(x, r.segments[1]!.tags)) return false;
  }
  if (flat.f2 && (r.t2 & flat.m2) === 0) {
    const x = flat.x2;
    if (x === null || !carriesAny(x, r.segments[2]!.tags)) return false;
  }
  return true;
}

/**
 * Whether a resource of the pattern's type matches a flat pattern (see {@link flatMatchesKeys});
 * false for a resource whose segments do not follow the hierarchy.
 *
 * @example
 * flatMatches(flattenPattern(compileRnPattern('project/*:env/*;production'))!, rn.env('shop', { key: 'p', production: true })); // true
 */
export function flatMatches(flat: FlatPattern, resource: ResourceName): boolean {
  const r = keyedResource(resource);
  return r !== undefined && flatMatchesKeys(flat, r);
}
