import { type FieldError, FlagwardError } from '../errors/flagward-error';
import { keyProblem } from '../keys/key';
import {
  emailNameProblem,
  isEmailNameChar,
  isKeyChar,
  isResourceType,
  MAX_EMAIL_LENGTH,
  PLACEHOLDERS,
  type Placeholder,
  RESOURCE_TYPE_INFO,
  RESOURCE_TYPES,
  type ResourceType,
  type RnProblem,
  type RnProblemCode,
  type RnResult,
} from './rn.types';

/**
 * One piece of a pattern segment's name: literal text, the `*` wildcard or a placeholder.
 *
 * @example
 * const parts: NamePart[] = [{ kind: 'text', text: 'dev' }, { kind: 'wildcard' }]; // dev*
 */
export type NamePart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'wildcard' }
  | { readonly kind: 'placeholder'; readonly name: Placeholder };

/**
 * One parsed pattern segment. `tags` is undefined when the segment has no tag filter.
 *
 * @example
 * const seg: PatternSegment = { type: 'env', parts: [{ kind: 'wildcard' }], tags: ['production'], position: 10 };
 */
export interface PatternSegment {
  readonly type: ResourceType;
  readonly parts: readonly NamePart[];
  readonly tags: readonly string[] | undefined;
  /** 0-based position of the segment in the source text. */
  readonly position: number;
}

/**
 * A parsed RN pattern.
 *
 * @example
 * const p: RnPattern = parseRnPatternOrThrow('project/shop:env/*');
 * p.segments.length; // 2
 */
export interface RnPattern {
  readonly source: string;
  readonly segments: readonly PatternSegment[];
}

/**
 * Longest pattern accepted; far beyond any legitimate one, it bounds the parser's work.
 *
 * @example
 * parseRnPattern('project/' + 'a'.repeat(MAX_PATTERN_LENGTH)).ok; // false
 */
export const MAX_PATTERN_LENGTH = 1024;

const MAX_KEY_LENGTH = 64;

class PatternSyntaxError extends Error {
  constructor(
    readonly position: number,
    readonly code: RnProblemCode,
    readonly reason: string,
  ) {
    super(reason);
  }
}

function fail(position: number, code: RnProblemCode, reason: string): never {
  throw new PatternSyntaxError(position, code, reason);
}

function describeChar(ch: string): string {
  return JSON.stringify(ch);
}

function orderProblem(type: ResourceType, previous: ResourceType | undefined): string | undefined {
  const parent = RESOURCE_TYPE_INFO[type].parent;
  if (previous === undefined) {
    return parent === null
      ? undefined
      : `"${type}" cannot start a pattern; it must follow a "${parent}" segment`;
  }
  if (parent === previous) return undefined;
  const children = RESOURCE_TYPES.filter((t) => RESOURCE_TYPE_INFO[t].parent === previous);
  if (children.length === 0) return `a "${previous}" segment cannot be followed by another segment`;
  return `"${type}" cannot follow "${previous}"; expected ${children.map((c) => `"${c}"`).join(' or ')}`;
}

class Parser {
  private i = 0;

  constructor(private readonly s: string) {}

  parse(): RnPattern {
    const s = this.s;
    if (s.length === 0) fail(0, 'empty', 'the resource name is empty');
    if (s.length > MAX_PATTERN_LENGTH) {
      fail(MAX_PATTERN_LENGTH, 'too-long', `a resource name is at most ${MAX_PATTERN_LENGTH} characters`);
    }
    const segments: PatternSegment[] = [];
    let previous: ResourceType | undefined;
    for (;;) {
      const segment = this.segment(previous);
      segments.push(segment);
      previous = segment.type;
      if (this.i >= s.length) break;
      // segment() stops only at ':' or the end.
      this.i++;
      if (this.i >= s.length) fail(this.i - 1, 'stray-delimiter', 'the resource name ends with ":"');
    }
    return { source: s, segments };
  }

