import {
  actionsFor,
  compilePrincipalIndex,
  type Decision,
  type Principal as DecisionPrincipal,
  FlagwardError,
  type GrantSource,
  isActionName,
  parseRn,
  rn,
  suggestAction,
  whoCan,
} from '@flagward/core';
import type { ServiceDeps } from '../app/service-deps';
import type { Executor } from '../db/database';
import { authorizeRead, requireMember } from '../governance/access';
import type { Requirement } from '../governance/authorizer';
import type { MemberPrincipal, Principal } from '../governance/principal';
import type { GroupRepository } from '../groups/group.repository';
import type { MemberRepository } from '../members/member.repository';
import type { AuthzContext } from './authz.context';
import type { IamRepository } from './iam.repository';
import { type PolicyAuthorizer, parseResourceRef } from './policy.authorizer';

export interface CheckResult {
  allowed: boolean;
  decision: Decision['decision'];
  reason: Omit<Decision['reason'], 'protection' | 'missing' | 'cause'> & {
    protection?: { project: string; environment: string; operation: string };
    missing?: { action: string; resource: string };
  };
}

export interface WhoCanResult {
  items: Array<{
    member: string;
    orgRole: string;
    via: Array<{ policy: string; statement: number; group?: string }>;
  }>;
}

export interface EffectivePermissions {
  member: string;
  orgRole: string;
  organization: string[];
  projects: Array<{
    project: string;
    actions: string[];
    environments: Array<{
      environment: string;
      actions: string[];
      flagActions: string[];
      variableActions: string[];
    }>;
  }>;
}

