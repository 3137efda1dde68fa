import { randomUUID } from 'node:crypto';
import {
  type AssignmentParams,
  FLAG_ROLE_KEYS,
  FlagwardError,
  type Policy,
  PROJECT_ROLE_KEYS,
  validateAssignmentParams,
} from '@flagward/core';
import type { ServiceDeps } from '../app/service-deps';
import type { Executor, Tx } from '../db/database';
import { pageOf, rowsToFetch } from '../db/keyset.page';
import { requireMember } from '../governance/access';
import type { Refusal, Requirement } from '../governance/authorizer';
import type { MemberPrincipal, Principal, RequestMeta } from '../governance/principal';
import type { GroupRepository } from '../groups/group.repository';
import type { MemberRepository } from '../members/member.repository';
import { assignmentCursor, parseAssignmentCursor } from './assignment.page';
import type { AuthzContext } from './authz.context';
import type { GrantGuard } from './grant.guard';
import type { AssignmentRecord, IamRepository } from './iam.repository';
import { type AssignmentView, assignmentView, describeGrant } from './iam.views';

export interface AssignmentInput {
  policy: string;
  member?: string | undefined;
  group?: string | undefined;
  params?: AssignmentParams | undefined;
  expiresAt?: string | undefined;
}

/** Who an assignment goes to, resolved. */
export interface Holder {
  memberId: string | null;
  groupId: string | null;
  member?: string;
  group?: string;
  /** Member ids whose permissions the assignment changes. */
  affected: string[];
}

const SCOPED_ROLES: ReadonlySet<string> = new Set<string>([...PROJECT_ROLE_KEYS, ...FLAG_ROLE_KEYS]);

/** The permission needed to grant or revoke an assignment of `policy` with `params`. */
export function grantRequirement(policy: string, params: AssignmentParams): Requirement {
  if (SCOPED_ROLES.has(policy) && params.project !== undefined) {
    return { action: 'ManageProjectAccess', resource: `project/${params.project}` };
  }
  return { action: 'ManagePolicies', resource: 'org' };
}

/**
 * The policy `key`, checked to take exactly `params` and to name an existing project: what an
 * assignment or an API token's limit binds. Bad input is refused naming the field at `at`.
 */
export async function bindablePolicy(
  context: AuthzContext,
  key: string,
  params: AssignmentParams,
  at: { key: string; params: string } = { key: 'policy', params: 'params' },
): Promise<Policy> {
  const policy = await context.policy(key);
  if (!policy) throw FlagwardError.validation([{ path: at.key, message: `no policy ${key}` }]);
  const paramErrors = validateAssignmentParams(policy, params, at.params);
  if (paramErrors.length > 0) throw FlagwardError.validation(paramErrors);
  if (params.project !== undefined && (await context.environments(params.project)).length === 0) {
    throw FlagwardError.validation([
      { path: `${at.params}.project`, message: `no project ${params.project}` },
    ]);
  }
  return policy;
}

/** A refusal for a change of the caller's own permissions (DESIGN §5). */
export function selfRefusal(caller: MemberPrincipal, holder: Holder): Refusal[] {
  if (!holder.affected.includes(caller.memberId)) return [];
  return [
    {
      action: 'AssignPolicy',
      resource: holder.member ? `member/${holder.member}` : `group/${holder.group}`,
      decision: 'implicit-deny',
      reason: 'nobody can change their own permissions, directly or through a group they belong to',
    },
  ];
}

