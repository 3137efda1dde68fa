import { randomUUID } from 'node:crypto';
import type { Universe, UniverseProject } from '@flagward/core';
import type { Executor } from '../db/database';
import type { AssignmentsTable, PoliciesTable, ProtectionsTable } from '../db/database.types';
import { scopeSlot, transactionScope } from '../db/transaction.scope';
import type { AssignmentPosition } from './assignment.page';

export type PolicyRow = PoliciesTable;
export type AssignmentRow = AssignmentsTable;
export type ProtectionRow = ProtectionsTable;

/** An assignment with the names its API shape needs (member email, group key). */
export interface AssignmentRecord extends AssignmentRow {
  member_email: string | null;
  group_key: string | null;
}

/**
 * Marks that what authorization decisions are made from changed (assignments, policies, groups, group
 * membership, member removal, environments and their protections, project removal): every repository
 * that writes those calls it in the same transaction, so a cached compiled principal or environment
 * list is never used past the change (in this process or any other). A fresh random value, not a
 * counter: a rolled-back change can never make an older cached compile look current.
 */
export async function bumpIamVersion(executor: Executor): Promise<void> {
  const version = randomUUID();
  await executor.updateTable('iam_version').set({ version }).where('id', '=', 1).execute();
  transactionScope(executor)?.set(SCOPED_IAM_VERSION, version);
}

/**
 * The IAM version as the current transaction sees it, read once per transaction: with group commit the
 * changes of a batch share it, and a change that bumps it sets it here too (rolled back with it).
 */
const SCOPED_IAM_VERSION = scopeSlot<string>('iam version');

async function readIamVersion(executor: Executor): Promise<string> {
  const row = await executor
    .selectFrom('iam_version')
    .select('version')
    .where('id', '=', 1)
    .executeTakeFirst();
  if (!row) throw new Error('the IAM version row is missing');
  return row.version;
}

/** Policies, assignments and environment protections. */
export class IamRepository {
  /** The current IAM version (see `bumpIamVersion`). */
  async iamVersion(executor: Executor): Promise<string> {
    const scope = transactionScope(executor);
    const known = scope?.get(SCOPED_IAM_VERSION);
    if (known !== undefined) return known;
    if (!scope) return readIamVersion(executor);
    // As the transaction found it: a change that bumps it sets SCOPED_IAM_VERSION, which comes first.
    return scope.once('iam version', async () => {
      const version = await readIamVersion(executor);
      scope.expect('iam version', async (tx) => (await readIamVersion(tx)) === version);
      return version;
    });
  }

  async insertPolicy(executor: Executor, row: PolicyRow): Promise<void> {
    await executor.insertInto('policies').values(row).execute();
    await bumpIamVersion(executor);
  }

  async findPolicy(executor: Executor, orgId: string, key: string): Promise<PolicyRow | undefined> {
    return executor
      .selectFrom('policies')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('key', '=', key)
      .executeTakeFirst();
  }

  async listPolicies(executor: Executor, orgId: string): Promise<PolicyRow[]> {
    return executor.selectFrom('policies').selectAll().where('org_id', '=', orgId).orderBy('key').execute();
  }

  async updatePolicy(
    executor: Executor,
    id: string,
    changes: Pick<PolicyRow, 'name' | 'description' | 'statements' | 'updated_at'>,
  ): Promise<void> {
    await executor.updateTable('policies').set(changes).where('id', '=', id).execute();
    await bumpIamVersion(executor);
  }

  async deletePolicy(executor: Executor, id: string): Promise<void> {
    await executor.deleteFrom('policies').where('id', '=', id).execute();
    await bumpIamVersion(executor);
  }

  private assignments(executor: Executor) {
    return executor
      .selectFrom('assignments')
      .leftJoin('members', 'members.id', 'assignments.member_id')
      .leftJoin('groups', 'groups.id', 'assignments.group_id')
      .selectAll('assignments')
      .select(['members.email as member_email', 'groups.key as group_key']);
  }

  async insertAssignment(executor: Executor, row: AssignmentRow): Promise<void> {
    await executor.insertInto('assignments').values(row).execute();
    await bumpIamVersion(executor);
  }

