import { FlagwardError } from '@flagward/core';
import type { AuditAppender, AuditDraft } from '../audit/audit.appender';
import type { AuditEntry } from '../audit/audit.types';
import type { ChangeTransactions } from '../audit/commit.batcher';
import type { Tx } from '../db/database';
import { authorizeRead } from './access';
import type { Authorizer, Refusal, Requirement } from './authorizer';
import { type AuditActor, auditActorOf, type OrgRef, type Principal, type RequestMeta } from './principal';

/** What a change will do, computed from the current state inside the transaction. */
export interface PlannedChange<R> {
  /** Every permission the change needs; derived from the diff, never from the endpoint alone. */
  requirements: Requirement[];
  /** Action names recorded in the audit entry; defaults to the requirements' actions. */
  actions?: string[];
  resource: string;
  project?: string;
  environment?: string;
  flag?: string;
  summary: string;
  before?: unknown;
  after?: unknown;
  /** Writes the change; runs only when every requirement is allowed. */
  apply(tx: Tx): Promise<R>;
  /**
   * Refusals the plan found itself (e.g. delegation that would grant more than the caller holds);
   * they deny the change exactly like the authorizer's.
   */
  refusals?: Refusal[];
  /** A free-text comment from the caller, kept in the audit entry. */
  comment?: string | undefined;
  /** For changes made before an actor exists (setup, accepting an invitation). */
  actor?: AuditActor;
  org?: OrgRef;
  /**
   * Runs in the transaction that records a refusal. Work that must happen exactly once per attempt
   * (a scheduled step claiming its slot) goes here; throwing `StaleAttempt` drops the entry because
   * another process already handled the attempt.
   */
  onDenied?(tx: Tx): Promise<void>;
}

/** Thrown by `onDenied` when the attempt was already recorded elsewhere. */
export class StaleAttempt extends Error {
  constructor() {
    super('the attempt was already handled');
  }
}

/** A request whose intended state equals the current state: nothing is written, not even an entry. */
export interface UnchangedResult<R> {
  unchanged: true;
  result: R;
  /**
   * What the caller must hold to be told the current state: a no-op must not answer a caller who
   * could neither read the resource nor make the change.
   */
  requirements?: Requirement[];
}

export type Plan<R> = PlannedChange<R> | UnchangedResult<R>;

export interface ChangeRequest<R> {
  principal: Principal | undefined;
  meta: RequestMeta;
  /**
   * Changes of different lanes may share a transaction side by side; changes of one lane run one
   * after the other. Only a change that reads and writes nothing but its lane's rows (e.g. one flag's
   * configurations), beside what every change reads and the audit log, may name one; the others run
   * alone.
   */
  lane?: string;
  /**
   * With a lane: the change writes only through the transaction scope (staged writes and its audit
   * entry) and every read it relies on is noted for confirmation (`scope.expect`), so it may be
   * planned before its batch takes SQLite's write lock (see CommitBatcher).
   */
  readsAhead?: boolean;
  /** Loads the current state, validates, computes the intended state and diffs it. */
  plan(tx: Tx): Promise<Plan<R>>;
}

class DeniedChange extends Error {
  constructor(
    readonly plan: PlannedChange<unknown>,
    readonly refused: Refusal[],
  ) {
    super('denied');
  }
}

function uniqueActions(requirements: Requirement[]): string[] {
  return [...new Set(requirements.map((r) => r.action))];
}

function describeRefusals(refused: Refusal[]): string {
  return refused.map((r) => `${r.action} on ${r.resource}: ${r.reason}`).join('; ');
}

/**
 * The only way state changes (DESIGN §6): load → plan (diff, derive actions) → authorize all →
 * apply → append the audit entry, in one transaction. A refused change writes a `denied` entry and
 * nothing else.
 */
export class GovernedChanges {
  private readonly listeners = new Set<(entry: AuditEntry) => void>();

  constructor(
    private readonly transactions: ChangeTransactions,
    private readonly authorizer: Authorizer,
    private readonly audit: AuditAppender,
  ) {}

  /**
   * Calls `listener` with the entry of every applied change, after its transaction committed (SDK
   * streams and caches follow changes this way). Returns the unsubscribe function.
   */
  onCommitted(listener: (entry: AuditEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async run<R>(request: ChangeRequest<R>): Promise<R> {
    let committed: AuditEntry | undefined;
    try {
      const result = await this.transactions.run(
        async (tx) => {
          const plan = await request.plan(tx);
          if ('unchanged' in plan) {
            if (request.principal && plan.requirements && plan.requirements.length > 0) {
              await authorizeRead(this.authorizer, tx, request.principal, plan.requirements);
            }
            return plan.result;
          }
          if (!request.principal && plan.requirements.length > 0) {
            throw new FlagwardError('unauthenticated', 'sign in or send an API token');
          }
          const refused = [
            ...(request.principal && plan.requirements.length > 0
              ? await this.authorizer.refusals(tx, request.principal, plan.requirements)
              : []),
            ...(plan.refusals ?? []),
          ];
          if (refused.length > 0) throw new DeniedChange(plan as PlannedChange<unknown>, refused);
          const applied = await plan.apply(tx);
          committed = await this.audit.append(tx, this.draft(request, plan, 'applied'));
          return applied;
        },
        { lane: request.lane, readsAhead: request.readsAhead },
      );
      if (committed) this.notify(committed);
      return result;
    } catch (error) {
      if (!(error instanceof DeniedChange)) throw error;
      const { plan, refused } = error;
      const reason = describeRefusals(refused);
      try {
        await this.transactions.run(
          async (tx) => {
            await plan.onDenied?.(tx);
            await this.audit.append(tx, {
              ...this.draft(request, plan, 'denied'),
              reason,
              before: undefined,
              after: undefined,
            });
          },
          { lane: request.lane },
        );
      } catch (denialError) {
        if (!(denialError instanceof StaleAttempt)) throw denialError;
      }
      throw new FlagwardError('forbidden', `not allowed: ${reason}`, {
        details: {
          missing: refused.map((r) => ({
            action: r.action,
            resource: r.resource,
            decision: r.decision,
            reason: r.reason,
            ...(r.protection ? { protection: r.protection } : {}),
          })),
        },
      });
    }
  }

  private notify(entry: AuditEntry): void {
    for (const listener of this.listeners) {
      try {
        listener(entry);
      } catch {
        // A failing listener must not turn a committed change into an error for its caller.
      }
    }
  }

  /** Appends a denied entry for an attempt that never reached a plan (e.g. a failed login). */
  async recordDenied(draft: AuditDraft): Promise<void> {
    await this.transactions.run((tx) => this.audit.append(tx, { ...draft, outcome: 'denied' }));
  }

  private draft<R>(
    request: ChangeRequest<R>,
    plan: PlannedChange<R>,
    outcome: 'applied' | 'denied',
  ): AuditDraft {
    const org = plan.org ?? request.principal?.org;
    if (!org) throw new Error('a governed change needs an organization');
    const actor =
      plan.actor ?? (request.principal ? auditActorOf(request.principal) : { type: 'system' as const });
    return {
      org,
      actor,
      actions: plan.actions ?? uniqueActions(plan.requirements),
      resource: plan.resource,
      project: plan.project,
      environment: plan.environment,
      flag: plan.flag,
      summary: plan.summary,
      before: plan.before,
      after: plan.after,
      comment: plan.comment,
      outcome,
      meta: request.meta,
    };
  }
}
