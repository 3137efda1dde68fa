import { FlagwardError } from '../errors/flagward-error';
import { type NamePart, parseRnPatternOrThrow, type RnPattern } from './rn.parser';
import type { ResourceName, ResourceType, RnSegment } from './rn.types';

/**
 * A pattern compiled once into a matcher that does no parsing and no regular-expression work per
 * call.
 *
 * @example
 * const m = compileRnPattern('project/shop:env/*;production');
 * m.matches(rn.env('shop', { key: 'prod', production: true })); // true
 */
export interface CompiledPattern {
  readonly source: string;
  /** The resource type the pattern selects (its last segment). */
  readonly type: ResourceType;
  readonly segmentCount: number;
  /** The project key when the pattern's project name is a plain literal; lets indexes skip it cheaply. */
  readonly projectLiteral: string | undefined;
  /** The per-segment name matchers, exposed for walkers that enumerate what a pattern reaches. */
  readonly segments: readonly CompiledSegment[];
  matches(resource: ResourceName): boolean;
}

/**
 * One compiled segment: its type, a name test and an optional tag filter (carry any of `tags`).
 *
 * @example
 * compileRnPattern('project/a*').segments[0]?.name('abc'); // true
 */
export interface CompiledSegment {
  readonly type: ResourceType;
  readonly parts: readonly NamePart[];
  readonly tags: readonly string[] | undefined;
  readonly hasWildcard: boolean;
  name(value: string): boolean;
  matches(segment: RnSegment): boolean;
}

const ANY = (): boolean => true;

function globMatcher(
  texts: readonly string[],
  leadingStar: boolean,
  trailingStar: boolean,
): (v: string) => boolean {
  const first = texts[0] ?? '';
  const last = texts.at(-1) ?? '';
  const middleStart = leadingStar ? 0 : 1;
  const middleEnd = trailingStar ? texts.length : texts.length - 1;
  const minLength = texts.reduce((n, t) => n + t.length, 0);
  // Leftmost-first placement of each literal run is optimal for `*`-only globs, so no backtracking.
  return (v) => {
    if (v.length < minLength) return false;
    let pos = 0;
    if (!leadingStar) {
      if (!v.startsWith(first)) return false;
      pos = first.length;
    }
    for (let i = middleStart; i < middleEnd; i++) {
      const t = texts[i]!;
      const at = v.indexOf(t, pos);
      if (at < 0) return false;
      pos = at + t.length;
    }
    if (!trailingStar) return v.length - last.length >= pos && v.endsWith(last);
    return true;
  };
}

/**
 * Compiles the parts of one name into a test. Placeholders must have been bound.
 *
 * @example
 * compileNameParts([{ kind: 'text', text: 'ops-' }, { kind: 'wildcard' }])('ops-eu'); // true
 */
export function compileNameParts(parts: readonly NamePart[]): (value: string) => boolean {
  const texts: string[] = [];
  let wildcards = 0;
  for (const part of parts) {
    if (part.kind === 'placeholder') {
      throw new FlagwardError('internal', `placeholder \${${part.name}} must be bound before matching`);
    }
    if (part.kind === 'wildcard') wildcards++;
    else texts.push(part.text);
  }
  if (parts.length === 0) return (v) => v === '';
  const leadingStar = parts[0]!.kind === 'wildcard';
  const trailingStar = parts.at(-1)!.kind === 'wildcard';
  if (wildcards === 0) {
    const literal = texts[0]!;
    return (v) => v === literal;
  }
  if (texts.length === 0) return ANY;
  if (texts.length === 1 && wildcards === 1) {
    const t = texts[0]!;
    return leadingStar ? (v) => v.endsWith(t) : (v) => v.startsWith(t);
  }
  return globMatcher(texts, leadingStar, trailingStar);
}

function compileSegment(type: ResourceType, parts: readonly NamePart[], tags: readonly string[] | undefined) {
  const name = compileNameParts(parts);
  const hasWildcard = parts.some((p) => p.kind === 'wildcard');
  const tagFilter = tags;
  const matches =
    tagFilter === undefined
      ? (seg: RnSegment): boolean => seg.type === type && name(seg.name)
      : (seg: RnSegment): boolean => {
          if (seg.type !== type || !name(seg.name)) return false;
          for (const tag of seg.tags) if (tagFilter.includes(tag)) return true;
          return false;
        };
  const compiled: CompiledSegment = { type, parts, tags, hasWildcard, name, matches };
  return compiled;
}

/**
 * Compiles a pattern (text or parsed) into a matcher. Throws a `validation-failed` FlagwardError for
 * a malformed pattern and an `internal` one for unbound placeholders.
 *
 * @example
 * const m = compileRnPattern('project/shop:env/dev*:flag/*;beta');
 * m.matches(rn.flag('shop', 'dev-1', { key: 'x', tags: ['beta'] })); // true
 * m.matches(rn.flag('shop', 'dev-1', 'x'));                          // false: no tag "beta"
 */
export function compileRnPattern(pattern: RnPattern | string): CompiledPattern {
  const parsed = typeof pattern === 'string' ? parseRnPatternOrThrow(pattern) : pattern;
  const segments = parsed.segments.map((s) => compileSegment(s.type, s.parts, s.tags));
  const n = segments.length;
  const first = parsed.segments[0]!;
  const firstPart = first.parts[0];
  const projectLiteral =
    first.type === 'project' && first.parts.length === 1 && firstPart?.kind === 'text'
      ? firstPart.text
      : undefined;
  const m0 = segments[0]!.matches;
  const m1 = segments[1]?.matches;
  const m2 = segments[2]?.matches;
  // The hierarchy allows at most three segments, so the per-length closures avoid a loop per call.
  let matches: (r: ResourceName) => boolean;
  if (n === 1) matches = (r) => r.segments.length === 1 && m0(r.segments[0]!);
  else if (n === 2) matches = (r) => r.segments.length === 2 && m0(r.segments[0]!) && m1!(r.segments[1]!);
  else {
    matches = (r) =>
      r.segments.length === 3 && m2!(r.segments[2]!) && m0(r.segments[0]!) && m1!(r.segments[1]!);
  }
  return {
    source: parsed.source,
    type: segments[n - 1]!.type,
    segmentCount: n,
    projectLiteral,
    segments,
    matches,
  };
}
