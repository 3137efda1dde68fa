import type { FlagConfiguration, FlagDefinition, FlagKind, Variation } from '../flags/flag.types';
import type {
  CompileOptions,
  EvaluationContext,
  EvaluationResult,
  SegmentDefinition,
} from './evaluation.types';
import { type CompiledFlag, compileFlag, evaluate } from './evaluator';

/**
 * One flag of a ruleset: its definition's evaluation fields plus its configuration in the ruleset's
 * environment (API.md `GET /sdk/v1/ruleset`).
 *
 * @example
 * const entry: RulesetFlag = toRulesetFlag(flag, configuration);
 */
export interface RulesetFlag extends Omit<FlagConfiguration, 'version'> {
  kind?: FlagKind;
  variations: Variation[];
  version: number;
  salt: string;
  archived?: boolean;
}

/**
 * Everything an SDK needs to evaluate the flags of one environment locally.
 *
 * @example
 * const ruleset: Ruleset = { environment: 'production', version: 42, flags: { 'checkout-v2': entry } };
 */
export interface Ruleset {
  environment: string;
  version: number;
  flags: Record<string, RulesetFlag>;
  /** Segments by key, for `segmentMatch` clauses (optional while segments are optional). */
  segments?: Record<string, SegmentDefinition>;
}

/**
 * Compiled flags of a ruleset, by flag key.
 *
 * @example
 * const compiled: CompiledRuleset = compileRuleset(ruleset);
 */
export type CompiledRuleset = ReadonlyMap<string, CompiledFlag>;

/**
 * The ruleset entry of a flag in one environment.
 *
 * @example
 * toRulesetFlag(flag, configuration); // { kind, variations, on, offVariation, targets, rules, fallthrough, version, salt, archived }
 */
export function toRulesetFlag(flag: FlagDefinition, configuration: FlagConfiguration): RulesetFlag {
  return {
    kind: flag.kind,
    variations: flag.variations,
    on: configuration.on,
    offVariation: configuration.offVariation,
    targets: configuration.targets,
    rules: configuration.rules,
    fallthrough: configuration.fallthrough,
    version: configuration.version,
    salt: flag.salt,
    archived: flag.archived,
  };
}

/**
 * Compiles one ruleset entry (what an SDK does on a streamed `patch`). Uses the ruleset's segments
 * unless the options give others.
 *
 * @example
 * compiled.set(key, compileRulesetFlag(key, entry, { segments: ruleset.segments }));
 */
export function compileRulesetFlag(
  key: string,
  entry: RulesetFlag,
  options: CompileOptions = {},
): CompiledFlag {
  const { kind, variations, salt, archived, ...configuration } = entry;
  return compileFlag({ key, kind, variations, salt, archived }, configuration, options);
}

/**
 * Compiles every flag of a ruleset (never throws; see compileFlag).
 *
 * @example
 * const compiled = compileRuleset(ruleset);
 * evaluateRuleset(compiled, 'checkout-v2', { key: 'user-1' });
 */
export function compileRuleset(ruleset: Ruleset, options: CompileOptions = {}): Map<string, CompiledFlag> {
  const effective: CompileOptions = { segments: options.segments ?? ruleset.segments };
  const compiled = new Map<string, CompiledFlag>();
  for (const [key, entry] of Object.entries(ruleset.flags ?? {}))
    compiled.set(key, compileRulesetFlag(key, entry, effective));
  return compiled;
}

const flagNotFound = (key: string): EvaluationResult => ({
  value: undefined,
  variant: undefined,
  reason: 'ERROR',
  errorCode: 'FLAG_NOT_FOUND',
  errorMessage: `no flag "${key}" in the ruleset`,
  flagMetadata: { version: 0 },
});

/**
 * Evaluates one flag of a compiled ruleset; an unknown key is an ERROR result with FLAG_NOT_FOUND
 * (flagMetadata.version 0).
 *
 * @example
 * evaluateRuleset(compiled, 'checkout-v2', { key: 'user-1' }).reason; // e.g. 'SPLIT'
 */
export function evaluateRuleset(
  compiled: CompiledRuleset,
  flagKey: string,
  context: EvaluationContext,
): EvaluationResult {
  const flag = compiled.get(flagKey);
  return flag === undefined ? flagNotFound(flagKey) : evaluate(flag, context);
}

/**
 * Evaluates several flags (all of them by default) for one context, as `POST /sdk/v1/evaluate` does.
 *
 * @example
 * evaluateAll(compiled, { key: 'user-1' }, ['checkout-v2']); // { 'checkout-v2': { value: true, … } }
 */
export function evaluateAll(
  compiled: CompiledRuleset,
  context: EvaluationContext,
  flagKeys?: readonly string[],
): Record<string, EvaluationResult> {
  // fromEntries defines own properties, so even a key like "__proto__" stays an ordinary entry.
  return Object.fromEntries(
    [...(flagKeys ?? compiled.keys())].map((key) => [key, evaluateRuleset(compiled, key, context)]),
  );
}
