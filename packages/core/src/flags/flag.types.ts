import { FlagwardError } from '../errors/flagward-error';

/**
 * Any value JSON can carry. Variation values and json-flag payloads are JsonValues.
 *
 * @example
 * const value: JsonValue = { theme: 'dark', sizes: [1, 2] };
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * The kinds of flag, in the order the console offers them.
 *
 * @example
 * flagKinds.includes('boolean'); // true
 */
export const flagKinds = ['boolean', 'string', 'number', 'json'] as const;

/**
 * The type of every variation value of a flag.
 *
 * @example
 * const kind: FlagKind = 'string';
 */
export type FlagKind = (typeof flagKinds)[number];

/**
 * One value a flag can serve. `id` is a key (same grammar as flag keys) and is what configurations
 * reference; `value` must fit the flag's kind.
 *
 * @example
 * const on: Variation = { id: 'true', value: true, name: 'Enabled' };
 */
export interface Variation {
  id: string;
  value: JsonValue;
  name?: string;
}

/**
 * Every clause operator, in the order of DESIGN §8.
 *
 * @example
 * clauseOperators.includes('semVerLessThan'); // true
 */
export const clauseOperators = [
  'in',
  'notIn',
  'startsWith',
  'endsWith',
  'contains',
  'matches',
  'lessThan',
  'lessThanOrEqual',
  'greaterThan',
  'greaterThanOrEqual',
  'before',
  'after',
  'semVerEqual',
  'semVerLessThan',
  'semVerGreaterThan',
  'segmentMatch',
] as const;

/**
 * A clause operator name.
 *
 * @example
 * const op: ClauseOperator = 'startsWith';
 */
export type ClauseOperator = (typeof clauseOperators)[number];

/**
 * A scalar a clause compares an attribute with (its meaning depends on the operator).
 *
 * @example
 * const values: ClauseValue[] = ['beta', 42, true];
 */
export type ClauseValue = string | number | boolean;

/**
 * A test of one context attribute against a list of values: it matches when the attribute (or any
 * element of it, when it is an array) satisfies the operator for any of the values. `negate` inverts
 * the result for a present attribute. See docs/evaluation.md for each operator.
 *
 * @example
 * const clause: Clause = { attribute: 'email', op: 'endsWith', values: ['@acme.com'] };
 */
export interface Clause {
  attribute: string;
  op: ClauseOperator;
  values: ClauseValue[];
  negate?: boolean;
}

/**
 * The weight of one variation in a rollout, in thousandths of a percent (25% = 25000).
 *
 * @example
 * const weight: WeightedVariation = { variation: 'true', weight: 25000 };
 */
export interface WeightedVariation {
  variation: string;
  weight: number;
}

/**
 * A percentage rollout: the context's bucket in [0, 100000) picks a variation by walking the
 * weights in order. `bucketBy` names the context attribute hashed (default `key`).
 *
 * @example
 * const rollout: Rollout = { weights: [{ variation: 'true', weight: 25000 }, { variation: 'false', weight: 75000 }] };
 */
export interface Rollout {
  bucketBy?: string;
  weights: WeightedVariation[];
}

/**
 * What a rule or the fallthrough serves: a fixed variation.
 *
 * @example
 * const serve: ServeVariation = { variation: 'true' };
 */
export interface ServeVariation {
  variation: string;
}

/**
 * What a rule or the fallthrough serves: a percentage rollout.
 *
 * @example
 * const serve: ServeRollout = { rollout: { weights: [{ variation: 'true', weight: 100000 }] } };
 */
export interface ServeRollout {
  rollout: Rollout;
}

/**
 * What a rule or the fallthrough serves: a variation or a percentage rollout.
 *
 * @example
 * const serve: Serve = isRolloutServe(s) ? s : { variation: 'false' };
 */
export type Serve = ServeVariation | ServeRollout;

/**
 * A targeting rule: it matches when all its clauses match, and then serves its `serve`.
 *
 * @example
 * const rule: Rule = {
 *   id: 'beta',
 *   description: 'beta testers',
 *   clauses: [{ attribute: 'groups', op: 'in', values: ['beta'] }],
 *   serve: { variation: 'true' },
 * };
 */
export interface Rule {
  id: string;
  description?: string;
  clauses: Clause[];
  serve: Serve;
}

