import { validateFlagConfiguration } from '../flags/configuration.validation';
import type { FlagConfiguration, FlagKind, JsonValue, Rollout, Serve, Variation } from '../flags/flag.types';
import { jsonValueProblem } from '../flags/json.value';
import { createBucketer } from './bucketing';
import type {
  CompileOptions,
  EvaluationContext,
  EvaluationErrorCode,
  EvaluationReason,
  EvaluationResult,
  FlagMetadata,
} from './evaluation.types';
import { attributeReader, type ClauseMatcher, compileClause, contextKey } from './operators';
import { segmentLookup } from './segments';

/**
 * What compileFlag needs of a flag definition (a ruleset entry carries exactly this).
 *
 * @example
 * const flag: CompilableFlag = { key: 'checkout-v2', salt: 'a1b2', variations: defaultVariations('boolean') };
 */
export interface CompilableFlag {
  readonly key: string;
  readonly salt: string;
  readonly variations: readonly Variation[];
  readonly archived?: boolean;
  readonly kind?: FlagKind;
}

/**
 * A flag configuration compiled for fast evaluation. Create with compileFlag, use with evaluate.
 *
 * @example
 * const compiled: CompiledFlag = compileFlag(flag, configuration);
 * compiled.version; // the configuration version
 */
export interface CompiledFlag {
  readonly key: string;
  readonly version: number;
  readonly kind: FlagKind | undefined;
  /** Configuration problems that make every evaluation an ERROR / PARSE_ERROR (empty when sound). */
  readonly problems: readonly string[];
  /** The specialized evaluation function; call evaluate() instead, which checks the context first. */
  readonly run: (context: EvaluationContext) => EvaluationResult;
}

type Evaluate = (context: EvaluationContext) => EvaluationResult;

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

/** Builds the immutable results once per compilation so that evaluating allocates nothing. */
class ResultFactory {
  private readonly values = new Map<string, JsonValue>();
  readonly baseMetadata: FlagMetadata;

  constructor(
    variations: readonly Variation[],
    private readonly version: number,
  ) {
    this.baseMetadata = Object.freeze({ version });
    for (const variation of variations) {
      // A private frozen copy: callers may neither mutate served values nor be surprised by our sharing.
      if (!this.values.has(variation.id))
        this.values.set(variation.id, deepFreeze(structuredClone(variation.value)));
    }
  }

  metadata(ruleId: string | undefined, ruleIndex: number | undefined): FlagMetadata {
    return ruleId === undefined
      ? this.baseMetadata
      : Object.freeze({ version: this.version, ruleId, ruleIndex });
  }

  served(variation: string, reason: EvaluationReason, metadata: FlagMetadata): EvaluationResult {
    return Object.freeze({
      value: this.values.get(variation),
      variant: variation,
      reason,
      flagMetadata: metadata,
    });
  }

  error(
    errorCode: EvaluationErrorCode,
    errorMessage: string,
    metadata: FlagMetadata = this.baseMetadata,
  ): EvaluationResult {
    return Object.freeze({
      value: undefined,
      variant: undefined,
      reason: 'ERROR',
      errorCode,
      errorMessage,
      flagMetadata: metadata,
    });
  }
}

function compileRollout(
  rollout: Rollout,
  results: ResultFactory,
  bucket: (value: string) => number,
  metadata: FlagMetadata,
  where: string,
): Evaluate {
  const attribute = rollout.bucketBy ?? 'key';
  const read = attributeReader(attribute);
  const thresholds: number[] = [];
  const served: EvaluationResult[] = [];
  let cumulative = 0;
  for (const { variation, weight } of rollout.weights) {
    cumulative += weight;
    thresholds.push(cumulative);
    served.push(results.served(variation, 'SPLIT', metadata));
  }
  const count = thresholds.length;
  const missing = results.error(
    'TARGETING_KEY_MISSING',
    `the rollout of ${where} buckets by "${attribute}", which the context lacks`,
    metadata,
  );
  const invalid = results.error(
    'INVALID_CONTEXT',
    `the rollout of ${where} buckets by "${attribute}", which must be a string or an integer`,
    metadata,
  );
  return (context) => {
    const value = read(context);
    let text: string;
    if (typeof value === 'string') {
      if (value === '') return missing;
      text = value;
    } else if (value === undefined || value === null) return missing;
    else if (typeof value === 'number' && Number.isSafeInteger(value)) text = String(value);
    else return invalid;
    const b = bucket(text);
    for (let i = 0; i < count; i++) if (b < (thresholds[i] as number)) return served[i] as EvaluationResult;
    return served[count - 1] as EvaluationResult;
  };
}

function compileServe(
  serve: Serve,
  results: ResultFactory,
  bucket: () => (value: string) => number,
  metadata: FlagMetadata,
  where: string,
  fixedReason: EvaluationReason,
): Evaluate {
  if ('rollout' in serve) return compileRollout(serve.rollout, results, bucket(), metadata, where);
  const result = results.served(serve.variation, fixedReason, metadata);
  return () => result;
}

