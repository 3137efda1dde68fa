import {
  type AssignmentParams,
  actionsFor,
  bindPolicy,
  compilePrincipalIndex,
  compileRnPattern,
  type Principal as DecisionPrincipal,
  decide,
  FlagwardError,
  type GrantSource,
  type Policy,
  type ResourceName,
  type Statement,
  walkReached,
} from '@flagward/core';
import type { ServiceDeps } from '../app/service-deps';
import type { Executor } from '../db/database';
import { authorizeRead, requireMember } from '../governance/access';
import type { Principal } from '../governance/principal';
import type { GroupRepository } from '../groups/group.repository';
import type { MemberRepository } from '../members/member.repository';
import type { AssignmentInput, AssignmentService } from './assignment.service';
import type { AuthzContext } from './authz.context';
import { paramsOf } from './authz.context';
import type { IamRepository } from './iam.repository';
import type { PolicyAuthorizer } from './policy.authorizer';

export interface PermissionChange {
  action: string;
  resource: string;
}

export interface PreviewResult {
  members: Array<{ member: string; gains: PermissionChange[]; losses: PermissionChange[] }>;
}

interface Affected {
  memberId: string;
  email: string;
  orgRole: 'owner' | 'admin' | 'member';
}

/** What-if: who gains and who loses which actions where, before a policy edit or an assignment is saved. */
export class PreviewService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly authorizer: PolicyAuthorizer,
    private readonly repository: IamRepository,
    private readonly members: MemberRepository,
    private readonly groups: GroupRepository,
    private readonly assignments: AssignmentService,
  ) {}

  private async sourcesOf(
    context: AuthzContext,
    executor: Executor,
    orgId: string,
    memberId: string,
  ): Promise<GrantSource[]> {
    return context.sources(await this.repository.assignmentsReaching(executor, orgId, memberId));
  }

  private async compare(
    context: AuthzContext,
    executor: Executor,
    orgId: string,
    affected: Affected[],
    statements: Array<ReturnType<typeof bindPolicy>>,
    before: (memberId: string, sources: GrantSource[]) => GrantSource[],
    after: (memberId: string, sources: GrantSource[]) => GrantSource[],
  ): Promise<PreviewResult> {
    const universe = await this.repository.universe(executor, orgId);
    const candidates = new Map<string, ResourceName>();
    for (const bound of statements) {
      for (const statement of bound) {
        for (const pattern of statement.resources) {
          walkReached(compileRnPattern(pattern), universe, (resource, future) => {
            if (!future) candidates.set(resource.text, resource);
            return undefined;
          });
        }
      }
    }
    const result: PreviewResult = { members: [] };
    for (const member of affected) {
      const sources = await this.sourcesOf(context, executor, orgId, member.memberId);
      const groups = await this.groups.groupKeysOfMember(executor, member.memberId);
      const principalOf = (s: GrantSource[]): DecisionPrincipal => ({
        ...member,
        groups,
        index: compilePrincipalIndex(s),
      });
      const old = principalOf(before(member.memberId, sources));
      const next = principalOf(after(member.memberId, sources));
      const gains: PermissionChange[] = [];
      const losses: PermissionChange[] = [];
      for (const resource of candidates.values()) {
        const env =
          resource.project !== undefined && resource.env !== undefined
            ? await context.environment(resource.project, resource.env)
            : undefined;
        for (const action of actionsFor(resource.type)) {
          const was = decide(old, action, resource, env?.protection).allowed;
          const will = decide(next, action, resource, env?.protection).allowed;
          if (was !== will) (will ? gains : losses).push({ action, resource: resource.text });
        }
      }
      if (gains.length > 0 || losses.length > 0) result.members.push({ member: member.email, gains, losses });
    }
    return result;
  }

  async policyEdit(
    principal: Principal | undefined,
    key: string,
    input: { statements: Statement[] },
  ): Promise<PreviewResult> {
    const caller = requireMember(principal);
    const db = this.deps.store.db;
    await authorizeRead(this.authorizer, db, caller, [{ action: 'ManagePolicies', resource: 'org' }]);
    const context = this.authorizer.context(db, caller.org.id);
    const current = await context.policy(key);
    if (!current) throw new FlagwardError('not-found', `no policy ${key}`);
    const next: Policy = { ...current, statements: input.statements };
    const rows = await this.repository.listAssignments(db, caller.org.id, { policy: key });
    const affectedIds = new Set<string>();
    for (const row of rows) {
      if (row.member_id) affectedIds.add(row.member_id);
      if (row.group_id) for (const id of await this.groups.memberIds(db, row.group_id)) affectedIds.add(id);
    }
    const affected = (await this.members.findByIds(db, [...affectedIds])).map((m) => ({
      memberId: m.id,
      email: m.email,
      orgRole: m.org_role,
    }));
    const bound = rows.flatMap((row) => [
      bindPolicy(current, paramsOf(row)),
      bindPolicy(next, paramsOf(row)),
    ]);
    const swap = (_id: string, sources: GrantSource[]) =>
      sources.map((s) => (s.policy.key === key ? { ...s, policy: next } : s));
    return this.compare(context, db, caller.org.id, affected, bound, (_id, s) => s, swap);
  }

  async assignment(principal: Principal | undefined, input: AssignmentInput): Promise<PreviewResult> {
    const caller = requireMember(principal);
    const db = this.deps.store.db;
    const context = this.authorizer.context(db, caller.org.id);
    const policy = await this.assignments.loadPolicy(context, input.policy);
    const params: AssignmentParams = input.params ?? {};
    const holder = await this.assignments.resolveHolder(db, caller.org.id, input);
    const affected = (await this.members.findByIds(db, holder.affected)).map((m) => ({
      memberId: m.id,
      email: m.email,
      orgRole: m.org_role,
    }));
    const added: GrantSource = { policy, params, ...(holder.group ? { group: holder.group } : {}) };
    return this.compare(
      context,
      db,
      caller.org.id,
      affected,
      [bindPolicy(policy, params)],
      (_id, s) => s,
      (_id, s) => [...s, added],
    );
  }
}
