import type { FieldError } from '../errors/flagward-error';
import { keyProblem } from '../keys/key';
import { variationReferences } from './configuration.validation';
import {
  type FlagConfiguration,
  type FlagDefinition,
  type FlagKind,
  flagKinds,
  type Variation,
} from './flag.types';
import { jsonEqual, jsonValueProblem } from './json.value';

const MAX_NAME_LENGTH = 256;
const MAX_DESCRIPTION_LENGTH = 4096;
const MAX_SALT_LENGTH = 128;

/**
 * Why a variation value does not fit a flag kind, or undefined when it does. json flags take any
 * JSON value (object, array or scalar).
 *
 * @example
 * variationValueProblem('number', '3'); // 'must be a number for a number flag'
 */
export function variationValueProblem(kind: FlagKind, value: unknown): string | undefined {
  switch (kind) {
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false for a boolean flag';
    case 'string':
      return typeof value === 'string' ? undefined : 'must be a string for a string flag';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value)
        ? undefined
        : 'must be a number for a number flag';
    case 'json':
      return value === undefined ? 'must be a JSON value' : jsonValueProblem(value);
    default:
      return `unknown flag kind "${String(kind)}"`;
  }
}

/**
 * Checks a list of variations for a kind: at least one; ids are unique keys; values fit the kind and
 * are pairwise distinct (a variant must identify its value); names, when present, are short strings.
 *
 * @example
 * validateVariations('boolean', [{ id: 'true', value: true }, { id: 'true', value: false }]);
 * // [{ path: 'variations[1].id', message: 'duplicate variation id "true" (also variations[0])' }]
 */
export function validateVariations(kind: FlagKind, variations: readonly Variation[]): FieldError[] {
  const errors: FieldError[] = [];
  if (!Array.isArray(variations) || variations.length === 0) {
    return [{ path: 'variations', message: 'must be a non-empty array' }];
  }
  const idOwner = new Map<string, string>();
  variations.forEach((variation: unknown, i) => {
    const path = `variations[${i}]`;
    if (typeof variation !== 'object' || variation === null) {
      errors.push({ path, message: 'must be an object {id, value, name?}' });
      return;
    }
    const { id, value, name } = variation as Partial<Variation>;
    const idProblem = typeof id === 'string' ? keyProblem(id) : 'must be a string';
    if (idProblem !== undefined) errors.push({ path: `${path}.id`, message: idProblem });
    else if (typeof id === 'string') {
      const other = idOwner.get(id);
      if (other !== undefined)
        errors.push({ path: `${path}.id`, message: `duplicate variation id "${id}" (also ${other})` });
      else idOwner.set(id, path);
    }
    const valueProblem = variationValueProblem(kind, value);
    if (valueProblem !== undefined) errors.push({ path: `${path}.value`, message: valueProblem });
    else {
      const twin = variations.slice(0, i).findIndex((earlier) => jsonEqual(earlier?.value, value));
      if (twin >= 0) errors.push({ path: `${path}.value`, message: `same value as variations[${twin}]` });
    }
    if (name !== undefined && (typeof name !== 'string' || name.length > MAX_NAME_LENGTH)) {
      errors.push({
        path: `${path}.name`,
        message: `must be a string of at most ${MAX_NAME_LENGTH} characters`,
      });
    }
  });
  return errors;
}

/**
 * Checks a flag definition: key grammar, non-empty name, description, tags (unique keys), kind,
 * variations (see {@link validateVariations}), archived, salt. Empty array means valid.
 *
 * @example
 * validateFlagDefinition({ ...flag, key: 'a:b' }); // [{ path: 'key', message: 'must start with …' }]
 */
export function validateFlagDefinition(flag: FlagDefinition): FieldError[] {
  const errors: FieldError[] = [];
  const keyIssue = typeof flag.key === 'string' ? keyProblem(flag.key) : 'must be a string';
  if (keyIssue !== undefined) errors.push({ path: 'key', message: keyIssue });
  if (typeof flag.name !== 'string' || flag.name.trim().length === 0 || flag.name.length > MAX_NAME_LENGTH) {
    errors.push({
      path: 'name',
      message: `must be a non-empty string of at most ${MAX_NAME_LENGTH} characters`,
    });
  }
  if (typeof flag.description !== 'string' || flag.description.length > MAX_DESCRIPTION_LENGTH) {
    errors.push({
      path: 'description',
      message: `must be a string of at most ${MAX_DESCRIPTION_LENGTH} characters`,
    });
  }
  if (!Array.isArray(flag.tags)) errors.push({ path: 'tags', message: 'must be an array of tags' });
  else {
    const seen = new Set<string>();
    flag.tags.forEach((tag: unknown, i) => {
      const problem = typeof tag === 'string' ? keyProblem(tag) : 'must be a string';
      if (problem !== undefined) errors.push({ path: `tags[${i}]`, message: problem });
      else if (seen.has(tag as string))
        errors.push({ path: `tags[${i}]`, message: `duplicate tag "${String(tag)}"` });
      else seen.add(tag as string);
    });
  }
  const kindKnown = (flagKinds as readonly string[]).includes(flag.kind);
  if (!kindKnown) errors.push({ path: 'kind', message: `must be one of ${flagKinds.join(', ')}` });
  else errors.push(...validateVariations(flag.kind, flag.variations));
  if (typeof flag.archived !== 'boolean') errors.push({ path: 'archived', message: 'must be a boolean' });
  if (typeof flag.salt !== 'string' || flag.salt.length === 0 || flag.salt.length > MAX_SALT_LENGTH) {
    errors.push({
      path: 'salt',
      message: `must be a non-empty string of at most ${MAX_SALT_LENGTH} characters`,
    });
  }
  return errors;
}

/**
 * Checks an update of a flag definition (PATCH name/description/tags/variations): the new definition
 * must be valid, `key`, `kind` and `salt` cannot change, and no variation may be removed while a
 * configuration still references it. `configurations` holds the flag's configuration in every
 * environment, keyed by environment key.
 *
 * @example
 * validateFlagDefinitionUpdate(flag, { ...flag, variations: [flag.variations[0]!] }, { production: config });
 * // [{ path: 'variations', message: 'variation "false" is still used in environment "production" (offVariation)' }]
 */
export function validateFlagDefinitionUpdate(
  before: FlagDefinition,
  after: FlagDefinition,
  configurations: Readonly<Record<string, FlagConfiguration>>,
): FieldError[] {
  const errors = validateFlagDefinition(after);
  for (const field of ['key', 'kind', 'salt'] as const) {
    if (before[field] !== after[field])
      errors.push({ path: field, message: `cannot be changed (was "${before[field]}")` });
  }
  const remaining = new Set(Array.isArray(after.variations) ? after.variations.map((v) => v?.id) : []);
  const removed = before.variations.map((v) => v.id).filter((id) => !remaining.has(id));
  if (removed.length === 0) return errors;
  for (const [environment, configuration] of Object.entries(configurations)) {
    const references = variationReferences(configuration);
    for (const id of removed) {
      const paths = references.get(id);
      if (paths === undefined) continue;
      errors.push({
        path: 'variations',
        message: `variation "${id}" is still used in environment "${environment}" (${paths.join(', ')})`,
      });
    }
  }
  return errors;
}
