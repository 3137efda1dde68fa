import type { FieldError } from '../errors/flagward-error';
import { operandProblem } from '../evaluation/operands';
import { keyProblem } from '../keys/key';
import {
  type Clause,
  clauseOperators,
  type FlagConfiguration,
  type Rule,
  type Serve,
  type Variation,
} from './flag.types';

/**
 * Rollout weights are integers in thousandths of a percent and must sum to exactly this.
 *
 * @example
 * weights.reduce((sum, w) => sum + w.weight, 0) === ROLLOUT_TOTAL;
 */
export const ROLLOUT_TOTAL = 100_000;

const MAX_ATTRIBUTE_LENGTH = 256;
const MAX_DESCRIPTION_LENGTH = 1024;
const MAX_CONTEXT_KEY_LENGTH = 1024;

/**
 * Options of validateFlagConfiguration.
 *
 * @example
 * const options: ConfigurationValidationOptions = { knownSegments: ['beta-users'] };
 */
export interface ConfigurationValidationOptions {
  /** Segment keys `segmentMatch` may reference; without it, every `segmentMatch` clause is refused. */
  knownSegments?: Iterable<string>;
  /**
   * Whether to check clause values against their operators (default true). The evaluator turns it
   * off: it only needs the structure, and treats a bad clause value as never matching.
   */
  checkOperands?: boolean;
}