  async findAssignment(executor: Executor, orgId: string, id: string): Promise<AssignmentRecord | undefined> {
    return this.assignments(executor)
      .where('assignments.org_id', '=', orgId)
      .where('assignments.id', '=', id)
      .executeTakeFirst();
  }

  /** Assignments of an organization, optionally narrowed to a member, a group or a policy. */
  async listAssignments(
    executor: Executor,
    orgId: string,
    filter: {
      memberId?: string | undefined;
      groupId?: string | undefined;
      policy?: string | undefined;
      /** Only assignments that sort after this one (creation time, then id). */
      after?: AssignmentPosition | undefined;
      limit?: number | undefined;
    } = {},
  ): Promise<AssignmentRecord[]> {
    let query = this.assignments(executor).where('assignments.org_id', '=', orgId);
    if (filter.memberId !== undefined) query = query.where('assignments.member_id', '=', filter.memberId);
    if (filter.groupId !== undefined) query = query.where('assignments.group_id', '=', filter.groupId);
    if (filter.policy !== undefined) query = query.where('assignments.policy_key', '=', filter.policy);
    const { after } = filter;
    if (after !== undefined) {
      query = query.where((eb) =>
        eb.or([
          eb('assignments.created_at', '>', after.createdAt),
          eb.and([eb('assignments.created_at', '=', after.createdAt), eb('assignments.id', '>', after.id)]),
        ]),
      );
    }
    query = query.orderBy('assignments.created_at').orderBy('assignments.id');
    if (filter.limit !== undefined) query = query.limit(filter.limit);
    return query.execute();
  }

  /** The assignments that reach a member: their own and those of every group they belong to. */
  async assignmentsReaching(
    executor: Executor,
    orgId: string,
    memberId: string,
  ): Promise<AssignmentRecord[]> {
    return this.assignments(executor)
      .where('assignments.org_id', '=', orgId)
      .where((eb) =>
        eb.or([
          eb('assignments.member_id', '=', memberId),
          eb(
            'assignments.group_id',
            'in',
            eb
              .selectFrom('group_members')
              .select('group_members.group_id')
              .where('group_members.member_id', '=', memberId),
          ),
        ]),
      )
      .execute();
  }

  async deleteAssignment(executor: Executor, id: string): Promise<void> {
    await executor.deleteFrom('assignments').where('id', '=', id).execute();
    await bumpIamVersion(executor);
  }

  /** Assignments whose expiry has passed but is not yet in the audit log. */
  async unrecordedExpiries(executor: Executor, now: string): Promise<AssignmentRecord[]> {
    return this.assignments(executor)
      .where('assignments.expires_at', 'is not', null)
      .where('assignments.expires_at', '<=', now)
      .where('assignments.expiry_recorded', '=', 0)
      .orderBy('assignments.expires_at')
      .limit(100)
      .execute();
  }

