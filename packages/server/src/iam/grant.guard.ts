import {
  type AssignmentParams,
  bindPolicy,
  checkDelegation,
  createDecider,
  type EnvProtection,
  FLAG_ROLE_KEYS,
  limitEnvsForGrantor,
  type Policy,
  PROJECT_ROLE_KEYS,
  type Universe,
} from '@flagward/core';
import type { Executor } from '../db/database';
import type { Refusal } from '../governance/authorizer';
import type { MemberPrincipal } from '../governance/principal';
import type { IamRepository } from './iam.repository';
import type { PolicyAuthorizer } from './policy.authorizer';

/** Built-in roles whose grants by a non-admin are narrowed to the grantor's environments (DESIGN §5). */
export const ENV_LIMITED_ROLES: ReadonlySet<string> = new Set<string>([
  ...PROJECT_ROLE_KEYS,
  ...FLAG_ROLE_KEYS,
]);

export interface GrantCheck {
  /** The params to record: `envs` narrowed for a non-admin grantor of a built-in role. */
  params: AssignmentParams;
  refusals: Refusal[];
}

/**
 * Delegation never escalates: a grant may give only what its grantor holds, on every resource it
 * reaches (existing ones and those created later). Owner and admins hold every grantable action.
 */
export class GrantGuard {
  constructor(
    private readonly repository: IamRepository,
    private readonly authorizer: PolicyAuthorizer,
  ) {}

  async check(
    executor: Executor,
    grantor: MemberPrincipal,
    policy: Policy,
    params: AssignmentParams,
  ): Promise<GrantCheck> {
    if (grantor.orgRole === 'owner' || grantor.orgRole === 'admin') return { params, refusals: [] };
    const universe = await this.repository.universe(executor, grantor.org.id);
    const context = this.authorizer.context(executor, grantor.org.id);
    const protections = new Map<string, EnvProtection | undefined>();
    for (const project of universe.projects) {
      for (const env of await context.environments(project.key))
        protections.set(`${project.key}/${env.key}`, env.protection);
    }
    const subject = await this.authorizer.principalOf(context, executor, grantor);
    const decider = createDecider(subject, (project, env) => protections.get(`${project}/${env}`));
    let granted = params;
    if (ENV_LIMITED_ROLES.has(policy.key) && params.project !== undefined) {
      const project = universe.projects.find((p) => p.key === params.project);
      const envs = project ? limitEnvsForGrantor(decider, policy, params, project) : [];
      if (envs.length === 0) {
        return {
          params,
          refusals: [
            {
              action: 'AssignPolicy',
              resource: `policy/${policy.key}`,
              decision: 'implicit-deny',
              reason: `you hold the actions of ${policy.key} in no environment of project ${params.project}, so you cannot grant it`,
            },
          ],
        };
      }
      granted = { ...params, envs };
    }
    return { params: granted, refusals: this.lacking(decider, policy, granted, universe) };
  }

  private lacking(
    decider: ReturnType<typeof createDecider>,
    policy: Policy,
    params: AssignmentParams,
    universe: Universe,
  ): Refusal[] {
    const result = checkDelegation(decider, bindPolicy(policy, params), universe);
    const refusals: Refusal[] = result.lacking.map((lack) => ({
      action: lack.action,
      resource: lack.resource,
      decision: 'implicit-deny',
      reason: `the grant would give ${lack.action} on ${lack.resource}${lack.future ? ' (including resources created later)' : ''}, which you do not hold`,
    }));
    if (result.truncated) {
      refusals.push({
        action: '…',
        resource: '…',
        decision: 'implicit-deny',
        reason: 'and more permissions you do not hold',
      });
    }
    return refusals;
  }
}
