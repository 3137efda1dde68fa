import { type CompiledPattern, compileNameParts } from './rn.matcher';
import type { NamePart } from './rn.parser';
import type { ResourceName } from './rn.types';

/**
 * How one segment's name is tested: a literal it must equal, `null` for any name, or a compiled
 * glob for partial wildcards (`dev*`, `*-1*`).
 *
 * @example
 * const test: FlatNameTest = 'shop';
 */
export type FlatNameTest = string | null | ((name: string) => boolean);

/**
 * A compiled pattern as plain data, shared by every pattern with the same segments:
 * `[name0, tags0, name1, tags1, name2, tags2]`, with `null` for absent segments and for segments
 * without a tag filter (a tag filter is the list of which the resource must carry any). Used by
 * indexes to test many patterns without reaching into per-pattern closures.
 *
 * @example
 * flattenPattern(compileRnPattern('project/shop:env/*;production'));
 * // ['shop', null, null, ['production'], null, null]
 */
export type FlatPattern = readonly (FlatNameTest | readonly string[])[];

// Interned so that equal literals, tag lists, globs and whole flat patterns are one object each:
// they stay in cache however many grants use them, and literals compare by pointer.
const strings = new Map<string, string>();
const tagLists = new Map<string, readonly string[]>();
const globs = new Map<string, (name: string) => boolean>();
const flats = new Map<string, FlatPattern>();

/**
 * The one shared string object equal to `text`.
 *
 * @example
 * internName(['sh', 'op'].join('')) === internName('shop'); // true
 */
export function internName(text: string): string {
  const known = strings.get(text);
  if (known !== undefined) return known;
  // A property key is V8's internalized copy: comparing it with another internalized string is a
  // pointer comparison, whatever the contents.
  const key = Object.keys({ [text]: 0 })[0] ?? text;
  strings.set(key, key);
  return key;
}

function nameTest(parts: readonly NamePart[]): FlatNameTest {
  if (parts.length === 0) return internName('');
  const only = parts[0]!;
  if (parts.length === 1 && only.kind === 'text') return internName(only.text);
  if (parts.length === 1 && only.kind === 'wildcard') return null;
  const key = JSON.stringify(parts);
  let glob = globs.get(key);
  if (glob === undefined) {
    glob = compileNameParts(parts);
    globs.set(key, glob);
  }
  return glob;
}

function tagList(tags: readonly string[] | undefined): readonly string[] | null {
  if (tags === undefined) return null;
  const key = tags.join(',');
  let list = tagLists.get(key);
  if (list === undefined) {
    list = Object.freeze(tags.map(internName));
    tagLists.set(key, list);
  }
  return list;
}

/**
 * The shared {@link FlatPattern} of a compiled pattern, or undefined when it has more than three
 * segments (none does in the hierarchy of DESIGN §3).
 *
 * @example
 * flattenPattern(compileRnPattern('project/ops-*:env/dev:flag/*;beta'));
 * // [glob, null, 'dev', null, null, ['beta']]
 */
export function flattenPattern(pattern: CompiledPattern): FlatPattern | undefined {
  if (pattern.segmentCount > 3) return undefined;
  const key = JSON.stringify(pattern.segments.map((s) => [s.parts, s.tags ?? null]));
  const known = flats.get(key);
  if (known !== undefined) return known;
  const out: (FlatNameTest | readonly string[])[] = [];
  for (let i = 0; i < 3; i++) {
    const seg = pattern.segments[i];
    if (seg === undefined) out.push(null, null);
    else out.push(nameTest(seg.parts), tagList(seg.tags));
  }
  const flat = Object.freeze(out);
  flats.set(key, flat);
  return flat;
}

function nameMatches(test: FlatNameTest | readonly string[], name: string): boolean {
  if (typeof test === 'string') return test === name;
  return (test as (name: string) => boolean)(name);
}

function tagsMatch(filter: readonly string[], tags: readonly string[]): boolean {
  for (const tag of tags) if (filter.includes(tag)) return true;
  return false;
}

/**
 * Whether a resource matches a flat pattern. The caller guarantees that the resource has the
 * pattern's type and `depth` segments (their types then follow from the hierarchy). Names are
 * read from the resource's own fields where it has them and tags last, so that most tests end
 * before reading any segment.
 *
 * @example
 * flatMatches(flattenPattern(compileRnPattern('project/*:env/*;production'))!, rn.env('shop', { key: 'p', production: true }), 2); // true
 */
export function flatMatches(flat: FlatPattern, resource: ResourceName, depth: number): boolean {
  const t0 = flat[0]!;
  if (t0 !== null && !nameMatches(t0, resource.project ?? resource.segments[0]!.name)) return false;
  if (depth > 1) {
    const t1 = flat[2]!;
    if (t1 !== null && !nameMatches(t1, resource.env ?? resource.segments[1]!.name)) return false;
    if (depth > 2) {
      const t2 = flat[4]!;
      if (t2 !== null && !nameMatches(t2, resource.segments[2]!.name)) return false;
    }
  }
  for (let i = depth - 1; i >= 0; i--) {
    const tags = flat[2 * i + 1]!;
    if (tags !== null && !tagsMatch(tags as readonly string[], resource.segments[i]!.tags)) return false;
  }
  return true;
}
