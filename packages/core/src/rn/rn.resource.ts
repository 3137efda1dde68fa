import { FlagwardError } from '../errors/flagward-error';
import { keyProblem } from '../keys/key';
import { type KeyedResource, resourceKeys } from './rn.keys';
import { parseRnPattern } from './rn.parser';
import {
  emailNameProblem,
  envTags,
  type ResourceName,
  type RnProblem,
  type RnResult,
  type RnSegment,
} from './rn.types';

/**
 * A key, optionally with the tags its resource carries.
 *
 * @example
 * const flag: KeyRef = { key: 'checkout', tags: ['beta'] };
 */
export type KeyRef = string | { readonly key: string; readonly tags?: readonly string[] };

/**
 * An environment key with its `production` flag and free tags. A bare string leaves `production`
 * unknown, so the environment carries neither built-in tag: pass the object form for real decisions.
 *
 * @example
 * const env: EnvRef = { key: 'production', production: true, tags: ['eu'] };
 */
export type EnvRef =
  | string
  | { readonly key: string; readonly production?: boolean; readonly tags?: readonly string[] };

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function invalid(path: string, message: string): never {
  throw FlagwardError.validation([{ path, message }]);
}

function checkKey(value: string, path: string): string {
  const problem = keyProblem(value);
  if (problem !== undefined) invalid(path, problem);
  return value;
}

function checkTags(tags: readonly string[] | undefined, path: string): string[] {
  const out: string[] = [];
  for (const [i, tag] of (tags ?? []).entries()) {
    checkKey(tag, `${path}[${i}]`);
    if (!out.includes(tag)) out.push(tag);
  }
  return out;
}

function segmentText(seg: RnSegment): string {
  return seg.type === 'org' ? 'org' : `${seg.type}/${seg.name}`;
}

/**
 * Builds a resource name from segments without validating names or hierarchy. For trusted callers
 * (parsers and resource walkers); application code uses {@link rn}. Resources of one project or
 * environment may share their `projectRn` and `envRn` objects.
 *
 * @example
 * resourceFromSegments([{ type: 'project', name: 'shop', tags: [] }]).text; // 'project/shop'
 */
export function resourceFromSegments(segments: readonly RnSegment[]): ResourceName {
  const last = segments.at(-1);
  if (last === undefined) throw new FlagwardError('internal', 'a resource name needs at least one segment');
  const first = segments[0]!;
  const inProject = first.type === 'project';
  const keys = resourceKeys(segments);
  // What every decision reads comes first, so that it shares the object's first cache lines; the
  // tag masks and the leaf name only matter to patterns with tag filters or partial wildcards.
  const r: Mutable<KeyedResource> = {
    type: last.type,
    kgen: keys.kgen,
    k0: keys.k0,
    k1: keys.k1,
    k2: keys.k2,
    project: inProject ? first.name : undefined,
    env: inProject && segments.length > 1 ? segments[1]!.name : undefined,
    text: segments.map(segmentText).join(':'),
    projectRn: undefined,
    envRn: undefined,
    t1: keys.t1,
    t2: keys.t2,
    leaf: keys.leaf,
    depth: keys.depth,
    segments,
  };
  if (inProject) {
    r.projectRn = segments.length === 1 ? r : sharedAncestor(segments, 1);
    if (segments.length === 2) r.envRn = r;
    else if (segments.length > 2) r.envRn = sharedAncestor(segments, 2);
  }
  return r;
}

// Resources in one environment share their project and environment objects instead of building
// them anew: a decision (and whoever keeps many resources) then reads fewer objects. Bounded;
// an ancestor is only reused when its segments equal the resource's first ones.
const MAX_SHARED_ANCESTORS = 10_000;
const sharedAncestors = new Map<string, ResourceName>();

function segmentKey(seg: RnSegment): string {
  return `${seg.type}\u0001${seg.name}\u0001${seg.tags.join('\u0001')}`;
}

function sameSegment(a: RnSegment, b: RnSegment): boolean {
  if (a.type !== b.type || a.name !== b.name || a.tags.length !== b.tags.length) return false;
  for (let i = 0; i < a.tags.length; i++) if (a.tags[i] !== b.tags[i]) return false;
  return true;
}

function sharedAncestor(segments: readonly RnSegment[], n: 1 | 2): ResourceName {
  const key =
    n === 1 ? segmentKey(segments[0]!) : `${segmentKey(segments[0]!)}\u0002${segmentKey(segments[1]!)}`;
  const known = sharedAncestors.get(key);
  if (
    known !== undefined &&
    sameSegment(known.segments[0]!, segments[0]!) &&
    (n === 1 || sameSegment(known.segments[1]!, segments[1]!))
  ) {
    return known;
  }
  const made = resourceFromSegments(segments.slice(0, n));
  if (sharedAncestors.size >= MAX_SHARED_ANCESTORS) sharedAncestors.clear();
  sharedAncestors.set(key, made);
  return made;
}

function projectSegment(project: string): RnSegment {
  return { type: 'project', name: checkKey(project, 'project'), tags: [] };
}

function envSegment(env: EnvRef): RnSegment {
  if (typeof env === 'string') return { type: 'env', name: checkKey(env, 'env'), tags: [] };
  return {
    type: 'env',
    name: checkKey(env.key, 'env.key'),
    tags: envTags(env.production, checkTags(env.tags, 'env.tags')),
  };
}

