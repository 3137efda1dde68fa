import type { Clause, JsonValue } from '../flags/flag.types';

/**
 * The attributes a flag is evaluated against. `key` identifies the context (individual targets,
 * default bucketing); when it is absent, OpenFeature's `targetingKey` stands in for it. Attributes are
 * top-level properties; strings, numbers, booleans and arrays of them are what clauses compare.
 *
 * @example
 * const context: EvaluationContext = { key: 'user-42', email: 'ann@acme.com', groups: ['beta'], age: 37 };
 */
export interface EvaluationContext {
  readonly key?: unknown;
  readonly targetingKey?: unknown;
  readonly [attribute: string]: unknown;
}

/**
 * Why a value was served (OpenFeature reasons).
 *
 * @example
 * evaluationReasons.includes('SPLIT'); // true
 */
export const evaluationReasons = ['DISABLED', 'TARGETING_MATCH', 'SPLIT', 'DEFAULT', 'ERROR'] as const;

/**
 * One of {@link evaluationReasons}.
 *
 * @example
 * const reason: EvaluationReason = 'DEFAULT';
 */
export type EvaluationReason = (typeof evaluationReasons)[number];

/**
 * Why an evaluation failed (OpenFeature error codes). `TARGETING_KEY_MISSING`: a rollout needs its
 * bucketing attribute and the context lacks it; `INVALID_CONTEXT`: the context is not an object or the
 * bucketing attribute is neither a string nor an integer; `PARSE_ERROR`: the flag's configuration is
 * malformed; `FLAG_NOT_FOUND`: no such flag in the ruleset.
 *
 * @example
 * const code: EvaluationErrorCode = 'TARGETING_KEY_MISSING';
 */
export type EvaluationErrorCode =
  | 'FLAG_NOT_FOUND'
  | 'PARSE_ERROR'
  | 'TYPE_MISMATCH'
  | 'TARGETING_KEY_MISSING'
  | 'INVALID_CONTEXT'
  | 'GENERAL';

/**
 * Metadata of a result: the configuration version that produced it and, when a rule decided, which.
 *
 * @example
 * const metadata: FlagMetadata = { version: 7, ruleId: 'beta', ruleIndex: 0 };
 */
export interface FlagMetadata {
  readonly version: number;
  readonly ruleId?: string;
  readonly ruleIndex?: number;
}

/**
 * The outcome of evaluating one flag for one context, shaped like OpenFeature's resolution details.
 * `value` and `variant` are undefined only when `reason` is `ERROR` (the caller then uses its own
 * default). Results are immutable and may be shared between evaluations.
 *
 * @example
 * const result: EvaluationResult = { value: true, variant: 'true', reason: 'DEFAULT', flagMetadata: { version: 3 } };
 */
export interface EvaluationResult {
  readonly value: JsonValue | undefined;
  readonly variant: string | undefined;
  readonly reason: EvaluationReason;
  readonly errorCode?: EvaluationErrorCode;
  readonly errorMessage?: string;
  readonly flagMetadata: FlagMetadata;
}

/**
 * A segment as the evaluator sees it: explicit keys and rules (each rule matches when all its
 * clauses match). Precedence: `included` → member, else `excluded` → not a member, else member
 * when any rule matches. `segmentMatch` clauses inside a segment never match (no nesting).
 *
 * @example
 * const segment: SegmentDefinition = { included: ['user-1'], rules: [{ clauses: [{ attribute: 'plan', op: 'in', values: ['pro'] }] }] };
 */
export interface SegmentDefinition {
  readonly included?: readonly string[];
  readonly excluded?: readonly string[];
  readonly rules?: readonly { readonly clauses: readonly Clause[] }[];
}

/**
 * Options of compileFlag / compileRuleset.
 *
 * @example
 * const options: CompileOptions = { segments: { 'beta-users': { included: ['user-1'] } } };
 */
export interface CompileOptions {
  /** Segments referenced by `segmentMatch` clauses, by key; unknown segments never match. */
  readonly segments?: Readonly<Record<string, SegmentDefinition>>;
}
