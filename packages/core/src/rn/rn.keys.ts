import { internGeneration, nameIdOf, tagMaskOf } from './rn.intern';
import type { ResourceName, RnSegment } from './rn.types';

/**
 * What decisions compare of a resource, kept in the resource object itself so that a decision
 * reads one object instead of its segments, their names and their tag lists: the ids of the names
 * of its (at most three) segments and the tag masks of segments 1 and 2 (see rn.intern.ts).
 * `kgen` is the intern generation they were computed at, or
 * {@link IRREGULAR_KEYS} for a resource whose segments do not follow the hierarchy of DESIGN §3
 * (only the compiled patterns decide for it).
 *
 * @example
 * const k = keyedResource(rn.flag('shop', 'dev', 'checkout'));
 * k?.k0; // the id of 'shop' when a pattern spells it, else 0
 */
export interface ResourceKeys {
  kgen: number;
  k0: number;
  k1: number;
  k2: number;
  t1: number;
  t2: number;
}

/**
 * A resource name with its {@link ResourceKeys}.
 *
 * @example
 * const k: KeyedResource | undefined = keyedResource(resource);
 */
export type KeyedResource = ResourceName & ResourceKeys;

/**
 * The `kgen` of a resource whose segments do not follow the hierarchy.
 *
 * @example
 * resourceKeys([{ type: 'flag', name: 'x', tags: [] }]).kgen === IRREGULAR_KEYS; // true
 */
export const IRREGULAR_KEYS = -1;

/**
 * Whether segments follow the hierarchy of DESIGN §3 (each segment's type is the parent of the
 * next, at most three), which is what decisions compare keys for.
 *
 * @example
 * isRegular(rn.flag('shop', 'dev', 'x').segments); // true
 */
export function isRegular(segments: readonly RnSegment[]): boolean {
  const n = segments.length;
  if (n > 3) return false;
  for (let i = 0; i < n; i++) {
    if (parentOf(segments[i]!.type) !== (i === 0 ? null : segments[i - 1]!.type)) return false;
  }
  return true;
}

// RESOURCE_TYPE_INFO[type].parent without a keyed lookup (undefined for an unknown type).
function parentOf(type: string): string | null | undefined {
  switch (type) {
    case 'env':
      return 'project';
    case 'flag':
    case 'var':
    case 'segment':
      return 'env';
    case 'org':
    case 'project':
    case 'member':
    case 'group':
    case 'policy':
    case 'token':
      return null;
    default:
      return undefined;
  }
}

/**
 * The keys of a resource with these segments, at the current intern generation.
 *
 * @example
 * resourceKeys(rn.env('shop', { key: 'dev', production: false }).segments).k1; // id of 'dev', or 0
 */
export function resourceKeys(segments: readonly RnSegment[]): ResourceKeys {
  const s1 = segments[1];
  const s2 = segments[2];
  const ok = isRegular(segments);
  return {
    kgen: ok ? internGeneration() : IRREGULAR_KEYS,
    k0: nameIdOf(segments[0]!.name),
    k1: s1 === undefined ? 0 : nameIdOf(s1.name),
    k2: s2 === undefined ? 0 : nameIdOf(s2.name),
    t1: s1 === undefined ? 0 : tagMaskOf(s1.tags),
    t2: s2 === undefined ? 0 : tagMaskOf(s2.tags),
  };
}

function refresh(r: KeyedResource): void {
  const keys = resourceKeys(r.segments);
  r.kgen = keys.kgen;
  r.k0 = keys.k0;
  r.k1 = keys.k1;
  r.k2 = keys.k2;
  r.t1 = keys.t1;
  r.t2 = keys.t2;
}

/**
 * The resource with up-to-date keys (recomputed when patterns interned new names since it was
 * built), or undefined when its segments do not follow the hierarchy. A resource that was not
 * built by resourceFromSegments (it has no keys), or that cannot be changed, gets a keyed copy.
 *
 * @example
 * keyedResource(rn.project('shop'))?.k0; // the id of 'shop' when a pattern spells it, else 0
 */
export function keyedResource(resource: ResourceName): KeyedResource | undefined {
  const r = resource as KeyedResource;
  const gen = r.kgen;
  if (gen !== internGeneration()) {
    if (gen === IRREGULAR_KEYS) return undefined;
    if (gen === undefined || Object.isFrozen(r)) {
      const copy: KeyedResource = { ...resource, ...resourceKeys(resource.segments) };
      return copy.kgen === IRREGULAR_KEYS ? undefined : copy;
    }
    refresh(r);
    if (r.kgen === IRREGULAR_KEYS) return undefined;
  }
  return r;
}
