/**
 * Every resource type a resource name (DESIGN §3) can name, one per segment type.
 *
 * @example
 * RESOURCE_TYPES.includes('flag'); // true
 */
export const RESOURCE_TYPES = [
  'org',
  'project',
  'env',
  'flag',
  'var',
  'segment',
  'member',
  'group',
  'policy',
  'token',
] as const;

/**
 * A resource type; also the type of one RN segment.
 *
 * @example
 * const type: ResourceType = 'env';
 */
export type ResourceType = (typeof RESOURCE_TYPES)[number];

/**
 * How the name of a segment is spelled: `org` has none, members are emails, everything else uses the
 * shared key grammar.
 *
 * @example
 * const naming: SegmentNaming = RESOURCE_TYPE_INFO.member.naming; // 'email'
 */
export type SegmentNaming = 'none' | 'key' | 'email';

/**
 * What a resource type looks like inside a resource name.
 *
 * @example
 * RESOURCE_TYPE_INFO.flag; // { parent: 'env', naming: 'key', tagged: true, placeholder: 'flag' }
 */
export interface ResourceTypeInfo {
  /** The type of the segment that must precede this one, or null for a first segment. */
  readonly parent: ResourceType | null;
  readonly naming: SegmentNaming;
  /** Whether resources of this type carry tags (and patterns may filter on them). */
  readonly tagged: boolean;
  /** The placeholder allowed in this segment's name, if any. */
  readonly placeholder: Placeholder | undefined;
}

/**
 * The placeholders a policy pattern may use; they are bound when the policy is assigned.
 *
 * @example
 * const p: Placeholder = 'project'; // written `${project}` in a pattern
 */
export type Placeholder = 'project' | 'env' | 'flag';

/**
 * The placeholder names, in segment order.
 *
 * @example
 * PLACEHOLDERS.includes('env'); // true
 */
export const PLACEHOLDERS: readonly Placeholder[] = ['project', 'env', 'flag'];

/**
 * The shape of each resource type: hierarchy, naming and tags.
 *
 * @example
 * RESOURCE_TYPE_INFO.env.parent; // 'project'
 */
export const RESOURCE_TYPE_INFO: Readonly<Record<ResourceType, ResourceTypeInfo>> = {
  org: { parent: null, naming: 'none', tagged: false, placeholder: undefined },
  project: { parent: null, naming: 'key', tagged: false, placeholder: 'project' },
  env: { parent: 'project', naming: 'key', tagged: true, placeholder: 'env' },
  flag: { parent: 'env', naming: 'key', tagged: true, placeholder: 'flag' },
  var: { parent: 'env', naming: 'key', tagged: false, placeholder: undefined },
  segment: { parent: 'env', naming: 'key', tagged: false, placeholder: undefined },
  member: { parent: null, naming: 'email', tagged: false, placeholder: undefined },
  group: { parent: null, naming: 'key', tagged: false, placeholder: undefined },
  policy: { parent: null, naming: 'key', tagged: false, placeholder: undefined },
  token: { parent: null, naming: 'key', tagged: false, placeholder: undefined },
};

/**
 * Whether a string names a resource type.
 *
 * @example
 * isResourceType('flag'); // true
 * isResourceType('flags'); // false
 */
export function isResourceType(value: string): value is ResourceType {
  return Object.hasOwn(RESOURCE_TYPE_INFO, value);
}

/**
 * One segment of a concrete resource name, with the tags the resource carries.
 *
 * @example
 * const seg: RnSegment = { type: 'env', name: 'production', tags: ['production'] };
 */
export interface RnSegment {
  readonly type: ResourceType;
  /** Empty for `org`. */
  readonly name: string;
  readonly tags: readonly string[];
}

/**
 * A concrete resource name: the resource's segments with their tags, its canonical text (without
 * tags) and, for resources in a project or an environment, the project and environment themselves
 * (the ancestors the access rule of DESIGN §4 checks).
 *
 * @example
 * const r: ResourceName = rn.flag('shop', { key: 'production', production: true }, 'checkout');
 * r.text;            // 'project/shop:env/production:flag/checkout'
 * r.envRn?.text;     // 'project/shop:env/production'
 */
export interface ResourceName {
  /** The type of the last segment. */
  readonly type: ResourceType;
  readonly segments: readonly RnSegment[];
  /** Canonical text, without tags. */
  readonly text: string;
  /** The project key when the resource is a project or lies inside one. */
  readonly project: string | undefined;
  /** The environment key when the resource is an environment or lies inside one. */
  readonly env: string | undefined;
  /** The project this resource is or lies in. */
  readonly projectRn: ResourceName | undefined;
  /** The environment this resource is or lies in. */
  readonly envRn: ResourceName | undefined;
}

