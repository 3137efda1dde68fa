import type { Executor } from '../db/database';
import { mayRead } from '../governance/access';
import type { Authorizer, Requirement } from '../governance/authorizer';
import type { Principal } from '../governance/principal';

/** What visibility needs of an entry: the project and environment it is about. */
export interface EntryScope {
  project: string | null | undefined;
  environment: string | null | undefined;
}

const READ_AUDIT_LOG: Requirement = { action: 'ReadAuditLog', resource: 'org' };

function requirementOf(scope: EntryScope): Requirement {
  if (scope.project && scope.environment) {
    return { action: 'CanAccessEnv', resource: `project/${scope.project}:env/${scope.environment}` };
  }
  if (scope.project) return { action: 'CanAccessProject', resource: `project/${scope.project}` };
  return READ_AUDIT_LOG;
}

/**
 * Which audit entries one caller may read, decided once per (project, environment) for the life of
 * one request: `ReadAuditLog` on `org` reads everything; otherwise an entry about an environment
 * needs CanAccessEnv on it, one about a project only CanAccessProject, and organization-level
 * entries (IAM, settings, setup, sign-ins) need ReadAuditLog.
 */
export class AuditVisibility {
  private readonly decided = new Map<string, boolean>();
  private readsEverything: boolean | undefined;

  constructor(
    private readonly authorizer: Authorizer,
    private readonly executor: Executor,
    private readonly principal: Principal,
  ) {}

  /** Whether the caller holds ReadAuditLog (and so sees every entry). */
  async readsAll(): Promise<boolean> {
    this.readsEverything ??= await mayRead(this.authorizer, this.executor, this.principal, [READ_AUDIT_LOG]);
    return this.readsEverything;
  }

  /** The entries of `rows` the caller may read, in their order. */
  async filter<T extends EntryScope>(rows: T[]): Promise<T[]> {
    if (await this.readsAll()) return rows;
    const pending = new Map<string, Requirement>();
    for (const row of rows) {
      const requirement = requirementOf(row);
      const key = `${requirement.action} ${requirement.resource}`;
      if (requirement === READ_AUDIT_LOG) this.decided.set(key, false);
      else if (!this.decided.has(key)) pending.set(key, requirement);
    }
    if (pending.size > 0) {
      const refused = await this.authorizer.refusals(this.executor, this.principal, [...pending.values()]);
      const refusedKeys = new Set(refused.map((r) => `${r.action} ${r.resource}`));
      for (const key of pending.keys()) this.decided.set(key, !refusedKeys.has(key));
    }
    return rows.filter((row) => {
      const requirement = requirementOf(row);
      return this.decided.get(`${requirement.action} ${requirement.resource}`) === true;
    });
  }

  /** Whether the caller may read one entry. */
  async allows(scope: EntryScope): Promise<boolean> {
    return (await this.filter([scope])).length === 1;
  }
}