const operatorSet: ReadonlySet<string> = new Set(clauseOperators);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class ConfigurationChecker {
  readonly errors: FieldError[] = [];
  private readonly variationIds: ReadonlySet<string>;
  private readonly knownSegments: ReadonlySet<string>;
  private readonly checkOperands: boolean;

  constructor(variations: readonly Variation[], options: ConfigurationValidationOptions) {
    this.variationIds = new Set(Array.isArray(variations) ? variations.map((v) => v?.id) : []);
    this.knownSegments = new Set(options.knownSegments ?? []);
    this.checkOperands = options.checkOperands ?? true;
  }

  private fail(path: string, message: string): void {
    this.errors.push({ path, message });
  }

  private variationRef(path: string, value: unknown): void {
    if (typeof value !== 'string') this.fail(path, 'must be a variation id');
    else if (!this.variationIds.has(value)) this.fail(path, `unknown variation "${value}"`);
  }

  check(configuration: FlagConfiguration): void {
    if (!isRecord(configuration)) {
      this.fail('', 'must be an object');
      return;
    }
    if (typeof configuration.on !== 'boolean') this.fail('on', 'must be a boolean');
    this.variationRef('offVariation', configuration.offVariation);
    const version = configuration.version;
    if (!Number.isSafeInteger(version) || version < 0) this.fail('version', 'must be a non-negative integer');
    this.targets(configuration.targets);
    this.rules(configuration.rules);
    this.serve('fallthrough', configuration.fallthrough);
  }

  private targets(targets: unknown): void {
    if (!Array.isArray(targets)) {
      this.fail('targets', 'must be an array');
      return;
    }
    const keyOwner = new Map<string, string>();
    const variationOwner = new Map<string, string>();
    for (const [t, target] of (targets as unknown[]).entries()) {
      const path = `targets[${t}]`;
      if (!isRecord(target)) {
        this.fail(path, 'must be an object {variation, values}');
        continue;
      }
      this.variationRef(`${path}.variation`, target.variation);
      if (typeof target.variation === 'string') {
        const other = variationOwner.get(target.variation);
        // One entry per variation keeps targets unambiguous to diff and to display.
        if (other !== undefined)
          this.fail(`${path}.variation`, `variation "${target.variation}" is already targeted by ${other}`);
        else variationOwner.set(target.variation, path);
      }
      if (!Array.isArray(target.values)) {
        this.fail(`${path}.values`, 'must be an array of context keys');
        continue;
      }
      for (const [k, key] of (target.values as unknown[]).entries()) {
        const keyPath = `${path}.values[${k}]`;
        if (typeof key !== 'string' || key.length === 0 || key.length > MAX_CONTEXT_KEY_LENGTH) {
          this.fail(
            keyPath,
            `must be a non-empty context key of at most ${MAX_CONTEXT_KEY_LENGTH} characters`,
          );
          continue;
        }
        const other = keyOwner.get(key);
        if (other !== undefined) this.fail(keyPath, `context key "${key}" already appears at ${other}`);
        else keyOwner.set(key, keyPath);
      }
    }
  }

  private rules(rules: unknown): void {
    if (!Array.isArray(rules)) {
      this.fail('rules', 'must be an array');
      return;
    }
    const idOwner = new Map<string, string>();
    for (const [r, rule] of (rules as unknown[]).entries()) {
      const path = `rules[${r}]`;
      if (!isRecord(rule)) {
        this.fail(path, 'must be an object {id, clauses, serve}');
        continue;
      }
      const { id, description } = rule as Partial<Rule>;
      const idProblem = typeof id === 'string' ? keyProblem(id) : 'must be a string';
      if (idProblem !== undefined) this.fail(`${path}.id`, idProblem);
      else if (typeof id === 'string') {
        const other = idOwner.get(id);
        if (other !== undefined) this.fail(`${path}.id`, `duplicate rule id "${id}" (also ${other})`);
        else idOwner.set(id, path);
      }
      if (
        description !== undefined &&
        (typeof description !== 'string' || description.length > MAX_DESCRIPTION_LENGTH)
      ) {
        this.fail(`${path}.description`, `must be a string of at most ${MAX_DESCRIPTION_LENGTH} characters`);
      }
      if (!Array.isArray(rule.clauses) || rule.clauses.length === 0) {
        this.fail(`${path}.clauses`, 'must be a non-empty array (the fallthrough serves everyone else)');
      } else {
        for (const [c, clause] of (rule.clauses as unknown[]).entries())
          this.clause(`${path}.clauses[${c}]`, clause);
      }
      this.serve(`${path}.serve`, rule.serve);
    }
  }

  private clause(path: string, clause: unknown): void {
    if (!isRecord(clause)) {
      this.fail(path, 'must be an object {attribute, op, values}');
      return;
    }
    const { attribute, op, values, negate } = clause as Partial<Clause>;
    if (typeof attribute !== 'string' || attribute.length === 0 || attribute.length > MAX_ATTRIBUTE_LENGTH) {
      this.fail(
        `${path}.attribute`,
        `must be a non-empty attribute name of at most ${MAX_ATTRIBUTE_LENGTH} characters`,
      );
    }
    if (negate !== undefined && typeof negate !== 'boolean') this.fail(`${path}.negate`, 'must be a boolean');
    const knownOp = typeof op === 'string' && operatorSet.has(op);
    if (!knownOp)
      this.fail(
        `${path}.op`,
        `unknown operator "${String(op)}"; expected one of ${clauseOperators.join(', ')}`,
      );
    if (!Array.isArray(values) || values.length === 0) {
      this.fail(`${path}.values`, 'must be a non-empty array');
      return;
    }
    if (!knownOp || !this.checkOperands) return;
    for (const [v, value] of (values as unknown[]).entries()) {
      const valuePath = `${path}.values[${v}]`;
      const problem = operandProblem(op, value);
      if (problem !== undefined) this.fail(valuePath, problem);
      else if (op === 'segmentMatch' && !this.knownSegments.has(value as string)) {
        this.fail(valuePath, `unknown segment "${String(value)}"`);
      }
    }
  }

  private serve(path: string, serve: unknown): void {
    const shape = 'must be {variation} or {rollout}';
    if (!isRecord(serve) || (serve.variation !== undefined) === (serve.rollout !== undefined))
      this.fail(path, shape);
    else if (serve.variation !== undefined) this.variationRef(`${path}.variation`, serve.variation);
    else this.rollout(`${path}.rollout`, serve.rollout);
  }

  private rollout(path: string, rollout: unknown): void {
    if (!isRecord(rollout)) {
      this.fail(path, 'must be an object {bucketBy?, weights}');
      return;
    }
    const { bucketBy, weights } = rollout;
    if (
      bucketBy !== undefined &&
      (typeof bucketBy !== 'string' || bucketBy.length === 0 || bucketBy.length > MAX_ATTRIBUTE_LENGTH)
    ) {
      this.fail(`${path}.bucketBy`, 'must be a non-empty attribute name');
    }
    if (!Array.isArray(weights) || weights.length === 0) {
      this.fail(`${path}.weights`, 'must be a non-empty array');
      return;
    }
    const seen = new Map<string, string>();
    let total = 0;
    let summable = true;
    for (const [w, entry] of (weights as unknown[]).entries()) {
      const entryPath = `${path}.weights[${w}]`;
      if (!isRecord(entry)) {
        summable = false;
        this.fail(entryPath, 'must be an object {variation, weight}');
        continue;
      }
      this.variationRef(`${entryPath}.variation`, entry.variation);
      if (typeof entry.variation === 'string') {
        const other = seen.get(entry.variation);
        if (other !== undefined)
          this.fail(`${entryPath}.variation`, `variation "${entry.variation}" already weighted at ${other}`);
        else seen.set(entry.variation, entryPath);
      }
      const weight = entry.weight;
      if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0 || weight > ROLLOUT_TOTAL) {
        summable = false;
        this.fail(
          `${entryPath}.weight`,
          `must be an integer from 0 to ${ROLLOUT_TOTAL} (thousandths of a percent)`,
        );
      } else total += weight;
    }
    if (summable && total !== ROLLOUT_TOTAL) {
      this.fail(`${path}.weights`, `weights must sum to ${ROLLOUT_TOTAL} (100%), got ${total}`);
    }
  }
}