/**
 * A reason a resource name or pattern was rejected, at a 0-based character position.
 *
 * @example
 * const p: RnProblem = { position: 12, code: 'unknown-type', reason: 'unknown resource type "flg"' };
 */
export interface RnProblem {
  readonly position: number;
  readonly code: RnProblemCode;
  readonly reason: string;
}

/**
 * Stable codes of {@link RnProblem}.
 *
 * @example
 * const code: RnProblemCode = 'stray-delimiter';
 */
export type RnProblemCode =
  | 'empty'
  | 'too-long'
  | 'unknown-type'
  | 'type-order'
  | 'missing-name'
  | 'empty-name'
  | 'unexpected-name'
  | 'bad-name-char'
  | 'invalid-name'
  | 'bad-tag'
  | 'unknown-placeholder'
  | 'misplaced-placeholder'
  | 'unclosed-placeholder'
  | 'stray-delimiter'
  | 'not-concrete';

/**
 * The outcome of parsing: a value, or the first problem found.
 *
 * @example
 * const r: RnResult<number> = { ok: false, problem: { position: 0, code: 'empty', reason: 'empty' } };
 */
export type RnResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problem: RnProblem };

/**
 * The built-in tag carried by every environment with `production: true`.
 *
 * @example
 * compileRnPattern(`project/*:env/*;${PRODUCTION_TAG}`);
 */
export const PRODUCTION_TAG = 'production';

/**
 * The built-in tag carried by every environment with `production: false`. Built-in roles use it to
 * reach non-production environments with an allow rather than a deny (see builtin-policies.ts).
 *
 * @example
 * envTags(false); // [NON_PRODUCTION_TAG]
 */
export const NON_PRODUCTION_TAG = 'non-production';

/**
 * Tags an environment gets from its `production` flag; they cannot be set as free tags.
 *
 * @example
 * RESERVED_ENV_TAGS.includes('production'); // true
 */
export const RESERVED_ENV_TAGS: readonly string[] = [PRODUCTION_TAG, NON_PRODUCTION_TAG];

/**
 * The tags an environment carries: its free tags plus `production` or `non-production`. A free tag
 * spelling a reserved tag is dropped so that it can never contradict the `production` flag. When
 * `production` is unknown (undefined) neither built-in tag is added, so built-in roles that depend on
 * it do not reach the environment (fail closed).
 *
 * @example
 * envTags(true, ['eu']);               // ['eu', 'production']
 * envTags(false, ['production']);      // ['non-production']
 */
export function envTags(production: boolean | undefined, tags: readonly string[] = []): string[] {
  const out: string[] = [];
  for (const tag of tags) {
    if (!RESERVED_ENV_TAGS.includes(tag) && !out.includes(tag)) out.push(tag);
  }
  if (production === true) out.push(PRODUCTION_TAG);
  else if (production === false) out.push(NON_PRODUCTION_TAG);
  return out;
}

const EMAIL_FORBIDDEN = new Set([':', ';', ',', '/', '*', '$', '{', '}']);

/**
 * Whether a character may appear in a member (email) name: anything printable but whitespace and the
 * RN metacharacters `: ; , / * $ { }`.
 *
 * @example
 * isEmailNameChar('+'); // true
 * isEmailNameChar(':'); // false
 */
export function isEmailNameChar(ch: string): boolean {
  const code = ch.codePointAt(0) ?? 0;
  if (code <= 0x20 || code === 0x7f || (code >= 0x80 && code <= 0xa0)) return false;
  if (/\s/u.test(ch)) return false;
  return !EMAIL_FORBIDDEN.has(ch);
}

/**
 * Whether a character may appear in a key-grammar name.
 *
 * @example
 * isKeyChar('-'); // true
 * isKeyChar('@'); // false
 */
export function isKeyChar(ch: string): boolean {
  return /^[A-Za-z0-9._-]$/.test(ch);
}

/**
 * Longest member name (an email address).
 *
 * @example
 * emailNameProblem('a@' + 'b'.repeat(MAX_EMAIL_LENGTH)); // 'must be at most 254 characters'
 */
export const MAX_EMAIL_LENGTH = 254;

/**
 * Why a concrete member name is not acceptable, or undefined.
 *
 * @example
 * emailNameProblem('ann+ops@acme.io'); // undefined
 * emailNameProblem('ann');             // 'a member name is an email address and must contain "@"'
 */
export function emailNameProblem(value: string): string | undefined {
  if (value.length === 0) return 'must not be empty';
  if (value.length > MAX_EMAIL_LENGTH) return `must be at most ${MAX_EMAIL_LENGTH} characters`;
  for (const ch of value) {
    if (!isEmailNameChar(ch)) return `character ${JSON.stringify(ch)} is not allowed in a member name`;
  }
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1) return 'a member name is an email address and must contain "@"';
  return undefined;
}