/** Assignments of policies to members and groups: grant (with delegation checks), list, revoke. */
export class AssignmentService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly repository: IamRepository,
    private readonly members: MemberRepository,
    private readonly groups: GroupRepository,
    private readonly guard: GrantGuard,
    private readonly contextOf: (executor: Executor, orgId: string) => AuthzContext,
  ) {}

  async resolveHolder(
    executor: Executor,
    orgId: string,
    input: { member?: string | undefined; group?: string | undefined },
  ): Promise<Holder> {
    if ((input.member === undefined) === (input.group === undefined)) {
      throw FlagwardError.validation([
        {
          path: input.member === undefined ? 'member' : 'group',
          message: 'give exactly one of member and group',
        },
      ]);
    }
    if (input.member !== undefined) {
      const member = await this.members.findByEmail(executor, orgId, input.member);
      if (!member) throw FlagwardError.validation([{ path: 'member', message: `no member ${input.member}` }]);
      return { memberId: member.id, groupId: null, member: member.email, affected: [member.id] };
    }
    const group = await this.groups.findByKey(executor, orgId, input.group!);
    if (!group) throw FlagwardError.validation([{ path: 'group', message: `no group ${input.group}` }]);
    return {
      memberId: null,
      groupId: group.id,
      group: group.key,
      affected: await this.groups.memberIds(executor, group.id),
    };
  }

  async loadPolicy(context: AuthzContext, key: string, path = 'policy'): Promise<Policy> {
    const policy = await context.policy(key);
    if (!policy) throw FlagwardError.validation([{ path, message: `no policy ${key}` }]);
    return policy;
  }

  async list(
    principal: Principal | undefined,
    filter: { member?: string | undefined; group?: string | undefined; policy?: string | undefined },
    page: { cursor?: string | undefined; limit?: number | undefined } = {},
  ): Promise<{ items: AssignmentView[]; nextCursor: string | null }> {
    const after = parseAssignmentCursor(page.cursor);
    const caller = requireMember(principal);
    const db = this.deps.store.db;
    const memberId =
      filter.member === undefined
        ? undefined
        : ((await this.members.findByEmail(db, caller.org.id, filter.member))?.id ?? '-');
    const groupId =
      filter.group === undefined
        ? undefined
        : ((await this.groups.findByKey(db, caller.org.id, filter.group))?.id ?? '-');
    const rows = await this.repository.listAssignments(db, caller.org.id, {
      memberId,
      groupId,
      policy: filter.policy,
      after,
      limit: rowsToFetch(page.limit),
    });
    return pageOf(rows.map(assignmentView), page.limit, assignmentCursor);
  }

  async create(
    principal: Principal | undefined,
    input: AssignmentInput,
    meta: RequestMeta,
  ): Promise<AssignmentView> {
    const caller = requireMember(principal);
    if (input.expiresAt !== undefined && Date.parse(input.expiresAt) <= this.deps.clock().getTime()) {
      throw FlagwardError.validation([{ path: 'expiresAt', message: 'must be in the future' }]);
    }
    return this.deps.governed.run({
      principal: caller,
      meta,
      plan: async (tx) => {
        const context = this.contextOf(tx, caller.org.id);
        const requested = input.params ?? {};
        const policy = await bindablePolicy(context, input.policy, requested);
        const holder = await this.resolveHolder(tx, caller.org.id, input);
        const check = await this.guard.check(tx, caller, policy, requested);
        const row = {
          id: randomUUID(),
          org_id: caller.org.id,
          policy_key: policy.key,
          member_id: holder.memberId,
          group_id: holder.groupId,
          params: JSON.stringify(check.params),
          expires_at: input.expiresAt ?? null,
          expiry_recorded: 0,
          created_by: caller.memberId,
          created_at: this.deps.clock().toISOString(),
        };
        const view = assignmentView({
          ...row,
          member_email: holder.member ?? null,
          group_key: holder.group ?? null,
        });
        return {
          requirements: [grantRequirement(policy.key, requested)],
          refusals: [...selfRefusal(caller, holder), ...check.refusals],
          actions: ['AssignPolicy'],
          resource: `policy/${policy.key}`,
          project: requested.project,
          flag: requested.flag,
          summary: `permission granted ${describeGrant({ ...holder, policy: policy.key, params: check.params, expiresAt: input.expiresAt })}`,
          after: view,
          apply: async (applyTx: Tx) => {
            await this.repository.insertAssignment(applyTx, row);
            return view;
          },
        };
      },
    });
  }

  async revoke(principal: Principal | undefined, id: string, meta: RequestMeta): Promise<void> {
    const caller = requireMember(principal);
    await this.deps.governed.run({
      principal: caller,
      meta,
      plan: async (tx) => {
        const row = await this.repository.findAssignment(tx, caller.org.id, id);
        if (!row) throw new FlagwardError('not-found', `no assignment ${id}`);
        return this.revocationPlan(tx, caller, row);
      },
    });
  }

  /** The plan that removes one assignment (shared with flag permissions). */
  async revocationPlan(
    tx: Tx,
    caller: MemberPrincipal,
    row: AssignmentRecord,
    extra: { requirements?: Requirement[]; refusals?: Refusal[] } = {},
  ) {
    const view = assignmentView(row);
    const affected = row.member_id
      ? [row.member_id]
      : row.group_id
        ? await this.groups.memberIds(tx, row.group_id)
        : [];
    const holder: Holder = {
      memberId: row.member_id,
      groupId: row.group_id,
      affected,
      ...(view.member ? { member: view.member } : {}),
      ...(view.group ? { group: view.group } : {}),
    };
    return {
      requirements: extra.requirements ?? [grantRequirement(row.policy_key, view.params)],
      refusals: [...selfRefusal(caller, holder), ...(extra.refusals ?? [])],
      actions: ['RevokePolicy'],
      resource: `policy/${row.policy_key}`,
      project: view.params.project,
      flag: view.params.flag,
      summary: `permission revoked ${describeGrant({ ...holder, policy: row.policy_key, params: view.params })}`,
      before: view,
      apply: (applyTx: Tx) => this.repository.deleteAssignment(applyTx, row.id),
    };
  }
}