  /** Marks an expiry as recorded; false when another process did it first. */
  async claimExpiry(executor: Executor, id: string): Promise<boolean> {
    const result = await executor
      .updateTable('assignments')
      .set({ expiry_recorded: 1 })
      .where('id', '=', id)
      .where('expiry_recorded', '=', 0)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async findProtection(executor: Executor, environmentId: string): Promise<ProtectionRow | undefined> {
    return executor
      .selectFrom('protections')
      .selectAll()
      .where('environment_id', '=', environmentId)
      .executeTakeFirst();
  }

  async listProtections(executor: Executor, environmentIds: string[]): Promise<ProtectionRow[]> {
    if (environmentIds.length === 0) return [];
    return executor
      .selectFrom('protections')
      .selectAll()
      .where('environment_id', 'in', environmentIds)
      .execute();
  }

  async upsertProtection(executor: Executor, row: ProtectionRow): Promise<void> {
    await executor
      .insertInto('protections')
      .values(row)
      .onConflict((oc) =>
        oc
          .column('environment_id')
          .doUpdateSet({ operations: row.operations, allowed: row.allowed, updated_at: row.updated_at }),
      )
      .execute();
    await bumpIamVersion(executor);
  }

  /** The environments of a project of an organization, in their display order. */
  async environmentsOfProject(
    executor: Executor,
    orgId: string,
    projectKey: string,
  ): Promise<Array<{ id: string; key: string; production: number; tags: string }>> {
    return executor
      .selectFrom('environments')
      .innerJoin('projects', 'projects.id', 'environments.project_id')
      .select(['environments.id', 'environments.key', 'environments.production', 'environments.tags'])
      .where('projects.org_id', '=', orgId)
      .where('projects.key', '=', projectKey)
      .orderBy('environments.position')
      .execute();
  }

  /** The tags of a flag; empty when the flag does not exist (yet). */
  async flagTags(executor: Executor, orgId: string, projectKey: string, flagKey: string): Promise<string[]> {
    const row = await executor
      .selectFrom('flags')
      .innerJoin('projects', 'projects.id', 'flags.project_id')
      .select('flags.tags')
      .where('projects.org_id', '=', orgId)
      .where('projects.key', '=', projectKey)
      .where('flags.key', '=', flagKey)
      .executeTakeFirst();
    return row ? (JSON.parse(row.tags) as string[]) : [];
  }

  /** Every project, environment (with tags and variables) and flag (with tags) of an organization. */
  async universe(executor: Executor, orgId: string): Promise<Universe> {
    const projects = await executor
      .selectFrom('projects')
      .select(['id', 'key'])
      .where('org_id', '=', orgId)
      .execute();
    const projectIds = projects.map((p) => p.id);
    if (projectIds.length === 0) return { projects: [] };
    const [envs, flags, variables] = await Promise.all([
      executor
        .selectFrom('environments')
        .select(['id', 'project_id', 'key', 'production', 'tags'])
        .where('project_id', 'in', projectIds)
        .orderBy('position')
        .execute(),
      executor
        .selectFrom('flags')
        .select(['project_id', 'key', 'tags'])
        .where('project_id', 'in', projectIds)
        .execute(),
      executor
        .selectFrom('variables')
        .innerJoin('environments', 'environments.id', 'variables.environment_id')
        .select(['variables.environment_id', 'variables.key'])
        .where('environments.project_id', 'in', projectIds)
        .execute(),
    ]);
    const variablesByEnv = new Map<string, string[]>();
    for (const v of variables)
      variablesByEnv.set(v.environment_id, [...(variablesByEnv.get(v.environment_id) ?? []), v.key]);
    const result: UniverseProject[] = projects.map((project) => ({
      key: project.key,
      envs: envs
        .filter((e) => e.project_id === project.id)
        .map((e) => ({
          key: e.key,
          production: e.production === 1,
          tags: JSON.parse(e.tags) as string[],
          variables: variablesByEnv.get(e.id) ?? [],
        })),
      flags: flags
        .filter((f) => f.project_id === project.id)
        .map((f) => ({ key: f.key, tags: JSON.parse(f.tags) as string[] })),
    }));
    return { projects: result };
  }

  /** Whether a flag exists in a project of an organization. */
  async flagExists(executor: Executor, orgId: string, projectKey: string, flagKey: string): Promise<boolean> {
    const row = await executor
      .selectFrom('flags')
      .innerJoin('projects', 'projects.id', 'flags.project_id')
      .select('flags.id')
      .where('projects.org_id', '=', orgId)
      .where('projects.key', '=', projectKey)
      .where('flags.key', '=', flagKey)
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Removes the assignments bound to a project (or to one flag of it) when that project or flag is
   * deleted, so a later resource with the same key does not inherit old grants. Returns how many.
   */
  async deleteAssignmentsScopedTo(
    executor: Executor,
    orgId: string,
    project: string,
    flag?: string,
  ): Promise<number> {
    const rows = await executor
      .selectFrom('assignments')
      .select(['id', 'params'])
      .where('org_id', '=', orgId)
      .execute();
    const doomed = rows
      .filter((row) => {
        const params = JSON.parse(row.params) as { project?: string; flag?: string };
        return params.project === project && (flag === undefined || params.flag === flag);
      })
      .map((row) => row.id);
    if (doomed.length > 0) {
      await executor.deleteFrom('assignments').where('id', 'in', doomed).execute();
      await bumpIamVersion(executor);
    }
    return doomed.length;
  }
}