/**
 * Checks a flag configuration against its flag's variations and returns every problem with a
 * precise path (`offVariation`, `targets[1].values[0]`, `rules[0].clauses[1].values[0]`,
 * `fallthrough.rollout.weights`…); an empty array means valid. Checks: variation references exist;
 * rollout weights are integers ≥ 0 summing to exactly 100000, each variation at most once; clause
 * operators are known and values fit them (see docs/evaluation.md); rule ids are unique keys; a
 * context key appears in at most one target and a variation has at most one target entry;
 * `segmentMatch` only names `knownSegments`.
 *
 * @example
 * validateFlagConfiguration(
 *   { on: true, offVariation: 'nope', targets: [], rules: [], fallthrough: { variation: 'true' }, version: 1 },
 *   { variations: defaultVariations('boolean') },
 * ); // [{ path: 'offVariation', message: 'unknown variation "nope"' }]
 */
export function validateFlagConfiguration(
  configuration: FlagConfiguration,
  flag: { readonly variations: readonly Variation[] },
  options: ConfigurationValidationOptions = {},
): FieldError[] {
  const checker = new ConfigurationChecker(flag.variations, options);
  checker.check(configuration);
  return checker.errors;
}

/**
 * Every place a configuration references each variation id, as field paths.
 *
 * @example
 * variationReferences(initialConfiguration(flag)); // Map { 'false' => ['offVariation'], 'true' => ['fallthrough.variation'] }
 */
export function variationReferences(configuration: FlagConfiguration): Map<string, string[]> {
  const references = new Map<string, string[]>();
  const add = (id: string, path: string) => {
    const list = references.get(id);
    if (list === undefined) references.set(id, [path]);
    else list.push(path);
  };
  const serve = (path: string, s: Serve) => {
    if (!('rollout' in s)) add(s.variation, `${path}.variation`);
    else
      for (const [i, w] of s.rollout.weights.entries())
        add(w.variation, `${path}.rollout.weights[${i}].variation`);
  };
  add(configuration.offVariation, 'offVariation');
  for (const [i, t] of configuration.targets.entries()) add(t.variation, `targets[${i}].variation`);
  for (const [i, r] of configuration.rules.entries()) serve(`rules[${i}].serve`, r.serve);
  serve('fallthrough', configuration.fallthrough);
  return references;
}