function keySegment(type: 'flag' | 'var' | 'segment', ref: KeyRef): RnSegment {
  if (typeof ref === 'string') return { type, name: checkKey(ref, type), tags: [] };
  return { type, name: checkKey(ref.key, `${type}.key`), tags: checkTags(ref.tags, `${type}.tags`) };
}

const ORG: ResourceName = resourceFromSegments([{ type: 'org', name: '', tags: [] }]);

/**
 * Constructors of concrete resource names (DESIGN §3). They validate every key and tag and throw a
 * `validation-failed` FlagwardError naming the bad argument.
 *
 * @example
 * rn.org().text;                                                   // 'org'
 * rn.env('shop', { key: 'production', production: true }).segments[1]?.tags; // ['production']
 * rn.flag('shop', 'dev', { key: 'checkout', tags: ['beta'] }).text;  // 'project/shop:env/dev:flag/checkout'
 * rn.member('ann+ops@acme.io').text;                               // 'member/ann+ops@acme.io'
 */
export const rn = {
  org(): ResourceName {
    return ORG;
  },
  project(project: string): ResourceName {
    return resourceFromSegments([projectSegment(project)]);
  },
  env(project: string, env: EnvRef): ResourceName {
    return resourceFromSegments([projectSegment(project), envSegment(env)]);
  },
  flag(project: string, env: EnvRef, flag: KeyRef): ResourceName {
    return resourceFromSegments([projectSegment(project), envSegment(env), keySegment('flag', flag)]);
  },
  variable(project: string, env: EnvRef, variable: string): ResourceName {
    return resourceFromSegments([projectSegment(project), envSegment(env), keySegment('var', variable)]);
  },
  segment(project: string, env: EnvRef, segment: string): ResourceName {
    return resourceFromSegments([projectSegment(project), envSegment(env), keySegment('segment', segment)]);
  },
  member(email: string): ResourceName {
    const problem = emailNameProblem(email);
    if (problem !== undefined) invalid('member', problem);
    return resourceFromSegments([{ type: 'member', name: email, tags: [] }]);
  },
  group(group: string): ResourceName {
    return resourceFromSegments([{ type: 'group', name: checkKey(group, 'group'), tags: [] }]);
  },
  policy(policy: string): ResourceName {
    return resourceFromSegments([{ type: 'policy', name: checkKey(policy, 'policy'), tags: [] }]);
  },
  token(id: string): ResourceName {
    return resourceFromSegments([{ type: 'token', name: checkKey(id, 'token'), tags: [] }]);
  },
} as const;

/**
 * The key a {@link KeyRef} or {@link EnvRef} names.
 *
 * @example
 * refKeyOf({ key: 'dev', production: false }); // 'dev'
 */
export function refKeyOf(ref: KeyRef | EnvRef): string {
  return typeof ref === 'string' ? ref : ref.key;
}

/**
 * Writes a resource name; with `tags: true` each tagged segment shows its tags (`;a,b`).
 *
 * @example
 * formatRn(rn.env('shop', { key: 'prod', production: true }), { tags: true }); // 'project/shop:env/prod;production'
 */
export function formatRn(resource: ResourceName, options: { tags?: boolean } = {}): string {
  if (options.tags !== true) return resource.text;
  return resource.segments
    .map((seg) => (seg.tags.length === 0 ? segmentText(seg) : `${segmentText(seg)};${seg.tags.join(',')}`))
    .join(':');
}

/**
 * Parses a concrete resource name. Tags written after `;` become the tags of that segment; the server
 * rebuilds resources with their stored tags (via {@link rn}) before deciding anything.
 *
 * @example
 * const r = parseRn('project/shop:env/dev:flag/checkout');
 * if (r.ok) r.value.type; // 'flag'
 * parseRn('project/*'); // { ok: false, problem: { position: 8, code: 'not-concrete', ... } }
 */
export function parseRn(text: string): RnResult<ResourceName> {
  const parsed = parseRnPattern(text);
  if (!parsed.ok) return parsed;
  const segments: RnSegment[] = [];
  for (const seg of parsed.value.segments) {
    let name = '';
    for (const part of seg.parts) {
      if (part.kind !== 'text') {
        const star = text.indexOf('*', seg.position);
        const dollar = text.indexOf('${', seg.position);
        const position = part.kind === 'wildcard' ? star : dollar;
        const problem: RnProblem = {
          position,
          code: 'not-concrete',
          reason: `a concrete resource name cannot contain ${part.kind === 'wildcard' ? 'wildcards' : 'placeholders'}`,
        };
        return { ok: false, problem };
      }
      name += part.text;
    }
    segments.push({ type: seg.type, name, tags: seg.tags ?? [] });
  }
  return { ok: true, value: resourceFromSegments(segments) };
}

/**
 * Parses a concrete resource name or throws a `validation-failed` FlagwardError naming `path`.
 *
 * @example
 * parseRnOrThrow('project/shop', 'resource').project; // 'shop'
 */
export function parseRnOrThrow(text: string, path = 'resource'): ResourceName {
  const result = parseRn(text);
  if (!result.ok) {
    throw FlagwardError.validation([
      { path, message: `at position ${result.problem.position}: ${result.problem.reason}` },
    ]);
  }
  return result.value;
}
