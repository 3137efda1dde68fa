import { FlagwardError } from '../errors/flagward-error';
import { type KeyRef, rn } from '../rn/rn.resource';
import type { ResourceName } from '../rn/rn.types';
import { getAction } from './action.catalog';
import type { Decider, Decision } from './decision.types';

/**
 * An environment as scope checks need it: key, production flag and free tags.
 *
 * @example
 * const env: EnvInfo = { key: 'production', production: true, tags: ['eu'] };
 */
export interface EnvInfo {
  readonly key: string;
  readonly production: boolean;
  readonly tags?: readonly string[];
}

/**
 * A flag and the environments a scoped flag action is checked in: every environment of the project
 * for `every-env` and `any-env`, the environments of the grant for `grant-envs` (ManageFlagPermissions),
 * the targeted environment(s) for `single` actions.
 *
 * @example
 * const target: FlagScopeTarget = { project: 'shop', flag: { key: 'checkout', tags: ['beta'] }, envs: [dev, prod] };
 */
export interface FlagScopeTarget {
  readonly project: string;
  readonly flag: KeyRef;
  readonly envs: readonly EnvInfo[];
}

function inEnv(decision: Decision, env: string, prefix: string): Decision {
  return {
    allowed: decision.allowed,
    decision: decision.decision,
    reason: { ...decision.reason, environment: env, message: `${prefix}${decision.reason.message}` },
  };
}

/**
 * Applies an action's scope rule (DESIGN §4) to a flag: `every-env`, `grant-envs` and `single`
 * require the action in every listed environment (the first failing one explains); `any-env`
 * requires it in at least one (the first allowing one explains; when none does, the first refusal).
 * The decision names the deciding environment in `reason.environment`.
 *
 * @example
 * decideScoped(createDecider(principal, protectionOf), 'DeleteFlag', { project: 'shop', flag: 'checkout', envs: [dev, prod] });
 * // { allowed: false, decision: 'implicit-deny', reason: { environment: 'production', message: 'DeleteFlag reaches every environment of project "shop"; in "production": Denied: …' } }
 */
export function decideScoped(decider: Decider, action: string, target: FlagScopeTarget): Decision {
  const def = getAction(action);
  if (def === undefined || def.resourceType !== 'flag') {
    throw new FlagwardError('internal', `decideScoped needs a flag action, got "${action}"`);
  }
  const resources: ResourceName[] = target.envs.map((env) => rn.flag(target.project, env, target.flag));
  const flagKey = typeof target.flag === 'string' ? target.flag : target.flag.key;
  if (resources.length === 0) {
    return {
      allowed: false,
      decision: 'implicit-deny',
      reason: {
        kind: 'implicit-deny',
        message: `Denied: ${action} on flag "${flagKey}" needs at least one environment of project "${target.project}" to be checked in.`,
      },
    };
  }
  if (def.scope === 'any-env') {
    let firstRefusal: { decision: Decision; env: string } | undefined;
    for (const [i, resource] of resources.entries()) {
      const env = target.envs[i]!.key;
      const d = decider(action, resource);
      if (d.allowed) return inEnv(d, env, '');
      firstRefusal ??= { decision: d, env };
    }
    const prefix = `${action} needs to be allowed in at least one environment of project "${target.project}" and is allowed in none; in "${firstRefusal!.env}": `;
    return inEnv(firstRefusal!.decision, firstRefusal!.env, prefix);
  }
  const why =
    def.scope === 'every-env'
      ? `${action} reaches every environment of project "${target.project}"; `
      : def.scope === 'grant-envs'
        ? `${action} is checked in every environment of the grant; `
        : '';
  let last: { decision: Decision; env: string } | undefined;
  for (const [i, resource] of resources.entries()) {
    const env = target.envs[i]!.key;
    const d = decider(action, resource);
    if (!d.allowed) return inEnv(d, env, `${why}in "${env}": `);
    last = { decision: d, env };
  }
  return inEnv(last!.decision, last!.env, '');
}
