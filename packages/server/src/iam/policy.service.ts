import { randomUUID } from 'node:crypto';
import {
  BUILTIN_POLICY_LIST,
  FlagwardError,
  getBuiltinPolicy,
  type Policy,
  validatePolicyInput,
} from '@flagward/core';
import type { ServiceDeps } from '../app/service-deps';
import type { Tx } from '../db/database';
import { requireMember } from '../governance/access';
import type { Refusal } from '../governance/authorizer';
import type { MemberPrincipal, Principal, RequestMeta } from '../governance/principal';
import type { GroupRepository } from '../groups/group.repository';
import { paramsOf } from './authz.context';
import type { GrantGuard } from './grant.guard';
import type { IamRepository, PolicyRow } from './iam.repository';
import { builtInPolicyView, type PolicyView, policyView, type StatementView } from './iam.views';

export interface PolicyInput {
  key: string;
  name: string;
  description?: string | undefined;
  statements: StatementView[];
}

const MANAGE_POLICIES = { action: 'ManagePolicies', resource: 'org' };

/** Custom policies (built-in ones are read-only); edits never escalate anybody's permissions. */
export class PolicyService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly repository: IamRepository,
    private readonly groups: GroupRepository,
    private readonly guard: GrantGuard,
  ) {}

  private validate(input: {
    key: string;
    name: string;
    description?: string | undefined;
    statements: StatementView[];
  }): void {
    const errors = validatePolicyInput({ ...input, description: input.description ?? '' });
    if (errors.length > 0) throw FlagwardError.validation(errors);
  }

  private async load(tx: Tx, orgId: string, key: string): Promise<PolicyRow> {
    if (getBuiltinPolicy(key))
      throw new FlagwardError('conflict', `${key} is a built-in policy and cannot be changed`);
    const row = await this.repository.findPolicy(tx, orgId, key);
    if (!row) throw new FlagwardError('not-found', `no policy ${key}`);
    return row;
  }

  async list(principal: Principal | undefined): Promise<PolicyView[]> {
    const caller = requireMember(principal);
    const custom = await this.repository.listPolicies(this.deps.store.db, caller.org.id);
    return [...BUILTIN_POLICY_LIST.map(builtInPolicyView), ...custom.map(policyView)];
  }

  async get(principal: Principal | undefined, key: string): Promise<PolicyView> {
    const caller = requireMember(principal);
    const builtIn = getBuiltinPolicy(key);
    if (builtIn) return builtInPolicyView(builtIn);
    const row = await this.repository.findPolicy(this.deps.store.db, caller.org.id, key);
    if (!row) throw new FlagwardError('not-found', `no policy ${key}`);
    return policyView(row);
  }

  async create(principal: Principal | undefined, input: PolicyInput, meta: RequestMeta): Promise<PolicyView> {
    const caller = requireMember(principal);
    this.validate(input);
    return this.deps.governed.run({
      principal: caller,
      meta,
      plan: async (tx) => {
        if (getBuiltinPolicy(input.key) || (await this.repository.findPolicy(tx, caller.org.id, input.key))) {
          throw new FlagwardError('conflict', `policy ${input.key} already exists`);
        }
        const now = this.deps.clock().toISOString();
        const row: PolicyRow = {
          id: randomUUID(),
          org_id: caller.org.id,
          key: input.key,
          name: input.name,
          description: input.description ?? '',
          statements: JSON.stringify(input.statements),
          created_at: now,
          updated_at: now,
        };
        const view = policyView(row);
        return {
          requirements: [MANAGE_POLICIES],
          actions: ['CreatePolicy'],
          resource: `policy/${input.key}`,
          summary: `created policy ${input.key} with ${input.statements.length} statement${input.statements.length === 1 ? '' : 's'}`,
          after: view,
          apply: async (applyTx) => {
            await this.repository.insertPolicy(applyTx, row);
            return view;
          },
        };
      },
    });
  }

  /** Refusals for an edit by a member who holds the policy, or whose edit would grant assignees more than they hold. */
  private async editRefusals(tx: Tx, caller: MemberPrincipal, key: string, next: Policy): Promise<Refusal[]> {
    const assignments = await this.repository.listAssignments(tx, caller.org.id, { policy: key });
    const ownGroups = new Set(await this.groups.groupKeysOfMember(tx, caller.memberId));
    if (
      assignments.some(
        (a) => a.member_id === caller.memberId || (a.group_key !== null && ownGroups.has(a.group_key)),
      )
    ) {
      return [
        {
          action: 'ManagePolicies',
          resource: `policy/${key}`,
          decision: 'implicit-deny',
          reason: 'you hold this policy yourself; nobody edits a policy that changes their own permissions',
        },
      ];
    }
    const refusals: Refusal[] = [];
    for (const assignment of assignments)
      refusals.push(...(await this.guard.check(tx, caller, next, paramsOf(assignment))).refusals);
    return refusals;
  }

  async update(
    principal: Principal | undefined,
    key: string,
    input: Omit<PolicyInput, 'key'>,
    meta: RequestMeta,
  ): Promise<PolicyView> {
    const caller = requireMember(principal);
    this.validate({ ...input, key });
    return this.deps.governed.run({
      principal: caller,
      meta,
      plan: async (tx) => {
        const row = await this.load(tx, caller.org.id, key);
        const before = policyView(row);
        const description = input.description ?? before.description;
        const unchanged =
          before.name === input.name &&
          before.description === description &&
          JSON.stringify(before.statements) === JSON.stringify(input.statements);
        if (unchanged) return { unchanged: true, result: before, requirements: [MANAGE_POLICIES] };
        const next: Policy = {
          key,
          name: input.name,
          description,
          statements: input.statements,
          builtIn: false,
        };
        const now = this.deps.clock().toISOString();
        const after: PolicyView = {
          ...before,
          name: input.name,
          description,
          statements: input.statements,
          updatedAt: now,
        };
        return {
          requirements: [MANAGE_POLICIES],
          refusals: await this.editRefusals(tx, caller, key, next),
          actions: ['UpdatePolicy'],
          resource: `policy/${key}`,
          summary: `edited policy ${key}`,
          before,
          after,
          apply: async (applyTx) => {
            await this.repository.updatePolicy(applyTx, row.id, {
              name: input.name,
              description,
              statements: JSON.stringify(input.statements),
              updated_at: now,
            });
            return after;
          },
        };
      },
    });
  }

  async delete(principal: Principal | undefined, key: string, meta: RequestMeta): Promise<void> {
    const caller = requireMember(principal);
    await this.deps.governed.run({
      principal: caller,
      meta,
      plan: async (tx) => {
        const row = await this.load(tx, caller.org.id, key);
        const assignments = await this.repository.listAssignments(tx, caller.org.id, { policy: key });
        const revoked =
          assignments.length > 0
            ? ` and revoked its ${assignments.length} assignment${assignments.length === 1 ? '' : 's'}`
            : '';
        return {
          requirements: [MANAGE_POLICIES],
          actions: ['DeletePolicy'],
          resource: `policy/${key}`,
          summary: `deleted policy ${key}${revoked}`,
          before: { policy: policyView(row), assignments: assignments.map((a) => a.id) },
          apply: async (applyTx) => {
            for (const assignment of assignments)
              await this.repository.deleteAssignment(applyTx, assignment.id);
            await this.repository.deletePolicy(applyTx, row.id);
          },
        };
      },
    });
  }
}
