import type { FlagConfiguration, FlagDefinition, Rule, Serve, WeightedVariation } from './flag.types';
import { jsonEqual } from './json.value';

/**
 * The per-environment flag actions a configuration change can need, in catalog order (DESIGN §4).
 *
 * @example
 * configurationActions[0]; // 'UpdateFlagOn'
 */
export const configurationActions = [
  'UpdateFlagOn',
  'UpdateFlagRollout',
  'UpdateFlagTargetingRules',
  'UpdateFlagIndividualTargeting',
  'UpdateFlagDefaultRule',
  'UpdateFlagOffVariation',
] as const;

/**
 * One of {@link configurationActions}.
 *
 * @example
 * const action: ConfigurationAction = 'UpdateFlagRollout';
 */
export type ConfigurationAction = (typeof configurationActions)[number];

/**
 * The project-wide flag actions a definition change can need, in catalog order (DESIGN §4).
 *
 * @example
 * flagDetailActions.includes('UpdateFlagTags'); // true
 */
export const flagDetailActions = [
  'UpdateFlagDetails',
  'UpdateFlagTags',
  'UpdateFlagVariations',
  'ArchiveFlag',
  'RestoreFlag',
] as const;

/**
 * One of {@link flagDetailActions}.
 *
 * @example
 * const action: FlagDetailAction = 'UpdateFlagDetails';
 */
export type FlagDetailAction = (typeof flagDetailActions)[number];

/**
 * Where a rollout lives: the fallthrough or a rule (by id).
 *
 * @example
 * const where: RolloutLocation = { rule: { id: 'beta', description: 'beta testers' } };
 */
export type RolloutLocation = 'fallthrough' | { rule: Pick<Rule, 'id' | 'description'> };

/**
 * One semantic difference between two configurations; actions and summaries derive from these.
 *
 * @example
 * const change: ConfigurationChange = { type: 'on', on: true };
 */
export type ConfigurationChange =
  | { type: 'on'; on: boolean }
  | { type: 'rollout'; location: RolloutLocation; before: WeightedVariation[]; after: WeightedVariation[] }
  | { type: 'ruleAdded'; rule: Rule }
  | { type: 'ruleRemoved'; rule: Rule }
  | { type: 'rulesReordered' }
  | { type: 'ruleChanged'; rule: Rule }
  | { type: 'rulesReplaced' }
  | { type: 'targets' }
  | { type: 'defaultRule' }
  | { type: 'offVariation'; before: string; after: string };

/**
 * One semantic difference between two flag definitions.
 *
 * @example
 * const change: FlagDetailChange = { type: 'tags', added: ['beta'], removed: ['old'] };
 */
export type FlagDetailChange =
  | { type: 'renamed'; before: string; after: string }
  | { type: 'description' }
  | { type: 'tags'; added: string[]; removed: string[] }
  | { type: 'variations' }
  | { type: 'archived' }
  | { type: 'restored' };

const CHANGE_ACTIONS: Record<ConfigurationChange['type'], ConfigurationAction> = {
  on: 'UpdateFlagOn',
  rollout: 'UpdateFlagRollout',
  ruleAdded: 'UpdateFlagTargetingRules',
  ruleRemoved: 'UpdateFlagTargetingRules',
  rulesReordered: 'UpdateFlagTargetingRules',
  ruleChanged: 'UpdateFlagTargetingRules',
  rulesReplaced: 'UpdateFlagTargetingRules',
  targets: 'UpdateFlagIndividualTargeting',
  defaultRule: 'UpdateFlagDefaultRule',
  offVariation: 'UpdateFlagOffVariation',
};

const DETAIL_ACTIONS: Record<FlagDetailChange['type'], FlagDetailAction> = {
  renamed: 'UpdateFlagDetails',
  description: 'UpdateFlagDetails',
  tags: 'UpdateFlagTags',
  variations: 'UpdateFlagVariations',
  archived: 'ArchiveFlag',
  restored: 'RestoreFlag',
};