  private segment(previous: ResourceType | undefined): PatternSegment {
    const s = this.s;
    const start = this.i;
    while (this.i < s.length && /[A-Za-z]/.test(s[this.i]!)) this.i++;
    const typeText = s.slice(start, this.i);
    if (typeText.length === 0) {
      const ch = s[start];
      if (ch === ':') fail(start, 'stray-delimiter', 'empty segment: unexpected ":"');
      if (ch === undefined) fail(start, 'stray-delimiter', 'expected a resource type');
      fail(start, 'unknown-type', `expected a resource type, found ${describeChar(ch)}`);
    }
    if (!isResourceType(typeText)) {
      const lower = typeText.toLowerCase();
      const hint = isResourceType(lower) ? `; types are lower-case ("${lower}")` : '';
      fail(
        start,
        'unknown-type',
        `unknown resource type "${typeText}" (expected one of ${RESOURCE_TYPES.join(', ')})${hint}`,
      );
    }
    const type: ResourceType = typeText;
    const order = orderProblem(type, previous);
    if (order !== undefined) fail(start, 'type-order', order);
    const info = RESOURCE_TYPE_INFO[type];

    let parts: NamePart[] = [];
    if (info.naming === 'none') {
      const ch = s[this.i];
      if (ch === '/') fail(this.i, 'unexpected-name', `"${type}" has no name: write just "${type}"`);
      if (ch === ';') fail(this.i, 'bad-tag', `"${type}" carries no tags`);
    } else {
      const ch = s[this.i];
      if (ch !== '/') {
        if (ch === undefined || ch === ':' || ch === ';') {
          fail(this.i, 'missing-name', `expected "/" and a name after "${type}"`);
        }
        fail(this.i, 'stray-delimiter', `expected "/" after "${type}", found ${describeChar(ch)}`);
      }
      this.i++;
      parts = this.name(type);
    }

    let tags: string[] | undefined;
    if (s[this.i] === ';') {
      if (!info.tagged) fail(this.i, 'bad-tag', `${type} resources carry no tags`);
      this.i++;
      tags = this.tags();
    }
    const ch = s[this.i];
    if (ch !== undefined && ch !== ':') {
      fail(this.i, 'stray-delimiter', `unexpected ${describeChar(ch)} after the ${type} segment`);
    }
    return { type, parts, tags, position: start };
  }

  private name(type: ResourceType): NamePart[] {
    const s = this.s;
    const info = RESOURCE_TYPE_INFO[type];
    const nameStart = this.i;
    const parts: NamePart[] = [];
    let text = '';
    const flush = (): void => {
      if (text.length > 0) parts.push({ kind: 'text', text });
      text = '';
    };
    while (this.i < s.length) {
      const ch = s[this.i]!;
      if (ch === ':' || ch === ';') break;
      if (ch === '*') {
        flush();
        if (parts.at(-1)?.kind !== 'wildcard') parts.push({ kind: 'wildcard' });
        this.i++;
        continue;
      }
      if (ch === '$' && info.naming === 'key') {
        flush();
        parts.push({ kind: 'placeholder', name: this.placeholder(type) });
        continue;
      }
      if (ch === '/' || ch === ',') {
        fail(this.i, 'stray-delimiter', `${describeChar(ch)} cannot appear in a ${type} name`);
      }
      const ok = info.naming === 'key' ? isKeyChar(ch) : isEmailNameChar(ch);
      if (!ok) {
        const allowed =
          info.naming === 'key'
            ? 'keys use letters, digits, ".", "_" and "-"'
            : 'member names are email addresses without ": ; , / * $ { }" or spaces';
        fail(
          this.i,
          'bad-name-char',
          `character ${describeChar(ch)} is not allowed in a ${type} name (${allowed})`,
        );
      }
      text += ch;
      this.i++;
    }
    flush();
    if (parts.length === 0) fail(nameStart, 'empty-name', `the ${type} name is empty`);
    this.checkName(type, parts, nameStart);
    return parts;
  }

  private checkName(type: ResourceType, parts: readonly NamePart[], nameStart: number): void {
    const info = RESOURCE_TYPE_INFO[type];
    const first = parts[0];
    if (parts.length === 1 && first?.kind === 'text') {
      const problem = info.naming === 'email' ? emailNameProblem(first.text) : keyProblem(first.text);
      if (problem !== undefined) fail(nameStart, 'invalid-name', `the ${type} name ${problem}`);
      return;
    }
    const literalLength = parts.reduce((n, p) => n + (p.kind === 'text' ? p.text.length : 0), 0);
    const max = info.naming === 'email' ? MAX_EMAIL_LENGTH : MAX_KEY_LENGTH;
    if (literalLength > max) {
      fail(
        nameStart,
        'invalid-name',
        `the ${type} name can never match: names are at most ${max} characters`,
      );
    }
    if (info.naming === 'key' && first?.kind === 'text' && !/^[A-Za-z0-9]/.test(first.text)) {
      fail(nameStart, 'invalid-name', `the ${type} name can never match: keys start with a letter or digit`);
    }
  }

  private placeholder(type: ResourceType): Placeholder {
    const s = this.s;
    const start = this.i;
    if (s[start + 1] !== '{') {
      fail(
        start,
        'bad-name-char',
        `"$" is only allowed to start a placeholder such as "\${${PLACEHOLDERS[0]}}"`,
      );
    }
    const close = s.indexOf('}', start + 2);
    const stop = [':', ';', '/', ','].map((d) => s.indexOf(d, start + 2)).filter((n) => n >= 0);
    if (close < 0 || stop.some((n) => n < close)) {
      fail(start, 'unclosed-placeholder', 'placeholder is not closed with "}"');
    }
    const name = s.slice(start + 2, close);
    if (!(PLACEHOLDERS as readonly string[]).includes(name)) {
      fail(
        start,
        'unknown-placeholder',
        `unknown placeholder "\${${name}}" (expected ${PLACEHOLDERS.map((p) => `\${${p}}`).join(', ')})`,
      );
    }
    const placeholder = name as Placeholder;
    const expected = RESOURCE_TYPE_INFO[type].placeholder;
    if (expected !== placeholder) {
      const where =
        expected === undefined ? `a ${type} name takes no placeholder` : `use \${${expected}} here`;
      fail(
        start,
        'misplaced-placeholder',
        `\${${placeholder}} can only be used in a ${placeholder} segment; ${where}`,
      );
    }
    this.i = close + 1;
    return placeholder;
  }

