import type { FlagConfiguration } from './flag.types';

/**
 * The body of `PATCH …/flags/{f}/environments/{e}`: any subset of the configuration fields, plus the
 * `version` the client read (optimistic concurrency) and a `comment` for the audit log. Neither
 * `version` nor `comment` is a configuration field.
 *
 * @example
 * const patch: ConfigurationPatch = { on: true, version: 4, comment: 'launch' };
 */
export interface ConfigurationPatch {
  on?: FlagConfiguration['on'];
  offVariation?: FlagConfiguration['offVariation'];
  targets?: FlagConfiguration['targets'];
  rules?: FlagConfiguration['rules'];
  fallthrough?: FlagConfiguration['fallthrough'];
  version?: number;
  comment?: string;
}

/**
 * The configuration fields a patch may replace, in API.md order.
 *
 * @example
 * patchableConfigurationFields.includes('rules'); // true
 */
export const patchableConfigurationFields = [
  'on',
  'offVariation',
  'targets',
  'rules',
  'fallthrough',
] as const;

/**
 * The configuration a patch asks for: each top-level field present in the patch replaces the
 * current one wholesale (no deep merge: sending `rules` sends all of them); absent or undefined
 * fields are kept; `version` and `comment` are ignored (the caller checks the version and increments
 * it when it applies the change), as is anything unknown. Neither argument is modified and the
 * result shares no objects with the patch. Validate the result with validateFlagConfiguration.
 *
 * @example
 * applyConfigurationPatch(current, { on: true, version: 3 });
 * // { ...current, on: true } (version unchanged)
 */
export function applyConfigurationPatch(
  current: FlagConfiguration,
  patch: ConfigurationPatch,
): FlagConfiguration {
  const next: FlagConfiguration = { ...current };
  for (const field of patchableConfigurationFields) {
    const value = patch[field];
    if (value !== undefined) (next as unknown as Record<string, unknown>)[field] = structuredClone(value);
  }
  return next;
}
