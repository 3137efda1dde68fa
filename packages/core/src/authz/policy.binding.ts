import { type FieldError, FlagwardError } from '../errors/flagward-error';
import { keyProblem } from '../keys/key';
import { parseRnPatternOrThrow, patternPlaceholders, type RnPattern } from '../rn/rn.parser';
import { bindPlaceholders, placeholderValueProblem } from '../rn/rn.placeholders';
import type { Placeholder } from '../rn/rn.types';
import type { AssignmentParams, Effect, Policy } from './policy.types';

/**
 * A statement of a policy with its placeholders bound: concrete patterns (no placeholders), still
 * naming the policy and the statement's index for explanations.
 *
 * @example
 * const s: BoundStatement = bindPolicy(BUILTIN_POLICIES['project-reader'], { project: 'shop' })[0]!;
 * s.resources[0]?.source; // 'project/shop'
 */
export interface BoundStatement {
  readonly policy: string;
  readonly index: number;
  readonly effect: Effect;
  readonly actions: readonly string[];
  readonly resources: readonly RnPattern[];
}

/**
 * The `envs` value used when an assignment gives none.
 *
 * @example
 * bindPolicy(policy, { project: 'shop' }); // binds ${env} with DEFAULT_ENVS, i.e. '*'
 */
export const DEFAULT_ENVS: readonly string[] = ['*'];

const MAX_ENVS = 50;

/**
 * The placeholders a policy's patterns use.
 *
 * @example
 * policyPlaceholders(BUILTIN_POLICIES['flag-owner']); // ['project', 'env', 'flag']
 */
export function policyPlaceholders(policy: Policy): Placeholder[] {
  const out = new Set<Placeholder>();
  for (const statement of policy.statements) {
    for (const source of statement.resources) {
      for (const p of patternPlaceholders(parseRnPatternOrThrow(source))) out.add(p);
    }
  }
  return (['project', 'env', 'flag'] as const).filter((p) => out.has(p));
}

/**
 * Checks assignment parameters against what the policy needs: `project`/`flag` are required exactly
 * when the policy uses `${project}`/`${flag}`; `envs` only when it uses `${env}`.
 *
 * @example
 * validateAssignmentParams(BUILTIN_POLICIES['flag-user'], { project: 'shop' });
 * // [{ path: 'params.flag', message: 'required by policy "flag-user"' }]
 */
export function validateAssignmentParams(
  policy: Policy,
  params: AssignmentParams,
  basePath = 'params',
): FieldError[] {
  const uses = policyPlaceholders(policy);
  const errors: FieldError[] = [];
  for (const name of ['project', 'flag'] as const) {
    const value = params[name];
    const path = `${basePath}.${name}`;
    if (value === undefined) {
      if (uses.includes(name)) errors.push({ path, message: `required by policy "${policy.key}"` });
      continue;
    }
    if (!uses.includes(name)) {
      errors.push({ path, message: `policy "${policy.key}" takes no ${name} parameter` });
      continue;
    }
    const problem = typeof value === 'string' ? keyProblem(value) : 'must be a string';
    if (problem !== undefined) errors.push({ path, message: problem });
  }
  if (params.envs !== undefined) {
    const path = `${basePath}.envs`;
    if (!uses.includes('env'))
      errors.push({ path, message: `policy "${policy.key}" takes no envs parameter` });
    else if (!Array.isArray(params.envs) || params.envs.length === 0) {
      errors.push({ path, message: 'must be a non-empty array of environment key patterns' });
    } else if (params.envs.length > MAX_ENVS) {
      errors.push({ path, message: `at most ${MAX_ENVS} environment patterns` });
    } else {
      params.envs.forEach((env, i) => {
        const problem = typeof env === 'string' ? placeholderValueProblem(env) : 'must be a string';
        if (problem !== undefined) errors.push({ path: `${path}[${i}]`, message: problem });
      });
    }
  }
  return errors;
}

/**
 * Binds a policy's placeholders with assignment parameters, giving its concrete statements (one
 * pattern per `envs` entry wherever `${env}` appears). Throws a `validation-failed` FlagwardError
 * when the parameters do not fit the policy.
 *
 * @example
 * bindPolicy(BUILTIN_POLICIES['project-reader'], { project: 'shop', envs: ['dev', 'qa*'] })[1]?.resources.map((r) => r.source);
 * // ['project/shop:env/dev', 'project/shop:env/qa*']
 */
export function bindPolicy(policy: Policy, params: AssignmentParams): BoundStatement[] {
  const errors = validateAssignmentParams(policy, params);
  if (errors.length > 0) throw FlagwardError.validation(errors);
  const envs = params.envs ?? DEFAULT_ENVS;
  const common = { project: params.project, flag: params.flag };
  return policy.statements.map((statement, index) => {
    const seen = new Set<string>();
    const resources: RnPattern[] = [];
    const add = (pattern: RnPattern): void => {
      if (seen.has(pattern.source)) return;
      seen.add(pattern.source);
      resources.push(pattern);
    };
    statement.resources.forEach((source, k) => {
      const parsed = parseRnPatternOrThrow(source, `statements[${index}].resources[${k}]`);
      if (patternPlaceholders(parsed).includes('env')) {
        for (const env of envs) add(bindPlaceholders(parsed, { ...common, env }));
      } else {
        add(bindPlaceholders(parsed, common));
      }
    });
    return { policy: policy.key, index, effect: statement.effect, actions: statement.actions, resources };
  });
}