/**
 * Individual targeting: contexts whose key is listed get `variation`.
 *
 * @example
 * const target: Target = { variation: 'true', values: ['user-1', 'user-2'] };
 */
export interface Target {
  variation: string;
  values: string[];
}

/**
 * The configuration of one flag in one environment (API.md "Flags").
 *
 * @example
 * const configuration: FlagConfiguration = {
 *   on: true, offVariation: 'false', targets: [], rules: [], fallthrough: { variation: 'true' }, version: 3,
 * };
 */
export interface FlagConfiguration {
  on: boolean;
  offVariation: string;
  targets: Target[];
  rules: Rule[];
  fallthrough: Serve;
  version: number;
}

/**
 * The project-wide definition of a flag (shared by all its environments). `salt` is random, set
 * when the flag is created and never changed: it decorrelates the buckets of different flags.
 *
 * @example
 * const flag: FlagDefinition = {
 *   key: 'checkout-v2', name: 'Checkout v2', description: '', tags: ['web'], kind: 'boolean',
 *   variations: defaultVariations('boolean'), archived: false, salt: 'f1c3a9',
 * };
 */
export interface FlagDefinition {
  key: string;
  name: string;
  description: string;
  tags: string[];
  kind: FlagKind;
  variations: Variation[];
  archived: boolean;
  salt: string;
}

/**
 * Whether a serve is a percentage rollout.
 *
 * @example
 * isRolloutServe({ variation: 'true' }); // false
 */
export function isRolloutServe(serve: Serve): serve is ServeRollout {
  return 'rollout' in serve;
}

/**
 * The variations a new flag of `kind` gets when its creator gives none. Boolean flags get
 * `true`/`false` (API.md); the other kinds get two variations with ids `on` and `off`: `"on"`/`"off"`
 * for strings, `1`/`0` for numbers and `{"enabled": true}`/`{"enabled": false}` for json. The first
 * variation is the one served when the flag is on, the last is the off variation.
 *
 * @example
 * defaultVariations('boolean'); // [{ id: 'true', value: true }, { id: 'false', value: false }]
 * defaultVariations('number');  // [{ id: 'on', value: 1 }, { id: 'off', value: 0 }]
 */
export function defaultVariations(kind: FlagKind): Variation[] {
  switch (kind) {
    case 'boolean':
      return [
        { id: 'true', value: true },
        { id: 'false', value: false },
      ];
    case 'string':
      return [
        { id: 'on', value: 'on' },
        { id: 'off', value: 'off' },
      ];
    case 'number':
      return [
        { id: 'on', value: 1 },
        { id: 'off', value: 0 },
      ];
    case 'json':
      return [
        { id: 'on', value: { enabled: true } },
        { id: 'off', value: { enabled: false } },
      ];
  }
}

/**
 * The configuration a flag gets in every environment when it is created: off (DESIGN §2), version 1,
 * no targets or rules. The off variation is the last variation and the fallthrough serves the first,
 * except for boolean flags, where they are the variations whose values are `false` and `true` when
 * present (so a new boolean flag has `offVariation: "false"`, `fallthrough: {variation: "true"}`).
 *
 * @throws FlagwardError `validation-failed` when the flag has no variation.
 * @example
 * initialConfiguration({ kind: 'boolean', variations: defaultVariations('boolean') });
 * // { on: false, offVariation: 'false', targets: [], rules: [], fallthrough: { variation: 'true' }, version: 1 }
 */
export function initialConfiguration(flag: {
  readonly kind: FlagKind;
  readonly variations: readonly Variation[];
}): FlagConfiguration {
  const first = flag.variations[0];
  const last = flag.variations[flag.variations.length - 1];
  if (first === undefined || last === undefined) {
    throw FlagwardError.validation([{ path: 'variations', message: 'a flag needs at least one variation' }]);
  }
  let served = first.id;
  let off = last.id;
  if (flag.kind === 'boolean') {
    served = flag.variations.find((v) => v.value === true)?.id ?? served;
    off = flag.variations.find((v) => v.value === false)?.id ?? off;
  }
  return {
    on: false,
    offVariation: off,
    targets: [],
    rules: [],
    fallthrough: { variation: served },
    version: 1,
  };
}