function compileTargeting(
  flag: CompilableFlag,
  configuration: FlagConfiguration,
  results: ResultFactory,
  options: CompileOptions,
): Evaluate {
  let bucketer: ((value: string) => number) | undefined;
  const bucket = () => {
    bucketer ??= createBucketer(flag.key, flag.salt);
    return bucketer;
  };
  const targets = new Map<string, EvaluationResult>();
  for (const target of configuration.targets) {
    const result = results.served(target.variation, 'TARGETING_MATCH', results.baseMetadata);
    for (const key of target.values) if (!targets.has(key)) targets.set(key, result);
  }
  const segments = segmentLookup(options);
  const rules = configuration.rules.map((rule, index) => {
    const metadata = results.metadata(rule.id, index);
    return {
      clauses: rule.clauses.map((clause): ClauseMatcher => compileClause(clause, segments)),
      serve: compileServe(rule.serve, results, bucket, metadata, `rule "${rule.id}"`, 'TARGETING_MATCH'),
    };
  });
  const fallthrough = compileServe(
    configuration.fallthrough,
    results,
    bucket,
    results.baseMetadata,
    'the default rule',
    'DEFAULT',
  );
  if (targets.size === 0 && rules.length === 0) return fallthrough;
  return (context) => {
    if (targets.size > 0) {
      const key = contextKey(context);
      if (typeof key === 'string') {
        const targeted = targets.get(key);
        if (targeted !== undefined) return targeted;
      }
    }
    nextRule: for (let r = 0; r < rules.length; r++) {
      const rule = rules[r] as (typeof rules)[number];
      const clauses = rule.clauses;
      for (let c = 0; c < clauses.length; c++) if (!(clauses[c] as ClauseMatcher)(context)) continue nextRule;
      return rule.serve(context);
    }
    return fallthrough(context);
  };
}

/**
 * Compiles a flag's configuration in one environment for evaluation: clause values are parsed once
 * (sets for in/notIn, compiled patterns, parsed dates and versions), results are built once, and the
 * bucket hash of `<key>.<salt>.` is precomputed. Never throws: a structurally broken configuration
 * (unknown variation, bad weights…) compiles to a flag whose every evaluation is ERROR / PARSE_ERROR,
 * and an unusable clause value makes its clause never match.
 *
 * @example
 * const compiled = compileFlag(
 *   { key: 'checkout-v2', salt: 'a1b2', variations: defaultVariations('boolean') },
 *   { ...initialConfiguration({ kind: 'boolean', variations: defaultVariations('boolean') }), on: true },
 * );
 * evaluate(compiled, { key: 'user-1' }); // { value: true, variant: 'true', reason: 'DEFAULT', flagMetadata: { version: 1 } }
 */
export function compileFlag(
  flag: CompilableFlag,
  configuration: FlagConfiguration,
  options: CompileOptions = {},
): CompiledFlag {
  const version = typeof configuration?.version === 'number' ? configuration.version : 0;
  const variations = Array.isArray(flag.variations) ? flag.variations : [];
  const base = { key: flag.key, version, kind: flag.kind };
  const problems = validateFlagConfiguration(configuration, { variations }, { checkOperands: false }).map(
    (e) => `${e.path || 'configuration'}: ${e.message}`,
  );
  variations.forEach((variation, i) => {
    const problem =
      typeof variation?.id !== 'string' ? 'must have a string id' : jsonValueProblem(variation.value);
    if (problem !== undefined) problems.push(`variations[${i}]: ${problem}`);
  });
  if (typeof flag.salt !== 'string') problems.push('salt: must be a string');
  if (problems.length > 0) {
    const broken = new ResultFactory([], version).error(
      'PARSE_ERROR',
      `flag "${flag.key}" has an invalid configuration: ${problems.join('; ')}`,
    );
    return { ...base, problems, run: () => broken };
  }
  const results = new ResultFactory(variations, version);
  if (flag.archived === true || !configuration.on) {
    const disabled = results.served(configuration.offVariation, 'DISABLED', results.baseMetadata);
    return { ...base, problems, run: () => disabled };
  }
  return { ...base, problems, run: compileTargeting(flag, configuration, results, options) };
}

const INVALID_CONTEXT_MESSAGE = 'the evaluation context must be an object';

/**
 * Evaluates a compiled flag for a context (DESIGN §8 order: archived or off → DISABLED with the off
 * variation; individual targets → TARGETING_MATCH; rules in order, first match → TARGETING_MATCH or
 * SPLIT; fallthrough → DEFAULT or SPLIT). Never throws: problems come back as reason ERROR with an
 * errorCode (INVALID_CONTEXT, TARGETING_KEY_MISSING, PARSE_ERROR) and undefined value and variant.
 *
 * @example
 * evaluate(compiled, { key: 'user-1', email: 'ann@acme.com' }).value;
 */
export function evaluate(compiled: CompiledFlag, context: EvaluationContext): EvaluationResult {
  if (typeof context !== 'object' || context === null || Array.isArray(context)) {
    return {
      value: undefined,
      variant: undefined,
      reason: 'ERROR',
      errorCode: 'INVALID_CONTEXT',
      errorMessage: INVALID_CONTEXT_MESSAGE,
      flagMetadata: { version: compiled.version },
    };
  }
  return compiled.run(context);
}
