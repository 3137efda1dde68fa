import {
  type ConfigurationChange,
  diffConfigurations,
  diffFlagDetails,
  type FlagDetailChange,
  type RolloutLocation,
} from './configuration.diff';
import type {
  FlagConfiguration,
  FlagDefinition,
  FlagKind,
  Rule,
  Variation,
  WeightedVariation,
} from './flag.types';

/**
 * What a configuration summary needs to name things: the flag key, the environment key and,
 * to pick the variation a rollout summary reports, the flag's kind and variations.
 *
 * @example
 * const subject: SummarySubject = { flag: 'checkout-v2', environment: 'production', kind: 'boolean' };
 */
export interface SummarySubject {
  flag: string;
  environment: string;
  kind?: FlagKind;
  variations?: readonly Variation[];
}

/**
 * A weight in thousandths of a percent as a percentage, with at most 3 decimals and none when not
 * needed.
 *
 * @example
 * formatPercentage(25000); // '25%'
 * formatPercentage(12500); // '12.5%'
 * formatPercentage(33333); // '33.333%'
 */
export function formatPercentage(weight: number): string {
  const whole = Math.trunc(weight / 1000);
  const fraction = Math.abs(weight % 1000);
  if (fraction === 0) return `${whole}%`;
  return `${whole}.${String(fraction).padStart(3, '0').replace(/0+$/, '')}%`;
}

function quote(text: string): string {
  return JSON.stringify(text);
}

function ruleLabel(rule: Pick<Rule, 'id' | 'description'>): string {
  return quote(rule.description !== undefined && rule.description.trim() !== '' ? rule.description : rule.id);
}

function weightOf(weights: readonly WeightedVariation[], variation: string): number {
  return weights.find((w) => w.variation === variation)?.weight ?? 0;
}

/**
 * For boolean flags the `true` variation (whatever it grows to); otherwise the variation whose share
 * grows the most (the first such one on a tie).
 */
function reportedVariation(
  before: readonly WeightedVariation[],
  after: readonly WeightedVariation[],
  subject: SummarySubject,
): { id: string; boolean: boolean } {
  const trueVariation = subject.variations?.find((v) => v.value === true)?.id;
  const isBoolean = subject.kind === 'boolean' || (subject.kind === undefined && trueVariation !== undefined);
  if (isBoolean || (subject.kind === undefined && after.some((w) => w.variation === 'true'))) {
    return { id: trueVariation ?? 'true', boolean: true };
  }
  let best = after[0]?.variation ?? '';
  let bestGrowth = Number.NEGATIVE_INFINITY;
  for (const w of after) {
    const growth = w.weight - weightOf(before, w.variation);
    if (growth > bestGrowth) [best, bestGrowth] = [w.variation, growth];
  }
  return { id: best, boolean: false };
}

function rolloutSummary(
  location: RolloutLocation,
  before: readonly WeightedVariation[],
  after: readonly WeightedVariation[],
  subject: SummarySubject,
): string {
  const variation = reportedVariation(before, after, subject);
  const where = location === 'fallthrough' ? '' : ` rule ${ruleLabel(location.rule)}`;
  const from = formatPercentage(weightOf(before, variation.id));
  const to = formatPercentage(weightOf(after, variation.id));
  const which = variation.boolean ? '' : ` for ${quote(variation.id)}`;
  return `rollout changed ${subject.flag}${where} ${from} → ${to}${which} in ${subject.environment}`;
}

function changeSummary(change: ConfigurationChange, subject: SummarySubject): string {
  const { flag, environment } = subject;
  switch (change.type) {
    case 'on':
      return `${change.on ? 'enabled' : 'disabled'} ${flag} in ${environment}`;
    case 'rollout':
      return rolloutSummary(change.location, change.before, change.after, subject);
    case 'ruleAdded':
      return `added rule ${ruleLabel(change.rule)} to ${flag} in ${environment}`;
    case 'ruleRemoved':
      return `removed rule ${ruleLabel(change.rule)} from ${flag} in ${environment}`;
    case 'rulesReordered':
      return `reordered rules of ${flag} in ${environment}`;
    case 'ruleChanged':
      return `changed rule ${ruleLabel(change.rule)} of ${flag} in ${environment}`;
    case 'rulesReplaced':
      return `changed rules of ${flag} in ${environment}`;
    case 'targets':
      return `changed individual targets of ${flag} in ${environment}`;
    case 'defaultRule':
      return `changed default rule of ${flag} in ${environment}`;
    case 'offVariation':
      return `changed off variation of ${flag} in ${environment}`;
  }
}

/**
 * One human summary per change of a configuration (audit log `summary`), in the order of
 * diffConfigurations; empty when nothing changed.
 *
 * @example
 * configurationChangeSummaries(before, { ...before, on: true }, { flag: 'checkout-v2', environment: 'production' });
 * // ['enabled checkout-v2 in production']
 */
export function configurationChangeSummaries(
  before: FlagConfiguration,
  after: FlagConfiguration,
  subject: SummarySubject,
): string[] {
  return diffConfigurations(before, after).map((change) => changeSummary(change, subject));
}

/**
 * All summaries of a configuration change joined with `; ` (or `no change to <flag> in <env>`).
 *
 * @example
 * configurationChangeSummary(before, after, { flag: 'checkout-v2', environment: 'production', kind: 'boolean' });
 * // 'enabled checkout-v2 in production; rollout changed checkout-v2 25% → 50% in production'
 */
export function configurationChangeSummary(
  before: FlagConfiguration,
  after: FlagConfiguration,
  subject: SummarySubject,
): string {
  const parts = configurationChangeSummaries(before, after, subject);
  return parts.length > 0 ? parts.join('; ') : `no change to ${subject.flag} in ${subject.environment}`;
}

function detailSummary(change: FlagDetailChange, flag: string): string {
  switch (change.type) {
    case 'renamed':
      return `renamed ${flag} from ${quote(change.before)} to ${quote(change.after)}`;
    case 'description':
      return `changed description of ${flag}`;
    case 'tags':
      return `changed tags of ${flag}: ${[...change.added.map((t) => `+${t}`), ...change.removed.map((t) => `−${t}`)].join(' ')}`;
    case 'variations':
      return `changed variations of ${flag}`;
    case 'archived':
      return `archived ${flag}`;
    case 'restored':
      return `restored ${flag}`;
  }
}

/**
 * One human summary per change of a flag definition; empty when nothing changed.
 *
 * @example
 * flagDetailChangeSummaries(flag, { ...flag, tags: ['beta'] }); // ['changed tags of checkout-v2: +beta −old']
 */
export function flagDetailChangeSummaries(before: FlagDefinition, after: FlagDefinition): string[] {
  return diffFlagDetails(before, after).map((change) => detailSummary(change, before.key));
}

/**
 * All summaries of a flag definition change joined with `; ` (or `no change to <flag>`).
 *
 * @example
 * flagDetailChangeSummary(flag, { ...flag, name: 'Checkout 2' }); // 'renamed checkout-v2 from "Checkout v2" to "Checkout 2"'
 */
export function flagDetailChangeSummary(before: FlagDefinition, after: FlagDefinition): string {
  const parts = flagDetailChangeSummaries(before, after);
  return parts.length > 0 ? parts.join('; ') : `no change to ${before.key}`;
}
