import { randomUUID } from 'node:crypto';
import { BUILTIN_POLICIES, FlagwardError } from '@flagward/core';
import type { ServiceDeps } from '../app/service-deps';
import type { Executor, Tx } from '../db/database';
import { authorizeRead, requireMember } from '../governance/access';
import type { Refusal, Requirement } from '../governance/authorizer';
import type { MemberPrincipal, Principal, RequestMeta } from '../governance/principal';
import type { GroupRepository } from '../groups/group.repository';
import { type AssignmentService, type Holder, selfRefusal } from './assignment.service';
import { paramsOf } from './authz.context';
import type { GrantGuard } from './grant.guard';
import type { AssignmentRecord, IamRepository } from './iam.repository';
import { describeGrant } from './iam.views';

export type FlagLevel = 'owner' | 'user';

export interface FlagPermissionView {
  id: string;
  member?: string;
  group?: string;
  level: FlagLevel;
  envs: string[];
}

const POLICY_OF_LEVEL: Record<FlagLevel, 'flag-owner' | 'flag-user'> = {
  owner: 'flag-owner',
  user: 'flag-user',
};

function levelOf(row: AssignmentRecord): FlagLevel | undefined {
  if (row.policy_key === 'flag-owner') return 'owner';
  if (row.policy_key === 'flag-user') return 'user';
  return undefined;
}

function isActive(row: AssignmentRecord, now: Date): boolean {
  return row.expires_at === null || Date.parse(row.expires_at) > now.getTime();
}

/**
 * Flag-level Owner and User (DESIGN §5): the creator owns the flag; owners (and org owner/admins) grant
 * or change Owner; users may grant User; nobody changes their own permission; the last owner stays.
 * Every grant is narrowed to the environments where the grantor holds the role's actions.
 */
