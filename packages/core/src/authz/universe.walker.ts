import type { CompiledPattern, CompiledSegment } from '../rn/rn.matcher';
import { resourceFromSegments, rn } from '../rn/rn.resource';
import {
  envTags,
  NON_PRODUCTION_TAG,
  PRODUCTION_TAG,
  type ResourceName,
  type RnSegment,
} from '../rn/rn.types';

/**
 * An existing environment with its variables and segments.
 *
 * @example
 * const env: UniverseEnv = { key: 'production', production: true, variables: ['API_URL'] };
 */
export interface UniverseEnv {
  readonly key: string;
  readonly production: boolean;
  readonly tags?: readonly string[];
  readonly variables?: readonly string[];
  readonly segments?: readonly string[];
}

/**
 * An existing flag (it exists in every environment of its project).
 *
 * @example
 * const flag: UniverseFlag = { key: 'checkout', tags: ['beta'] };
 */
export interface UniverseFlag {
  readonly key: string;
  readonly tags?: readonly string[];
}

/**
 * An existing project with its environments and flags.
 *
 * @example
 * const p: UniverseProject = { key: 'shop', envs: [{ key: 'dev', production: false }], flags: [{ key: 'checkout' }] };
 */
export interface UniverseProject {
  readonly key: string;
  readonly envs: readonly UniverseEnv[];
  readonly flags: readonly UniverseFlag[];
}

/**
 * The concrete resources of an organization that delegation checks look at (`org` always exists).
 *
 * @example
 * const universe: Universe = { projects: [shop] };
 */
export interface Universe {
  readonly projects: readonly UniverseProject[];
}

/**
 * Stands for the unknown name of a resource that does not exist yet. It is not a key character, so
 * only a wildcard can match it: a grant over `flag/*` also reaches flags created later, and the
 * grantor must hold the action on such a flag too, not just on today's flags.
 *
 * @example
 * describeReached(resourceFromSegments([{ type: 'project', name: FUTURE_NAME_CHAR, tags: [] }]), true); // 'project/*'
 */
export const FUTURE_NAME_CHAR = '\u0000';

/**
 * Visits a reached resource; `future` marks a resource that does not exist yet but that the pattern
 * would reach once created. Return `false` to stop the walk.
 *
 * @example
 * const visit: ReachVisitor = (resource, future) => { console.log(resource.text, future); };
 */
export type ReachVisitor = (resource: ResourceName, future: boolean) => boolean | undefined;

interface Node {
  readonly segment: RnSegment;
  readonly future: boolean;
  readonly project?: UniverseProject | undefined;
  readonly env?: UniverseEnv | undefined;
}

function probeName(seg: CompiledSegment): string {
  let name = '';
  for (const part of seg.parts) name += part.kind === 'text' ? part.text : FUTURE_NAME_CHAR;
  return name;
}

function probeTagSets(seg: CompiledSegment): string[][] {
  const choices: (string | undefined)[] = seg.tags === undefined ? [undefined] : [...seg.tags];
  const sets: string[][] = [];
  for (const t of choices) {
    if (seg.type === 'env') {
      for (const production of [true, false]) {
        const builtin = production ? PRODUCTION_TAG : NON_PRODUCTION_TAG;
        if (t === PRODUCTION_TAG || t === NON_PRODUCTION_TAG) {
          if (t === builtin) sets.push([builtin]);
        } else sets.push(envTags(production, t === undefined ? [] : [t]));
      }
    } else sets.push(t === undefined ? [] : [t]);
  }
  return sets;
}

function candidates(seg: CompiledSegment, existing: readonly RnSegment[], parentFuture: boolean): Node[] {
  const out: Node[] = [];
  let literalFound = false;
  const literal = seg.hasWildcard ? undefined : probeName(seg);
  for (const s of existing) {
    if (s.name === literal) literalFound = true;
    if (seg.matches(s)) out.push({ segment: s, future: parentFuture });
  }
  if (seg.hasWildcard || !literalFound) {
    const name = probeName(seg);
    for (const tags of probeTagSets(seg)) {
      const s: RnSegment = { type: seg.type, name, tags };
      if (seg.matches(s)) out.push({ segment: s, future: true });
    }
  }
  return out;
}

/**
 * Enumerates the resources a (bound, compiled) pattern reaches in a universe: the existing ones and,
 * where a name is a wildcard or an absent literal, a stand-in for resources created later (one per
 * relevant tag combination; environments both production and non-production).
 *
 * @example
 * walkReached(compileRnPattern('project/shop:env/*:flag/checkout'), universe, (r, future) => {
 *   console.log(r.text, future);
 * });
 */
export function walkReached(pattern: CompiledPattern, universe: Universe, visit: ReachVisitor): void {
  const [s0, s1, s2] = pattern.segments;
  if (s0 === undefined) return;
  if (s0.type === 'org') {
    visit(rn.org(), false);
    return;
  }
  if (s0.type !== 'project') return;
  const projectSegs = universe.projects.map((p): RnSegment => ({ type: 'project', name: p.key, tags: [] }));
  for (const pNode of candidates(s0, projectSegs, false)) {
    const project = pNode.future ? undefined : universe.projects.find((p) => p.key === pNode.segment.name);
    if (s1 === undefined) {
      if (visit(resourceFromSegments([pNode.segment]), pNode.future) === false) return;
      continue;
    }
    const envs = project?.envs ?? [];
    const envSegs = envs.map(
      (e): RnSegment => ({ type: 'env', name: e.key, tags: envTags(e.production, e.tags) }),
    );
    for (const eNode of candidates(s1, envSegs, pNode.future)) {
      const env = eNode.future ? undefined : envs.find((e) => e.key === eNode.segment.name);
      if (s2 === undefined) {
        if (visit(resourceFromSegments([pNode.segment, eNode.segment]), eNode.future) === false) return;
        continue;
      }
      let existing: RnSegment[] = [];
      if (s2.type === 'flag') {
        existing = (project?.flags ?? []).map((f) => ({
          type: 'flag',
          name: f.key,
          tags: [...(f.tags ?? [])],
        }));
      } else if (s2.type === 'var') {
        existing = (env?.variables ?? []).map((v) => ({ type: 'var', name: v, tags: [] }));
      } else if (s2.type === 'segment') {
        existing = (env?.segments ?? []).map((v) => ({ type: 'segment', name: v, tags: [] }));
      }
      for (const cNode of candidates(s2, existing, eNode.future)) {
        const r = resourceFromSegments([pNode.segment, eNode.segment, cNode.segment]);
        if (visit(r, cNode.future) === false) return;
      }
    }
  }
}

/**
 * Writes a reached resource for people: stand-in segments show `*` for the unknown name, and their tags.
 *
 * @example
 * describeReached(resource, true); // 'project/shop:env/*;production:flag/*'
 */
export function describeReached(resource: ResourceName, future: boolean): string {
  if (!future) return resource.text;
  return resource.segments
    .map((seg) => {
      if (!seg.name.includes(FUTURE_NAME_CHAR)) return seg.type === 'org' ? 'org' : `${seg.type}/${seg.name}`;
      // Tags tell apart the stand-ins of one pattern (a future production env vs a non-production one).
      const base = `${seg.type}/${seg.name.replaceAll(FUTURE_NAME_CHAR, '*')}`;
      return seg.tags.length === 0 ? base : `${base};${seg.tags.join(',')}`;
    })
    .join(':');
}