/** Explaining permissions: check, who-can, a member's effective permissions. */
export class AuthzService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly authorizer: PolicyAuthorizer,
    private readonly repository: IamRepository,
    private readonly members: MemberRepository,
    private readonly groups: GroupRepository,
  ) {}

  private validateQuestion(action: string, resource: string): void {
    const errors = [];
    if (!isActionName(action)) {
      const hint = suggestAction(action);
      errors.push({ path: 'action', message: `unknown action${hint ? ` (did you mean "${hint}"?)` : ''}` });
    }
    const parsed = parseRn(resource);
    if (!parsed.ok)
      errors.push({
        path: 'resource',
        message: `${parsed.problem.reason} at position ${parsed.problem.position}`,
      });
    if (errors.length > 0) throw FlagwardError.validation(errors);
  }

  /** Reading someone else's permissions needs ManagePolicies (or, within a project, ManageProjectAccess). */
  private async authorizeInspection(
    executor: Executor,
    caller: MemberPrincipal,
    resource: string | undefined,
  ): Promise<void> {
    const project = resource === undefined ? undefined : parseResourceRef(resource);
    const requirement: Requirement =
      project && 'project' in project
        ? { action: 'ManageProjectAccess', resource: `project/${project.project}` }
        : { action: 'ManagePolicies', resource: 'org' };
    const refused = await this.authorizer.refusals(executor, caller, [requirement]);
    if (refused.length > 0)
      await authorizeRead(this.authorizer, executor, caller, [{ action: 'ManagePolicies', resource: 'org' }]);
  }

  private async subjectOf(
    context: AuthzContext,
    executor: Executor,
    caller: MemberPrincipal,
    email: string | undefined,
  ) {
    if (email === undefined || email === caller.email)
      return { email: caller.email, principal: await this.authorizer.principalOf(context, executor, caller) };
    const member = await this.members.findByEmail(executor, caller.org.id, email);
    if (!member) throw FlagwardError.validation([{ path: 'member', message: `no member ${email}` }]);
    return {
      email: member.email,
      principal: await this.authorizer.principalOf(context, executor, {
        memberId: member.id,
        email: member.email,
        orgRole: member.org_role,
      }),
    };
  }

  async check(
    principal: Principal | undefined,
    input: { member?: string | undefined; action: string; resource: string },
  ): Promise<CheckResult> {
    const caller = requireMember(principal);
    this.validateQuestion(input.action, input.resource);
    const db = this.deps.store.db;
    if (input.member !== undefined && input.member !== caller.email)
      await this.authorizeInspection(db, caller, input.resource);
    const context = this.authorizer.context(db, caller.org.id);
    const subject = await this.subjectOf(context, db, caller, input.member);
    const requirement = { action: input.action, resource: input.resource };
    const decision = await this.authorizer.decide(context, subject.principal, requirement);
    // Asked through a token limited to a policy, about oneself: the answer is what the token may do.
    if (decision.allowed && subject.email === caller.email && caller.token?.limit) {
      const [limited] = await this.authorizer.refusals(db, caller, [requirement]);
      if (limited) {
        return {
          allowed: false,
          decision: limited.decision,
          reason: { kind: limited.decision, message: limited.reason },
        };
      }
    }
    const { cause: _cause, ...reason } = decision.reason;
    return {
      allowed: decision.allowed,
      decision: decision.decision,
      reason: {
        ...reason,
        ...(reason.protection ? { protection: { ...reason.protection } } : {}),
        ...(reason.missing ? { missing: { ...reason.missing } } : {}),
      },
    };
  }

  /** Every member compiled at once: assignments and group seats are read in two queries, not per member. */
  private async everyone(
    context: AuthzContext,
    executor: Executor,
    orgId: string,
  ): Promise<Array<DecisionPrincipal & { email: string }>> {
    const [members, assignments, membersByGroup, groups] = await Promise.all([
      this.members.list(executor, orgId),
      this.repository.listAssignments(executor, orgId),
      this.groups.membersByGroup(executor, orgId),
      this.groups.list(executor, orgId),
    ]);
    const groupKeyById = new Map(groups.map((g) => [g.id, g.key]));
    const groupsOfEmail = new Map<string, string[]>();
    for (const [groupId, emails] of membersByGroup) {
      for (const email of emails)
        groupsOfEmail.set(email, [...(groupsOfEmail.get(email) ?? []), groupKeyById.get(groupId)!]);
    }
    const sourcesByMember = new Map<string, GrantSource[]>();
    const sourcesByGroup = new Map<string, GrantSource[]>();
    for (const row of assignments) {
      const [source] = await context.sources([row]);
      if (!source) continue;
      if (row.member_id)
        sourcesByMember.set(row.member_id, [...(sourcesByMember.get(row.member_id) ?? []), source]);
      if (row.group_key)
        sourcesByGroup.set(row.group_key, [...(sourcesByGroup.get(row.group_key) ?? []), source]);
    }
    return members
      .filter((m) => m.disabled === 0)
      .map((m) => {
        const memberGroups = groupsOfEmail.get(m.email) ?? [];
        const sources = [
          ...(sourcesByMember.get(m.id) ?? []),
          ...memberGroups.flatMap((g) => sourcesByGroup.get(g) ?? []),
        ];
        return {
          memberId: m.id,
          email: m.email,
          orgRole: m.org_role,
          groups: memberGroups,
          index: compilePrincipalIndex(sources),
        };
      });
  }

  async whoCan(principal: Principal | undefined, action: string, resource: string): Promise<WhoCanResult> {
    const caller = requireMember(principal);
    this.validateQuestion(action, resource);
    const db = this.deps.store.db;
    await this.authorizeInspection(db, caller, resource);
    const context = this.authorizer.context(db, caller.org.id);
    const people = await this.everyone(context, db, caller.org.id);
    const ref = parseResourceRef(resource);
    const env = 'env' in ref ? await context.environment(ref.project, ref.env) : undefined;
    const concrete =
      ref.type === 'flag' && env
        ? rn.flag(ref.project, env, { key: ref.flag, tags: await context.flagTags(ref.project, ref.flag) })
        : ref.type === 'env' && env
          ? rn.env(ref.project, env)
          : ref.type === 'var' && env
            ? rn.variable(ref.project, env, ref.variable)
            : ref.type === 'project'
              ? rn.project(ref.project)
              : rn.org();
    const allowed = whoCan(action, concrete, people, env?.protection);
    const emailOf = new Map(people.map((p) => [p.memberId, p]));
    return {
      items: allowed.map((item) => ({
        member: item.email ?? emailOf.get(item.memberId)?.email ?? item.memberId,
        orgRole: emailOf.get(item.memberId)?.orgRole ?? 'member',
        via: item.via.map((v) => ({
          policy: v.policy,
          statement: v.statement,
          ...(v.group ? { group: v.group } : {}),
        })),
      })),
    };
  }

  /** The actions a member may perform, per project and environment (flag actions on every flag there). */
  async effectivePermissions(principal: Principal | undefined, email: string): Promise<EffectivePermissions> {
    const caller = requireMember(principal);
    const db = this.deps.store.db;
    if (email !== caller.email) await this.authorizeInspection(db, caller, undefined);
    const context = this.authorizer.context(db, caller.org.id);
    const subject = await this.subjectOf(context, db, caller, email);
    const universe = await this.repository.universe(db, caller.org.id);
    const allowedOn = async (actions: readonly string[], resource: string, flagTags?: string[]) => {
      const result: string[] = [];
      for (const action of actions) {
        const decision = await this.authorizer.decide(context, subject.principal, {
          action,
          resource,
          ...(flagTags ? { flagTags } : {}),
        });
        if (decision.allowed) result.push(action);
      }
      return result;
    };
    const orgActions = await allowedOn(actionsFor('org'), 'org');
    const projects = [];
    for (const project of universe.projects) {
      const projectActions = await allowedOn(actionsFor('project'), `project/${project.key}`);
      const environments = [];
      for (const env of project.envs) {
        const envRn = `project/${project.key}:env/${env.key}`;
        let flagActions: string[] | undefined;
        for (const flag of project.flags) {
          const onFlag = await allowedOn(actionsFor('flag'), `${envRn}:flag/${flag.key}`, [
            ...(flag.tags ?? []),
          ]);
          flagActions = flagActions === undefined ? onFlag : flagActions.filter((a) => onFlag.includes(a));
        }
        environments.push({
          environment: env.key,
          actions: await allowedOn(actionsFor('env'), envRn),
          flagActions: flagActions ?? (await allowedOn(actionsFor('flag'), `${envRn}:flag/new-flag`, [])),
          variableActions: await allowedOn(actionsFor('var'), `${envRn}:var/ANY_VARIABLE`),
        });
      }
      projects.push({ project: project.key, actions: projectActions, environments });
    }
    return { member: subject.email, orgRole: subject.principal.orgRole, organization: orgActions, projects };
  }
}
