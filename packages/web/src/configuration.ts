import type { FlagConfiguration } from '@flagward/core';
import type { Configuration } from './types';

const FIELDS = ['on', 'offVariation', 'targets', 'rules', 'fallthrough'] as const;

/** The configuration part of the API's view (without flag, environment, updatedAt). */
export function configurationOf(view: Configuration): FlagConfiguration {
  const { on, offVariation, targets, rules, fallthrough, version } = view;
  return { on, offVariation, targets, rules, fallthrough, version };
}

/**
 * Only the fields that changed, so a PATCH names exactly the change: the server derives the actions
 * it needs from the change, and a field sent unchanged would only make the request harder to read.
 */
export function changedFields(
  before: FlagConfiguration,
  after: FlagConfiguration,
): Partial<FlagConfiguration> {
  const patch: Partial<Record<(typeof FIELDS)[number], unknown>> = {};
  for (const field of FIELDS) {
    if (JSON.stringify(before[field]) !== JSON.stringify(after[field])) patch[field] = after[field];
  }
  return patch as Partial<FlagConfiguration>;
}