/**
 * Whether two serves differ only in the weights of the same rollout: both rollouts, same bucketing
 * attribute (absent = `key`), same variations in the same order. Reordering variations moves
 * contexts between them, so it is not a percentage change.
 */
function isPercentageChange(before: Serve, after: Serve): boolean {
  if (!('rollout' in before) || !('rollout' in after)) return false;
  const a = before.rollout;
  const b = after.rollout;
  if ((a.bucketBy ?? 'key') !== (b.bucketBy ?? 'key') || a.weights.length !== b.weights.length) return false;
  return a.weights.every((w, i) => w.variation === b.weights[i]?.variation);
}

function sameServe(before: Serve, after: Serve): boolean {
  if (isPercentageChange(before, after)) {
    const a = (before as { rollout: { weights: WeightedVariation[] } }).rollout.weights;
    const b = (after as { rollout: { weights: WeightedVariation[] } }).rollout.weights;
    return a.every((w, i) => w.weight === b[i]?.weight);
  }
  return jsonEqual(before, after);
}

function weightsOf(serve: Serve): WeightedVariation[] {
  return 'rollout' in serve ? serve.rollout.weights : [];
}

function hasDuplicateIds(rules: readonly Rule[]): boolean {
  return new Set(rules.map((r) => r.id)).size !== rules.length;
}

function ruleChanges(before: readonly Rule[], after: readonly Rule[]): ConfigurationChange[] {
  if (jsonEqual(before, after)) return [];
  if (hasDuplicateIds(before) || hasDuplicateIds(after)) return [{ type: 'rulesReplaced' }];
  const changes: ConfigurationChange[] = [];
  const beforeById = new Map(before.map((r) => [r.id, r]));
  const afterById = new Map(after.map((r) => [r.id, r]));
  for (const rule of before) if (!afterById.has(rule.id)) changes.push({ type: 'ruleRemoved', rule });
  for (const rule of after) if (!beforeById.has(rule.id)) changes.push({ type: 'ruleAdded', rule });
  const keptBefore = before.filter((r) => afterById.has(r.id)).map((r) => r.id);
  const keptAfter = after.filter((r) => beforeById.has(r.id)).map((r) => r.id);
  if (keptBefore.some((id, i) => id !== keptAfter[i])) changes.push({ type: 'rulesReordered' });
  for (const rule of after) {
    const old = beforeById.get(rule.id);
    if (old === undefined) continue;
    const definitionChanged = old.description !== rule.description || !jsonEqual(old.clauses, rule.clauses);
    const serveSame = sameServe(old.serve, rule.serve);
    const percentage = !serveSame && isPercentageChange(old.serve, rule.serve);
    // A clause edit and a percentage edit in one request need both actions: neither hides the other.
    if (definitionChanged || (!serveSame && !percentage)) changes.push({ type: 'ruleChanged', rule });
    if (percentage) {
      changes.push({
        type: 'rollout',
        location: { rule: { id: rule.id, description: rule.description } },
        before: weightsOf(old.serve),
        after: weightsOf(rule.serve),
      });
    }
  }
  return changes;
}

/**
 * The semantic differences between two configurations of one flag in one environment, in summary
 * order: on/off, rollouts (rules, then fallthrough), rules, targets, default rule, off variation.
 * `version` is ignored. Rules are matched by id.
 *
 * @example
 * diffConfigurations(before, { ...before, on: !before.on }); // [{ type: 'on', on: !before.on }]
 */
