import { FlagwardError } from '../errors/flagward-error';
import { keyProblem } from '../keys/key';
import { internGeneration, nameIdOf, tagMaskOf } from './rn.intern';
import { IRREGULAR_KEYS, isRegular, type KeyedResource } from './rn.keys';
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

// The key grammar (keys/key.ts) checked one character at a time, which is what most keys need;
// anything it does not accept is left to keyProblem, which has the last word and the message.
function plainKey(value: string): boolean {
  const n = value.length;
  if (n === 0 || n > 64) return false;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    const alnum = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (!alnum && (i === 0 || (c !== 45 && c !== 46 && c !== 95))) return false;
  }
  return true;
}

function checkKey(value: string, path: string): string {
  if (plainKey(value)) return value;
  const problem = keyProblem(value);
  if (problem !== undefined) invalid(path, problem);
  return value;
}

function checkTags(tags: readonly string[] | undefined, path: string): string[] {
  const out: string[] = [];
  if (tags === undefined) return out;
  for (let i = 0; i < tags.length; i++) {
    const tag = tags[i]!;
    if (!plainKey(tag)) checkKey(tag, `${path}[${i}]`);
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
  const n = segments.length;
  if (n === 0) throw new FlagwardError('internal', 'a resource name needs at least one segment');
  const first = segments[0]!;
  const s1 = segments[1];
  const s2 = segments[2];
  const inProject = first.type === 'project';
  const regular = isRegular(segments);
  // What every decision reads comes first, so that it shares the object's first cache lines (the
  // tag masks matter to patterns with tag filters); as few fields as will do, for the same reason.
  const r: Mutable<KeyedResource> = {
    type: segments[n - 1]!.type,
    kgen: regular ? internGeneration() : IRREGULAR_KEYS,
    k0: nameIdOf(first.name),
    k1: s1 === undefined ? 0 : nameIdOf(s1.name),
    k2: s2 === undefined ? 0 : nameIdOf(s2.name),
    project: inProject ? first.name : undefined,
    env: inProject && s1 !== undefined ? s1.name : undefined,
    text: textOf(segments),
    projectRn: undefined,
    envRn: undefined,
    t1: s1 === undefined ? 0 : tagMaskOf(s1.tags),
    t2: s2 === undefined ? 0 : tagMaskOf(s2.tags),
    segments,
  };
  if (inProject) {
    r.projectRn = n === 1 ? r : sharedProject(segments);
    if (n === 2) r.envRn = r;
    else if (n > 2) r.envRn = sharedEnv(segments);
  }
  return r;
}

function textOf(segments: readonly RnSegment[]): string {
  const n = segments.length;
  if (n === 1) return segmentText(segments[0]!);
  const s0 = segmentText(segments[0]!);
  const s1 = segmentText(segments[1]!);
  if (n === 2) return [s0, s1].join(':');
  if (n === 3) return [s0, s1, segmentText(segments[2]!)].join(':');
  return segments.map(segmentText).join(':');
}

// Resources in one environment share their project and environment objects instead of building
// them anew: a decision (and whoever keeps many resources) then reads fewer objects. Keyed by the
// names the resource already holds (no key strings to build); bounded; an ancestor is reused only
// when its segments equal the resource's first ones.
interface SharedProject {
  readonly project: ResourceName;
  readonly envs: Map<string, ResourceName[]>;
}
const MAX_SHARED_PROJECTS = 10_000;
const MAX_ENV_VARIANTS = 8;
const sharedProjects = new Map<string, SharedProject>();

function sameSegment(a: RnSegment, b: RnSegment): boolean {
  if (a.type !== b.type || a.name !== b.name || a.tags.length !== b.tags.length) return false;
  for (let i = 0; i < a.tags.length; i++) if (a.tags[i] !== b.tags[i]) return false;
  return true;
}

function projectEntry(segments: readonly RnSegment[]): SharedProject | undefined {
  const first = segments[0]!;
  const known = sharedProjects.get(first.name);
  if (known !== undefined && sameSegment(known.project.segments[0]!, first)) return known;
  if (first.tags.length !== 0) return undefined;
  const made = { project: resourceFromSegments(segments.slice(0, 1)), envs: new Map() };
  if (sharedProjects.size >= MAX_SHARED_PROJECTS) sharedProjects.clear();
  sharedProjects.set(first.name, made);
  return made;
}

function sharedProject(segments: readonly RnSegment[]): ResourceName {
  return projectEntry(segments)?.project ?? resourceFromSegments(segments.slice(0, 1));
}

function sharedEnv(segments: readonly RnSegment[]): ResourceName {
  const entry = projectEntry(segments);
  if (entry === undefined) return resourceFromSegments(segments.slice(0, 2));
  const env = segments[1]!;
  let variants = entry.envs.get(env.name);
  if (variants === undefined) {
    variants = [];
    entry.envs.set(env.name, variants);
  }
  for (const known of variants) if (sameSegment(known.segments[1]!, env)) return known;
  const made = resourceFromSegments([entry.project.segments[0]!, env]);
  if (variants.length >= MAX_ENV_VARIANTS) variants.length = 0;
  variants.push(made);
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
