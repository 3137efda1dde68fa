import { FlagwardError } from '../errors/flagward-error';
import { formatRnPattern, type NamePart, parseRnPatternOrThrow, type RnPattern } from './rn.parser';
import { isKeyChar, type Placeholder } from './rn.types';

/**
 * Values for the placeholders of a pattern. Each value is inserted as pattern text, so a `*` in it
 * is a wildcard (how an `envs` entry such as `dev*` narrows a built-in role).
 *
 * @example
 * const params: PlaceholderValues = { project: 'shop', env: 'dev*' };
 */
export type PlaceholderValues = Partial<Readonly<Record<Placeholder, string>>>;

/**
 * Why a placeholder value is unusable, or undefined. Values are key-grammar text with optional `*`.
 *
 * @example
 * placeholderValueProblem('dev*'); // undefined
 * placeholderValueProblem('a:b');  // 'character ":" is not allowed (keys use letters, digits, ".", "_" and "-", plus "*")'
 */
export function placeholderValueProblem(value: string): string | undefined {
  if (value.length === 0) return 'must not be empty';
  if (value.length > 64) return 'must be at most 64 characters';
  for (const ch of value) {
    if (ch !== '*' && !isKeyChar(ch)) {
      return `character ${JSON.stringify(ch)} is not allowed (keys use letters, digits, ".", "_" and "-", plus "*")`;
    }
  }
  if (!value.startsWith('*') && !/^[A-Za-z0-9]/.test(value))
    return 'must start with a letter, a digit or "*"';
  return undefined;
}

function valueParts(value: string): NamePart[] {
  const parts: NamePart[] = [];
  for (const piece of value.split(/(\*+)/)) {
    if (piece.length === 0) continue;
    parts.push(piece.startsWith('*') ? { kind: 'wildcard' } : { kind: 'text', text: piece });
  }
  return parts;
}

function normalize(parts: readonly NamePart[]): NamePart[] {
  const out: NamePart[] = [];
  for (const part of parts) {
    const prev = out.at(-1);
    if (part.kind === 'wildcard' && prev?.kind === 'wildcard') continue;
    if (part.kind === 'text' && prev?.kind === 'text')
      out[out.length - 1] = { kind: 'text', text: prev.text + part.text };
    else out.push(part);
  }
  return out;
}

/**
 * Replaces the placeholders for which `params` has a value; others stay in place. Throws a
 * `validation-failed` FlagwardError naming `params.<placeholder>` for an unusable value.
 *
 * @example
 * formatRnPattern(bindPlaceholders('project/${project}:env/${env}', { project: 'shop', env: 'dev*' }));
 * // 'project/shop:env/dev*'
 */
export function bindPlaceholders(pattern: RnPattern | string, params: PlaceholderValues): RnPattern {
  const parsed = typeof pattern === 'string' ? parseRnPatternOrThrow(pattern) : pattern;
  let changed = false;
  const segments = parsed.segments.map((seg) => {
    if (!seg.parts.some((p) => p.kind === 'placeholder' && params[p.name] !== undefined)) return seg;
    changed = true;
    const parts: NamePart[] = [];
    for (const part of seg.parts) {
      const value = part.kind === 'placeholder' ? params[part.name] : undefined;
      if (part.kind !== 'placeholder' || value === undefined) {
        parts.push(part);
        continue;
      }
      const problem = placeholderValueProblem(value);
      if (problem !== undefined) {
        throw FlagwardError.validation([{ path: `params.${part.name}`, message: problem }]);
      }
      parts.push(...valueParts(value));
    }
    return { ...seg, parts: normalize(parts) };
  });
  if (!changed) return parsed;
  const bound: RnPattern = { source: '', segments };
  return { source: formatRnPattern(bound), segments };
}
