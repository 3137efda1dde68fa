import {
  type AssignmentParams,
  activeAssignments,
  compilePrincipalIndex,
  type Principal as DecisionPrincipal,
  defaultProductionProtection,
  type EnvInfo,
  type EnvProtection,
  type GrantSource,
  getBuiltinPolicy,
  type Policy,
  type Statement,
} from '@flagward/core';
import type { Executor } from '../db/database';
import type { MemberPrincipal } from '../governance/principal';
import type { AssignmentRecord, IamRepository, PolicyRow } from './iam.repository';

/** An environment as decisions need it, with its id for protection lookups. */
export interface EnvFacts extends EnvInfo {
  id: string;
  protection: EnvProtection | undefined;
}

/** A custom policy row as the core policy type. */
export function policyOfRow(row: PolicyRow): Policy {
  return {
    key: row.key,
    name: row.name,
    description: row.description,
    statements: JSON.parse(row.statements) as Statement[],
    builtIn: false,
  };
}

/** The params of an assignment row. */
export function paramsOf(row: { params: string }): AssignmentParams {
  return JSON.parse(row.params) as AssignmentParams;
}

/** The protection in force for an environment: its stored one, or the production default. */
export function protectionOf(
  stored: { operations: string; allowed: string } | undefined,
  production: boolean,
): EnvProtection | undefined {
  if (stored)
    return {
      operations: JSON.parse(stored.operations),
      allowed: JSON.parse(stored.allowed),
    } as EnvProtection;
  return production ? defaultProductionProtection() : undefined;
}

/**
 * Loads what decisions are made from, per call: compiled principals, environments with their tags and
 * protections, flag tags. Everything is read inside the caller's transaction, so a change is authorized
 * against the state it applies to.
 */
export class AuthzContext {
  private readonly envsByProject = new Map<string, Promise<EnvFacts[]>>();
  private readonly policies = new Map<string, Promise<Policy | undefined>>();

  constructor(
    private readonly executor: Executor,
    private readonly repository: IamRepository,
    private readonly orgId: string,
    private readonly now: Date,
  ) {}

  policy(key: string): Promise<Policy | undefined> {
    let found = this.policies.get(key);
    if (!found) {
      const builtIn = getBuiltinPolicy(key);
      found = builtIn
        ? Promise.resolve(builtIn)
        : this.repository
            .findPolicy(this.executor, this.orgId, key)
            .then((row) => (row ? policyOfRow(row) : undefined));
      this.policies.set(key, found);
    }
    return found;
  }

  /** The grant sources of assignment rows that are still in force. */
  async sources(rows: AssignmentRecord[]): Promise<GrantSource[]> {
    const active = activeAssignments(
      rows.map((row) => ({ ...row, expiresAt: row.expires_at ?? undefined })),
      this.now,
    );
    const sources: GrantSource[] = [];
    for (const row of active) {
      const policy = await this.policy(row.policy_key);
      if (policy) sources.push({ policy, params: paramsOf(row), group: row.group_key ?? undefined });
    }
    return sources;
  }

  /** A member compiled for decisions, from their current assignments and groups. */
  async principal(
    member: Pick<MemberPrincipal, 'memberId' | 'email' | 'orgRole'>,
    groups: string[],
  ): Promise<DecisionPrincipal> {
    const rows = await this.repository.assignmentsReaching(this.executor, this.orgId, member.memberId);
    return {
      memberId: member.memberId,
      email: member.email,
      orgRole: member.orgRole,
      groups,
      index: compilePrincipalIndex(await this.sources(rows)),
    };
  }

  /** The environments of a project with tags and protections (empty for an unknown project). */
  environments(projectKey: string): Promise<EnvFacts[]> {
    let found = this.envsByProject.get(projectKey);
    if (!found) {
      found = this.loadEnvironments(projectKey);
      this.envsByProject.set(projectKey, found);
    }
    return found;
  }

  private async loadEnvironments(projectKey: string): Promise<EnvFacts[]> {
    const rows = await this.repository.environmentsOfProject(this.executor, this.orgId, projectKey);
    const protections = await this.repository.listProtections(
      this.executor,
      rows.map((r) => r.id),
    );
    const byEnv = new Map(protections.map((p) => [p.environment_id, p]));
    return rows.map((row) => ({
      id: row.id,
      key: row.key,
      production: row.production === 1,
      tags: JSON.parse(row.tags) as string[],
      protection: protectionOf(byEnv.get(row.id), row.production === 1),
    }));
  }

  async environment(projectKey: string, envKey: string): Promise<EnvFacts> {
    const env = (await this.environments(projectKey)).find((e) => e.key === envKey);
    return env ?? { id: '', key: envKey, production: false, tags: [], protection: undefined };
  }

  async flagTags(projectKey: string, flagKey: string): Promise<string[]> {
    return this.repository.flagTags(this.executor, this.orgId, projectKey, flagKey);
  }
}
