import { FlagwardError } from '@flagward/core';
import type { ServiceDeps } from '../app/service-deps';
import type { Tx } from '../db/database';
import { planConfigurationChange } from '../flags/configuration.change';
import { configurationOf, type FlagConfigurationRepository } from '../flags/configuration.repository';
import type { FlagRepository } from '../flags/flag.repository';
import { flagDefinitionOf, flagRn } from '../flags/flag.view';
import type { Refusal } from '../governance/authorizer';
import { type Plan, StaleAttempt } from '../governance/governed-change';
import type { MemberPrincipal, SystemPrincipal } from '../governance/principal';
import type { MemberRepository } from '../members/member.repository';
import type { OrganizationRepository } from '../organization/organization.repository';
import { type DueSchedule, type RolloutScheduleRepository, stepsOf } from './schedule.repository';
import { stepProblem } from './schedule.validation';
import { stepServe } from './schedule.view';

/** What became of one due step in this process. */
type StepOutcome = 'applied' | 'denied' | 'skipped' | 'handled-elsewhere';

/** Rounds per tick: overdue steps (after downtime) are applied one after the other, each with its entry. */
const MAX_ROUNDS = 100;

/**
 * Applies the due steps of rollout schedules as the system actor on behalf of the member who scheduled
 * them, authorized with that member's permissions as they are at that moment. A refused step is recorded
 * as denied and the schedule moves on. Each step is claimed inside its change's transaction, so it is
 * handled exactly once however many processes tick.
 */
export class RolloutScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly deps: ServiceDeps,
    private readonly schedules: RolloutScheduleRepository,
    private readonly flags: FlagRepository,
    private readonly configurations: FlagConfigurationRepository,
    private readonly members: MemberRepository,
    private readonly organizations: OrganizationRepository,
  ) {}

  /**
   * Handles every step due now; returns how many steps this call applied or recorded as denied. A
   * schedule that fails does not hold up the others; the failures are thrown together at the end.
   */
  async tick(): Promise<number> {
    const now = this.deps.clock().toISOString();
    const failed = new Map<string, unknown>();
    let handled = 0;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const due = await this.schedules.listDue(this.deps.store.db, now);
      let progressed = 0;
      for (const schedule of due.filter((s) => !failed.has(s.id))) {
        try {
          const outcome = await this.step(schedule);
          if (outcome === 'applied' || outcome === 'denied') handled += 1;
          if (outcome !== 'handled-elsewhere') progressed += 1;
        } catch (error) {
          failed.set(schedule.id, error);
        }
      }
      if (progressed === 0) break;
    }
    if (failed.size > 0) throw new AggregateError([...failed.values()], 'rollout steps failed');
    return handled;
  }

  start(intervalMs = 1000, onError: (error: unknown) => void = () => undefined): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.tick().catch((error: unknown) => {
        onError(error);
        return 0;
      });
      void this.running.finally(() => {
        this.running = undefined;
      });
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /**
   * The scheduler as they are now (role, disabled), and why every step must be refused when they can no
   * longer act at all.
   */
  private async principalOf(
    schedule: DueSchedule,
  ): Promise<{ principal: SystemPrincipal; why: string | undefined }> {
    const db = this.deps.store.db;
    const org = await this.organizations.findById(db, schedule.org_id);
    if (!org) throw new Error(`schedule ${schedule.id} belongs to no organization`);
    const orgRef = { id: org.id, key: org.key, name: org.name };
    const member = await this.members.findById(db, schedule.scheduled_by);
    if (!member || member.org_id !== org.id) {
      return {
        principal: { kind: 'system', org: orgRef },
        why: `the member who scheduled this rollout (${schedule.scheduled_by}) no longer exists`,
      };
    }
    const scheduler: MemberPrincipal = {
      kind: 'member',
      memberId: member.id,
      email: member.email,
      name: member.name,
      orgRole: member.org_role,
      org: orgRef,
      auth: 'session',
    };
    return {
      principal: { kind: 'system', org: orgRef, onBehalfOf: scheduler },
      why: member.disabled === 1 ? `${member.email}, who scheduled this rollout, is disabled` : undefined,
    };
  }

  private async step(schedule: DueSchedule): Promise<StepOutcome> {
    const index = schedule.next_step;
    const steps = stepsOf(schedule);
    const step = steps[index];
    if (!step) return 'handled-elsewhere';
    const nextAt = steps[index + 1]?.at ?? null;
    const { principal, why } = await this.principalOf(schedule);
    let outcome: StepOutcome = 'handled-elsewhere';
    const claim = (tx: Tx) => this.schedules.claimStep(tx, schedule.id, index, nextAt);
    try {
      await this.deps.governed.run({
        principal,
        meta: { requestId: `rollout-${schedule.id}-${index}` },
        plan: async (tx): Promise<Plan<unknown>> => {
          const flag = await this.flags.findByIdForUpdate(tx, schedule.flag_id);
          if (!flag || !(await claim(tx))) return { unchanged: true, result: undefined };
          const row = await this.configurations.find(tx, flag.id, schedule.environment_id);
          if (!row) return { unchanged: true, result: undefined };
          const definition = flagDefinitionOf(flag);
          const before = configurationOf(row);
          const after = { ...before, fallthrough: stepServe(step) };
          const invalid = stepProblem(step, definition, before);
          const plan = planConfigurationChange(this.configurations, {
            project: { key: schedule.project_key },
            environment: { id: schedule.environment_id, key: schedule.environment_key },
            flagId: flag.id,
            definition,
            before,
            updatedAt: row.updated_at,
            after,
            comment: `step ${index + 1} of ${steps.length} of the rollout schedule`,
            now: this.deps.clock().toISOString(),
          });
          if ('unchanged' in plan) {
            outcome = 'skipped';
            // Without requirements: the claim commits even if the scheduler could no longer read the flag.
            return { unchanged: true, result: undefined };
          }
          const reason =
            why ?? (invalid ? `step ${index + 1} no longer fits the flag: ${invalid}` : undefined);
          return {
            ...plan,
            refusals: reason
              ? this.refusals(
                  plan.requirements.map((r) => r.action),
                  schedule,
                  flag.key,
                  reason,
                )
              : [],
            apply: async (applyTx) => {
              const applied = await plan.apply(applyTx);
              outcome = 'applied';
              return applied;
            },
            onDenied: async (denialTx) => {
              if (!(await claim(denialTx))) throw new StaleAttempt();
              outcome = 'denied';
            },
          };
        },
      });
    } catch (error) {
      if (!(error instanceof FlagwardError && error.code === 'forbidden')) throw error;
    }
    return outcome;
  }

  private refusals(actions: string[], schedule: DueSchedule, flagKey: string, reason: string): Refusal[] {
    const resource = flagRn(schedule.project_key, schedule.environment_key, flagKey);
    return actions.map((action) => ({ action, resource, decision: 'implicit-deny', reason }));
  }
}