  private tags(): string[] {
    const s = this.s;
    const tags: string[] = [];
    for (;;) {
      const start = this.i;
      while (this.i < s.length && s[this.i] !== ',' && s[this.i] !== ':') this.i++;
      const tag = s.slice(start, this.i);
      if (tag.length === 0) {
        fail(start, 'bad-tag', tags.length === 0 ? 'empty tag list after ";"' : 'empty tag after ","');
      }
      const star = tag.indexOf('*');
      if (star >= 0) fail(start + star, 'bad-tag', 'tags cannot contain wildcards');
      const problem = keyProblem(tag);
      if (problem !== undefined) fail(start, 'bad-tag', `tag "${tag}" ${problem}`);
      if (!tags.includes(tag)) tags.push(tag);
      if (s[this.i] !== ',') return tags;
      this.i++;
    }
  }
}

/**
 * Parses an RN pattern (DESIGN §3): segments split on `:`, each `type/name[;tag1,tag2]`, `*` matching
 * any run within a name, placeholders `${project}` `${env}` `${flag}` in their own segment.
 *
 * @example
 * const r = parseRnPattern('project/${project}:env/*;production:flag/*');
 * if (!r.ok) console.log(r.problem.position, r.problem.reason);
 */
export function parseRnPattern(text: string): RnResult<RnPattern> {
  try {
    return { ok: true, value: new Parser(text).parse() };
  } catch (err) {
    if (err instanceof PatternSyntaxError) {
      return { ok: false, problem: { position: err.position, code: err.code, reason: err.reason } };
    }
    throw err;
  }
}

/**
 * A parse problem as the `FieldError` of a validation failure.
 *
 * @example
 * rnProblemToFieldError({ position: 8, code: 'unknown-type', reason: 'unknown resource type "flg"' }, 'statements[0].resources[1]');
 * // { path: 'statements[0].resources[1]', message: 'at position 8: unknown resource type "flg"' }
 */
export function rnProblemToFieldError(problem: RnProblem, path: string): FieldError {
  return { path, message: `at position ${problem.position}: ${problem.reason}` };
}

/**
 * Parses a pattern or throws a `validation-failed` FlagwardError naming `path`.
 *
 * @example
 * const p = parseRnPatternOrThrow('project/shop:env/dev*', 'resources[0]');
 */
export function parseRnPatternOrThrow(text: string, path = 'resource'): RnPattern {
  const result = parseRnPattern(text);
  if (!result.ok) throw FlagwardError.validation([rnProblemToFieldError(result.problem, path)]);
  return result.value;
}

/**
 * Writes the parts of a pattern name back as text.
 *
 * @example
 * formatNameParts([{ kind: 'text', text: 'dev' }, { kind: 'wildcard' }]); // 'dev*'
 */
export function formatNameParts(parts: readonly NamePart[]): string {
  let out = '';
  for (const part of parts) {
    if (part.kind === 'text') out += part.text;
    else if (part.kind === 'wildcard') out += '*';
    else out += `\${${part.name}}`;
  }
  return out;
}

/**
 * Writes a pattern back as canonical text (consecutive wildcards collapsed, duplicate tags removed).
 *
 * @example
 * formatRnPattern(parseRnPatternOrThrow('project/a:env/**;production')); // 'project/a:env/*;production'
 */
export function formatRnPattern(pattern: RnPattern): string {
  return pattern.segments
    .map((seg) => {
      const name = RESOURCE_TYPE_INFO[seg.type].naming === 'none' ? '' : `/${formatNameParts(seg.parts)}`;
      const tags = seg.tags === undefined ? '' : `;${seg.tags.join(',')}`;
      return `${seg.type}${name}${tags}`;
    })
    .join(':');
}

/**
 * The placeholders a pattern still contains.
 *
 * @example
 * patternPlaceholders(parseRnPatternOrThrow('project/${project}:env/*')); // ['project']
 */
export function patternPlaceholders(pattern: RnPattern): Placeholder[] {
  const out: Placeholder[] = [];
  for (const seg of pattern.segments) {
    for (const part of seg.parts) {
      if (part.kind === 'placeholder' && !out.includes(part.name)) out.push(part.name);
    }
  }
  return out;
}