export class FlagPermissionService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly repository: IamRepository,
    private readonly groups: GroupRepository,
    private readonly assignments: AssignmentService,
    private readonly guard: GrantGuard,
  ) {}

  private async holders(
    executor: Executor,
    orgId: string,
    project: string,
    flag: string,
  ): Promise<AssignmentRecord[]> {
    const rows = [
      ...(await this.repository.listAssignments(executor, orgId, { policy: 'flag-owner' })),
      ...(await this.repository.listAssignments(executor, orgId, { policy: 'flag-user' })),
    ];
    const now = this.deps.clock();
    return rows.filter((row) => {
      const params = paramsOf(row);
      return params.project === project && params.flag === flag && isActive(row, now);
    });
  }

  private async requireFlag(executor: Executor, orgId: string, project: string, flag: string): Promise<void> {
    if (!(await this.repository.flagExists(executor, orgId, project, flag))) {
      throw new FlagwardError('not-found', `no flag ${flag} in project ${project}`);
    }
  }

  private view(row: AssignmentRecord): FlagPermissionView {
    return {
      id: row.id,
      ...(row.member_email ? { member: row.member_email } : {}),
      ...(row.group_key ? { group: row.group_key } : {}),
      level: levelOf(row)!,
      envs: [...(paramsOf(row).envs ?? ['*'])],
    };
  }

  async list(principal: Principal | undefined, project: string, flag: string): Promise<FlagPermissionView[]> {
    const caller = requireMember(principal);
    const db = this.deps.store.db;
    await this.requireFlag(db, caller.org.id, project, flag);
    await authorizeRead(this.deps.authorizer, db, caller, [
      { action: 'CanAccessProject', resource: `project/${project}` },
    ]);
    return (await this.holders(db, caller.org.id, project, flag)).map((row) => this.view(row));
  }

  /** What the caller must hold to grant or remove `level` on the flag in `envs`. */
  private async levelChecks(
    tx: Tx,
    caller: MemberPrincipal,
    project: string,
    flag: string,
    level: FlagLevel,
    envs: readonly string[],
  ): Promise<{ requirements: Requirement[]; refusals: Refusal[] }> {
    // A token limited to a policy must be allowed ManageFlagPermissions by its limit, whoever its member is.
    const limited = caller.token?.limit !== undefined;
    if (!limited && (caller.orgRole === 'owner' || caller.orgRole === 'admin'))
      return { requirements: [], refusals: [] };
    const callerGroups = new Set(await this.groups.groupKeysOfMember(tx, caller.memberId));
    const held = (await this.holders(tx, caller.org.id, project, flag)).filter(
      (row) =>
        row.member_id === caller.memberId || (row.group_key !== null && callerGroups.has(row.group_key)),
    );
    const isUser = held.some((row) => levelOf(row) === 'user');
    const envKeys = envs.includes('*') ? ['*'] : envs;
    const managePerEnv: Requirement[] = envKeys.map((env) => ({
      action: 'ManageFlagPermissions',
      resource: `project/${project}:env/${env}:flag/${flag}`,
    }));
    if (!limited && level === 'user' && isUser) return { requirements: [], refusals: [] };
    return { requirements: managePerEnv, refusals: [] };
  }

  async put(
    principal: Principal | undefined,
    project: string,
    flag: string,
    input: {
      member?: string | undefined;
      group?: string | undefined;
      level: FlagLevel;
      envs?: string[] | undefined;
    },
    meta: RequestMeta,
  ): Promise<FlagPermissionView> {
    const caller = requireMember(principal);
    return this.deps.governed.run({
      principal: caller,
      meta,
      plan: async (tx) => {
        await this.requireFlag(tx, caller.org.id, project, flag);
        const holder: Holder = await this.assignments.resolveHolder(tx, caller.org.id, input);
        const holders = await this.holders(tx, caller.org.id, project, flag);
        const existing = holders.find((row) =>
          holder.memberId ? row.member_id === holder.memberId : row.group_id === holder.groupId,
        );
        const policy = BUILTIN_POLICIES[POLICY_OF_LEVEL[input.level]];
        const requested = { project, flag, envs: input.envs ?? ['*'] };
        const check = await this.guard.check(tx, caller, policy, requested);
        const envs = [...(check.params.envs ?? ['*'])];
        if (
          existing &&
          levelOf(existing) === input.level &&
          JSON.stringify(paramsOf(existing).envs ?? ['*']) === JSON.stringify(envs)
        ) {
          return {
            unchanged: true,
            result: this.view(existing),
            requirements: [{ action: 'CanAccessProject', resource: `project/${project}` }],
          };
        }
        const owners = holders.filter((row) => levelOf(row) === 'owner');
        if (existing && levelOf(existing) === 'owner' && input.level !== 'owner' && owners.length === 1) {
          throw new FlagwardError(
            'conflict',
            `${holder.member ?? holder.group} is the last owner of ${flag}; make someone else owner first`,
          );
        }
        const changesOwner =
          input.level === 'owner' || (existing !== undefined && levelOf(existing) === 'owner');
        const checks = await this.levelChecks(
          tx,
          caller,
          project,
          flag,
          changesOwner ? 'owner' : 'user',
          envs,
        );
        const row = {
          id: randomUUID(),
          org_id: caller.org.id,
          policy_key: policy.key,
          member_id: holder.memberId,
          group_id: holder.groupId,
          params: JSON.stringify({ project, flag, envs }),
          expires_at: null,
          expiry_recorded: 0,
          created_by: caller.memberId,
          created_at: this.deps.clock().toISOString(),
        };
        const record: AssignmentRecord = {
          ...row,
          member_email: holder.member ?? null,
          group_key: holder.group ?? null,
        };
        return {
          requirements: checks.requirements,
          refusals: [...selfRefusal(caller, holder), ...checks.refusals, ...check.refusals],
          actions: ['ManageFlagPermissions'],
          resource: `project/${project}:env/*:flag/${flag}`,
          project,
          flag,
          summary: `permission granted ${describeGrant({ ...holder, policy: policy.key, params: { project, flag, envs } })}`,
          before: existing ? this.view(existing) : undefined,
          after: this.view(record),
          apply: async (applyTx) => {
            if (existing) await this.repository.deleteAssignment(applyTx, existing.id);
            await this.repository.insertAssignment(applyTx, row);
            return this.view(record);
          },
        };
      },
    });
  }

  async remove(
    principal: Principal | undefined,
    project: string,
    flag: string,
    input: { member?: string | undefined; group?: string | undefined },
    meta: RequestMeta,
  ): Promise<void> {
    const caller = requireMember(principal);
    await this.deps.governed.run({
      principal: caller,
      meta,
      plan: async (tx) => {
        await this.requireFlag(tx, caller.org.id, project, flag);
        const holder = await this.assignments.resolveHolder(tx, caller.org.id, input);
        const holders = await this.holders(tx, caller.org.id, project, flag);
        const existing = holders.find((row) =>
          holder.memberId ? row.member_id === holder.memberId : row.group_id === holder.groupId,
        );
        if (!existing)
          throw new FlagwardError(
            'not-found',
            `${holder.member ?? holder.group} has no permission on ${flag}`,
          );
        const level = levelOf(existing)!;
        if (level === 'owner' && holders.filter((row) => levelOf(row) === 'owner').length === 1) {
          throw new FlagwardError(
            'conflict',
            `${holder.member ?? holder.group} is the last owner of ${flag} and cannot be removed`,
          );
        }
        const checks = await this.levelChecks(
          tx,
          caller,
          project,
          flag,
          level,
          paramsOf(existing).envs ?? ['*'],
        );
        return this.assignments.revocationPlan(tx, caller, existing, checks);
      },
    });
  }

  /**
   * Makes the creator of a flag its owner, inside the creating transaction, limited to the environments
   * where the creator holds every action of Flag Owner. Returns the environments granted (empty: none).
   */
  async grantCreator(tx: Tx, creator: MemberPrincipal, project: string, flag: string): Promise<string[]> {
    const check = await this.guard.check(tx, creator, BUILTIN_POLICIES['flag-owner'], { project, flag });
    const envs = [...(check.params.envs ?? ['*'])];
    if (check.refusals.length > 0) return [];
    await this.repository.insertAssignment(tx, {
      id: randomUUID(),
      org_id: creator.org.id,
      policy_key: 'flag-owner',
      member_id: creator.memberId,
      group_id: null,
      params: JSON.stringify({ project, flag, envs }),
      expires_at: null,
      expiry_recorded: 0,
      created_by: creator.memberId,
      created_at: this.deps.clock().toISOString(),
    });
    return envs;
  }

  /** Revokes every flag permission of a flag being deleted (part of the deleting change). */
  async revokeAll(tx: Tx, orgId: string, project: string, flag: string): Promise<number> {
    return this.repository.deleteAssignmentsScopedTo(tx, orgId, project, flag);
  }
}