export function diffConfigurations(
  before: FlagConfiguration,
  after: FlagConfiguration,
): ConfigurationChange[] {
  const changes: ConfigurationChange[] = [];
  if (before.on !== after.on) changes.push({ type: 'on', on: after.on });
  const rules = ruleChanges(before.rules, after.rules);
  changes.push(...rules.filter((c) => c.type === 'rollout'));
  if (
    !sameServe(before.fallthrough, after.fallthrough) &&
    isPercentageChange(before.fallthrough, after.fallthrough)
  ) {
    changes.push({
      type: 'rollout',
      location: 'fallthrough',
      before: weightsOf(before.fallthrough),
      after: weightsOf(after.fallthrough),
    });
  }
  changes.push(...rules.filter((c) => c.type !== 'rollout'));
  if (!jsonEqual(before.targets, after.targets)) changes.push({ type: 'targets' });
  if (
    !sameServe(before.fallthrough, after.fallthrough) &&
    !isPercentageChange(before.fallthrough, after.fallthrough)
  ) {
    changes.push({ type: 'defaultRule' });
  }
  if (before.offVariation !== after.offVariation) {
    changes.push({ type: 'offVariation', before: before.offVariation, after: after.offVariation });
  }
  return changes;
}

/**
 * The actions a configuration change needs (DESIGN §4 "actions come from the change"), without
 * duplicates, in catalog order; empty when nothing changed. `UpdateFlagRollout` covers only weight
 * changes of an existing rollout (same variations in the same order, same bucketBy); any other change
 * of a rule's serve is `UpdateFlagTargetingRules`, of the fallthrough `UpdateFlagDefaultRule`.
 *
 * @example
 * deriveConfigurationActions(before, { ...before, on: true, rules: [] });
 * // ['UpdateFlagOn', 'UpdateFlagTargetingRules'] (when before was off with rules)
 */
export function deriveConfigurationActions(
  before: FlagConfiguration,
  after: FlagConfiguration,
): ConfigurationAction[] {
  const needed = new Set(diffConfigurations(before, after).map((change) => CHANGE_ACTIONS[change.type]));
  return configurationActions.filter((action) => needed.has(action));
}

/**
 * The semantic differences between two definitions of a flag. Tags compare as sets (order and
 * duplicates carry no meaning); variations compare structurally, and a kind change counts as a
 * variations change.
 *
 * @example
 * diffFlagDetails(flag, { ...flag, tags: ['beta'] }); // [{ type: 'tags', added: ['beta'], removed: [...] }]
 */
export function diffFlagDetails(before: FlagDefinition, after: FlagDefinition): FlagDetailChange[] {
  const changes: FlagDetailChange[] = [];
  if (before.name !== after.name) changes.push({ type: 'renamed', before: before.name, after: after.name });
  if (before.description !== after.description) changes.push({ type: 'description' });
  const oldTags = new Set(before.tags);
  const newTags = new Set(after.tags);
  const added = [...newTags].filter((t) => !oldTags.has(t));
  const removed = [...oldTags].filter((t) => !newTags.has(t));
  if (added.length > 0 || removed.length > 0) changes.push({ type: 'tags', added, removed });
  if (before.kind !== after.kind || !jsonEqual(before.variations, after.variations))
    changes.push({ type: 'variations' });
  if (!before.archived && after.archived) changes.push({ type: 'archived' });
  if (before.archived && !after.archived) changes.push({ type: 'restored' });
  return changes;
}

/**
 * The project-wide actions a flag definition change needs, in catalog order: `UpdateFlagDetails`
 * (name, description), `UpdateFlagTags`, `UpdateFlagVariations`, and `ArchiveFlag` / `RestoreFlag`
 * when `archived` flips. Empty when nothing changed.
 *
 * @example
 * deriveFlagDetailActions(flag, { ...flag, name: 'New name', tags: ['x'] }); // ['UpdateFlagDetails', 'UpdateFlagTags']
 */
export function deriveFlagDetailActions(before: FlagDefinition, after: FlagDefinition): FlagDetailAction[] {
  const needed = new Set(diffFlagDetails(before, after).map((change) => DETAIL_ACTIONS[change.type]));
  return flagDetailActions.filter((action) => needed.has(action));
}
