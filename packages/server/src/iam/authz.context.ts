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

/** How many projects' environments a shared cache keeps (all are dropped when it fills up). */
const SHARED_ENVIRONMENTS_SIZE = 10_000;

/**
 * Loads what decisions are made from, per call: compiled principals, environments with their tags and
 * protections, flag tags. Everything is read inside the caller's transaction, so a change is authorized
 * against the state it applies to.
 */
export class AuthzContext {
  private readonly envsByProject = new Map<string, Promise<EnvFacts[]>>();
  private readonly policies = new Map<string, Promise<Policy | undefined>>();
  private iamVersion: Promise<string> | undefined;

  constructor(
    private readonly executor: Executor,
    private readonly repository: IamRepository,
    readonly orgId: string,
    readonly now: Date,
    /**
     * Environments with protections kept across calls, keyed by organization and project, valid while
     * the IAM version is the one they were loaded at (environment and protection writes change it).
     */
    private readonly sharedEnvironments?: Map<string, { version: string; envs: EnvFacts[] }>,
  ) {}

  /** The IAM version in the caller's transaction, as last read by this context (read once if never). */
  version(): Promise<string> {
    this.iamVersion ??= this.repository.iamVersion(this.executor);
    return this.iamVersion;
  }

  /** The IAM version read now (so writes made earlier in the transaction are seen). */
  currentVersion(): Promise<string> {
    this.iamVersion = this.repository.iamVersion(this.executor);
    return this.iamVersion;
  }

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
    return (await this.compile(member, groups)).principal;
  }

  /**
   * A member compiled for decisions, with the times between which the same rows compile the same way:
   * from the latest expiry already passed (`validFrom`, inclusive) to the earliest one still ahead
   * (`validUntil`, exclusive).
   */
  async compile(
    member: Pick<MemberPrincipal, 'memberId' | 'email' | 'orgRole'>,
    groups: string[],
  ): Promise<{ principal: DecisionPrincipal; validFrom: number; validUntil: number }> {
    const rows = await this.repository.assignmentsReaching(this.executor, this.orgId, member.memberId);
    const t = this.now.getTime();
    let validFrom = Number.NEGATIVE_INFINITY;
    let validUntil = Number.POSITIVE_INFINITY;
    for (const row of rows) {
      if (row.expires_at === null || row.expires_at === undefined) continue;
      const expiry = Date.parse(row.expires_at);
      if (expiry > t) validUntil = Math.min(validUntil, expiry);
      else validFrom = Math.max(validFrom, expiry);
    }
    return {
      principal: {
        memberId: member.memberId,
        email: member.email,
        orgRole: member.orgRole,
        groups,
        index: compilePrincipalIndex(await this.sources(rows)),
      },
      validFrom,
      validUntil,
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
    const shared = this.sharedEnvironments;
    if (!shared) return this.readEnvironments(projectKey);
    const version = await this.version();
    const key = `${this.orgId}\u0000${projectKey}`;
    const cached = shared.get(key);
    if (cached && cached.version === version) return cached.envs;
    const envs = await this.readEnvironments(projectKey);
    if (shared.size >= SHARED_ENVIRONMENTS_SIZE) shared.clear();
    shared.set(key, { version, envs });
    return envs;
  }

  private async readEnvironments(projectKey: string): Promise<EnvFacts[]> {
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
