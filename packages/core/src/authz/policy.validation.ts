import { type FieldError, FlagwardError } from '../errors/flagward-error';
import { keyProblem } from '../keys/key';
import { parseRnPattern, rnProblemToFieldError } from '../rn/rn.parser';
import type { ResourceType } from '../rn/rn.types';
import { ACTION_CATALOG, grantableActionsFor, isActionName, suggestAction } from './action.catalog';

/**
 * Bounds that keep one policy's compilation and evaluation cheap.
 *
 * @example
 * POLICY_LIMITS.statements; // 100
 */
export const POLICY_LIMITS = {
  statements: 100,
  actions: 100,
  resources: 100,
  name: 200,
  description: 2000,
} as const;

function noActionHint(type: ResourceType): string {
  const iam = type === 'member' || type === 'group' || type === 'policy' || type === 'token';
  return iam
    ? `no action applies to ${type} resources: IAM operations are the org-level actions ManageMembers, ManageGroups and ManagePolicies on "org"`
    : `no action applies to ${type} resources`;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/**
 * Validates statements against the RN grammar and the action catalog: every action must apply to the
 * resource type of every pattern of its statement (`*` = every grantable action of each pattern's
 * type); allow statements cannot name owner-only actions. Returns every problem found.
 *
 * @example
 * validateStatements([{ effect: 'allow', actions: ['UpdateFlagOn'], resources: ['project/a:env/*'] }]);
 * // [{ path: 'statements[0].actions[0]', message: 'UpdateFlagOn applies to flag resources, but resources[0] ("project/a:env/*") selects env resources' }]
 */
export function validateStatements(statements: unknown, basePath = 'statements'): FieldError[] {
  const errors: FieldError[] = [];
  if (!Array.isArray(statements)) return [{ path: basePath, message: 'must be an array of statements' }];
  if (statements.length > POLICY_LIMITS.statements) {
    return [{ path: basePath, message: `at most ${POLICY_LIMITS.statements} statements` }];
  }
  statements.forEach((raw: unknown, i) => {
    const path = `${basePath}[${i}]`;
    if (typeof raw !== 'object' || raw === null) {
      errors.push({ path, message: 'must be an object {effect, actions, resources}' });
      return;
    }
    const s = raw as Record<string, unknown>;
    if (s.effect !== 'allow' && s.effect !== 'deny') {
      errors.push({ path: `${path}.effect`, message: 'must be "allow" or "deny"' });
    }
    const actions = s.actions;
    const resources = s.resources;
    if (!isStringArray(actions) || actions.length === 0) {
      errors.push({ path: `${path}.actions`, message: 'must be a non-empty array of action names' });
    } else if (actions.length > POLICY_LIMITS.actions) {
      errors.push({ path: `${path}.actions`, message: `at most ${POLICY_LIMITS.actions} actions` });
    }
    if (!isStringArray(resources) || resources.length === 0) {
      errors.push({ path: `${path}.resources`, message: 'must be a non-empty array of resource patterns' });
    } else if (resources.length > POLICY_LIMITS.resources) {
      errors.push({ path: `${path}.resources`, message: `at most ${POLICY_LIMITS.resources} resources` });
    }

    const types: { type: ResourceType; source: string; index: number }[] = [];
    if (isStringArray(resources)) {
      resources.slice(0, POLICY_LIMITS.resources).forEach((source, k) => {
        const parsed = parseRnPattern(source);
        if (!parsed.ok) {
          errors.push(rnProblemToFieldError(parsed.problem, `${path}.resources[${k}]`));
          return;
        }
        const type = parsed.value.segments.at(-1)!.type;
        if (grantableActionsFor(type).length === 0) {
          errors.push({ path: `${path}.resources[${k}]`, message: noActionHint(type) });
          return;
        }
        types.push({ type, source, index: k });
      });
    }
    if (!isStringArray(actions)) return;
    actions.slice(0, POLICY_LIMITS.actions).forEach((action, j) => {
      const actionPath = `${path}.actions[${j}]`;
      if (action === '*') return;
      if (!isActionName(action)) {
        const hint = suggestAction(action);
        errors.push({
          path: actionPath,
          message: `unknown action "${action}"${hint === undefined ? '' : ` (did you mean "${hint}"?)`}`,
        });
        return;
      }
      const def = ACTION_CATALOG[action];
      if (def.ownerOnly && s.effect === 'allow') {
        errors.push({
          path: actionPath,
          message: `${action} is reserved to the organization owner and cannot be granted by a policy`,
        });
        return;
      }
      const mismatch = types.find((t) => t.type !== def.resourceType);
      if (mismatch !== undefined) {
        errors.push({
          path: actionPath,
          message: `${action} applies to ${def.resourceType} resources, but resources[${mismatch.index}] (${JSON.stringify(mismatch.source)}) selects ${mismatch.type} resources`,
        });
      }
    });
  });
  return errors;
}

/**
 * Validates a policy as submitted (key, name, description, statements); built-in keys are the
 * caller's concern.
 *
 * @example
 * validatePolicyInput({ key: 'ops', name: 'Ops', statements: [] }); // []
 */
export function validatePolicyInput(input: {
  key?: unknown;
  name?: unknown;
  description?: unknown;
  statements?: unknown;
}): FieldError[] {
  const errors: FieldError[] = [];
  if (typeof input.key !== 'string') errors.push({ path: 'key', message: 'must be a string' });
  else {
    const problem = keyProblem(input.key);
    if (problem !== undefined) errors.push({ path: 'key', message: problem });
  }
  if (typeof input.name !== 'string' || input.name.trim().length === 0) {
    errors.push({ path: 'name', message: 'must be a non-empty string' });
  } else if (input.name.length > POLICY_LIMITS.name) {
    errors.push({ path: 'name', message: `must be at most ${POLICY_LIMITS.name} characters` });
  }
  if (input.description !== undefined) {
    if (typeof input.description !== 'string')
      errors.push({ path: 'description', message: 'must be a string' });
    else if (input.description.length > POLICY_LIMITS.description) {
      errors.push({
        path: 'description',
        message: `must be at most ${POLICY_LIMITS.description} characters`,
      });
    }
  }
  errors.push(...validateStatements(input.statements));
  return errors;
}

/**
 * Throws a `validation-failed` FlagwardError listing every problem of the statements.
 *
 * @example
 * assertValidStatements([{ effect: 'allow', actions: ['*'], resources: ['project/shop'] }]); // ok
 */
export function assertValidStatements(statements: unknown, basePath = 'statements'): void {
  const errors = validateStatements(statements, basePath);
  if (errors.length > 0) throw FlagwardError.validation(errors);
}
