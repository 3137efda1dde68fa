import {
  type FlagConfiguration,
  type FlagKind,
  FlagwardError,
  getBuiltinPolicy,
  initialConfiguration,
  type Variation,
} from '@flagward/core';
import type { ServiceDeps } from '../app/service-deps';
import { pageOf } from '../db/keyset.page';
import { authorizeRead, requireMember } from '../governance/access';
import type { Principal } from '../governance/principal';
import { assignmentCursor, byPosition, parseAssignmentCursor } from '../iam/assignment.page';
import { type AssignmentView, builtInPolicyView, type PolicyView } from '../iam/iam.views';
import type { AuditRepository } from './audit.repository';
import type { AuditEntry } from './audit.types';

const PAGE = 500;

/** A flag's configuration in one environment as it was at a past moment (the shape of the live GET). */
export interface ConfigurationAt extends FlagConfiguration {
  flag: string;
  environment: string;
  /** When the configuration took this state (the entry that made it so). */
  updatedAt: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isConfiguration(value: unknown): value is FlagConfiguration {
  return isObject(value) && typeof value.on === 'boolean' && 'fallthrough' in value;
}

function isAssignment(value: unknown): value is AssignmentView {
  return (
    isObject(value) &&
    typeof value.id === 'string' &&
    typeof value.policy === 'string' &&
    isObject(value.params) &&
    typeof value.createdAt === 'string'
  );
}

function isPolicy(value: unknown): value is PolicyView {
  return isObject(value) && typeof value.key === 'string' && Array.isArray(value.statements);
}

function requireTime(at: string): string {
  const time = Date.parse(at);
  if (Number.isNaN(time))
    throw FlagwardError.validation([{ path: 'at', message: 'must be an ISO-8601 date-time' }]);
  return new Date(time).toISOString();
}

function notThen(what: string, at: string): FlagwardError {
  return new FlagwardError('not-found', `${what} did not exist at ${at}`);
}

/**
 * Point in time (DESIGN §7): flag configurations, policies and assignments as they were at a past
 * moment, reconstructed from the applied entries of the audit log alone.
 */
export class HistoryService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly repository: AuditRepository,
  ) {}

  /**
   * The configuration of `flag` in `env` at `at`: the `after` of the latest applied entry about that
   * flag in that environment at or before `at`, or the initial (off) configuration when the latest
   * one is the flag's creation. Not found when the flag did not exist then. Needs CanAccessEnv.
   */
  async configurationAt(
    principal: Principal | undefined,
    address: { project: string; flag: string; env: string },
    at: string,
  ): Promise<ConfigurationAt> {
    const caller = requireMember(principal);
    const db = this.deps.store.db;
    const time = requireTime(at);
    await authorizeRead(this.deps.authorizer, db, caller, [
      { action: 'CanAccessEnv', resource: `project/${address.project}:env/${address.env}` },
    ]);
    const what = `flag ${address.flag} in ${address.env} of ${address.project}`;
    let beforeSeq: number | undefined;
    for (;;) {
      const rows = await this.repository.flagHistory(db, caller.org.id, address, time, {
        ...(beforeSeq === undefined ? {} : { beforeSeq }),
        limit: PAGE,
      });
      for (const row of rows) {
        const entry = JSON.parse(row.body) as AuditEntry;
        const view = (configuration: FlagConfiguration): ConfigurationAt => ({
          flag: address.flag,
          environment: address.env,
          ...configuration,
          updatedAt: entry.at,
        });
        if (entry.environment === address.env) {
          if (isConfiguration(entry.after)) return view(entry.after);
          continue;
        }
        if (entry.actions.includes('DeleteFlag')) throw notThen(what, time);
        if (entry.actions.includes('CreateFlag') && isObject(entry.after)) {
          const { kind, variations } = entry.after as { kind?: FlagKind; variations?: Variation[] };
          if (kind && Array.isArray(variations)) return view(initialConfiguration({ kind, variations }));
        }
      }
      if (rows.length < PAGE) throw notThen(what, time);
      beforeSeq = rows[rows.length - 1]!.seq;
    }
  }

  /** A policy as it was at `at` (built-in policies never change). */
  async policyAt(principal: Principal | undefined, key: string, at: string): Promise<PolicyView> {
    const caller = requireMember(principal);
    const time = requireTime(at);
    const builtIn = getBuiltinPolicy(key);
    if (builtIn) return builtInPolicyView(builtIn);
    let beforeSeq: number | undefined;
    for (;;) {
      const rows = await this.repository.resourceHistory(
        this.deps.store.db,
        caller.org.id,
        `policy/${key}`,
        time,
        {
          ...(beforeSeq === undefined ? {} : { beforeSeq }),
          limit: PAGE,
        },
      );
      for (const row of rows) {
        const entry = JSON.parse(row.body) as AuditEntry;
        if (entry.actions.includes('DeletePolicy')) throw notThen(`policy ${key}`, time);
        if (
          (entry.actions.includes('CreatePolicy') || entry.actions.includes('UpdatePolicy')) &&
          isPolicy(entry.after)
        ) {
          return entry.after;
        }
      }
      if (rows.length < PAGE) throw notThen(`policy ${key}`, time);
      beforeSeq = rows[rows.length - 1]!.seq;
    }
  }

  /**
   * The assignments in force at `at` (granted, neither revoked nor expired by then), replayed from
   * the log: grants and flag permissions add one, revocations, expiries, deleted policies, removed
   * members and deleted groups take them away.
   */
  async assignmentsAt(
    principal: Principal | undefined,
    filter: { member?: string | undefined; group?: string | undefined; policy?: string | undefined },
    at: string,
    page: { cursor?: string | undefined; limit?: number | undefined } = {},
  ): Promise<{ items: AssignmentView[]; nextCursor: string | null }> {
    const after = parseAssignmentCursor(page.cursor);
    const caller = requireMember(principal);
    const time = requireTime(at);
    const held = new Map<string, AssignmentView>();
    let afterSeq = 0;
    for (;;) {
      const rows = await this.repository.assignmentHistory(this.deps.store.db, caller.org.id, time, {
        afterSeq,
        limit: PAGE,
      });
      for (const row of rows) this.replay(held, JSON.parse(row.body) as AuditEntry);
      if (rows.length < PAGE) break;
      afterSeq = rows[rows.length - 1]!.seq;
    }
    const listed = [...held.values()]
      .filter((a) => a.expiresAt === null || a.expiresAt > time)
      .filter((a) => filter.member === undefined || a.member === filter.member)
      .filter((a) => filter.group === undefined || a.group === filter.group)
      .filter((a) => filter.policy === undefined || a.policy === filter.policy)
      .filter((a) => after === undefined || byPosition(a, after) > 0)
      .sort(byPosition);
    return pageOf(listed, page.limit, assignmentCursor);
  }

  private replay(held: Map<string, AssignmentView>, entry: AuditEntry): void {
    if (isAssignment(entry.before)) held.delete(entry.before.id);
    if (isAssignment(entry.after)) held.set(entry.after.id, entry.after);
    if (
      entry.actions.includes('DeletePolicy') &&
      isObject(entry.before) &&
      Array.isArray(entry.before.assignments)
    ) {
      for (const id of entry.before.assignments) if (typeof id === 'string') held.delete(id);
    }
    if (entry.actions.includes('RemoveMember') && entry.resource.startsWith('member/')) {
      const email = entry.resource.slice('member/'.length);
      for (const [id, a] of held) if (a.member === email) held.delete(id);
    }
    if (entry.actions.includes('DeleteGroup') && entry.resource.startsWith('group/')) {
      const key = entry.resource.slice('group/'.length);
      for (const [id, a] of held) if (a.group === key) held.delete(id);
    }
  }
}
