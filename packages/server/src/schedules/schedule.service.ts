import { randomUUID } from 'node:crypto';
import { FlagwardError, type WeightedVariation } from '@flagward/core';
import type { ServiceDeps } from '../app/service-deps';
import type { Executor } from '../db/database';
import { environmentRn } from '../environments/environment.view';
import type { FlagConfigurationRepository } from '../flags/configuration.repository';
import { configurationOf } from '../flags/configuration.repository';
import { type ConfigurationAddress, requireConfiguration } from '../flags/configuration.service';
import { type FlagLocator, flagLane } from '../flags/flag.locator';
import type { FlagRepository } from '../flags/flag.repository';
import { flagDefinitionOf, flagRn } from '../flags/flag.view';
import { authorizeRead, requireMember } from '../governance/access';
import type { Principal, RequestMeta } from '../governance/principal';
import type { RolloutScheduleRepository, ScheduleRow, StoredStep } from './schedule.repository';
import { scheduleProblems } from './schedule.validation';
import { describeSteps, type ScheduleView, scheduleView } from './schedule.view';

export interface ScheduleInput {
  steps: Array<{ at: string; weights: WeightedVariation[] }>;
  bucketBy?: string | undefined;
}

/**
 * Progressive rollouts: a list of (time → fallthrough rollout) steps per flag and environment, applied
 * later by the RolloutScheduler on behalf of the member who scheduled them.
 */
export class RolloutScheduleService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly locator: FlagLocator,
    private readonly flags: FlagRepository,
    private readonly configurations: FlagConfigurationRepository,
    private readonly schedules: RolloutScheduleRepository,
  ) {}

  private async view(executor: Executor, row: ScheduleRow, address: ConfigurationAddress) {
    return scheduleView(
      row,
      { flag: address.flag, environment: address.env },
      await this.flags.emailOf(executor, row.scheduled_by),
    );
  }

  async get(principal: Principal | undefined, address: ConfigurationAddress): Promise<ScheduleView> {
    const caller = requireMember(principal);
    const db = this.deps.store.db;
    const project = await this.locator.project(db, caller.org.id, address.project);
    const flag = await this.locator.flag(db, project, address.flag);
    const environment = await this.locator.environment(db, project, address.env);
    await authorizeRead(this.deps.authorizer, db, caller, [
      { action: 'CanAccessEnv', resource: environmentRn(project.key, environment.key) },
    ]);
    const row = await this.schedules.find(db, flag.id, environment.id);
    if (!row)
      throw new FlagwardError('not-found', `${flag.key} has no rollout schedule in ${environment.key}`);
    return this.view(db, row, address);
  }

  /** Schedules (or replaces) the rollout of a flag in one environment. */
  async put(
    principal: Principal | undefined,
    address: ConfigurationAddress,
    input: ScheduleInput,
    meta: RequestMeta,
  ): Promise<ScheduleView> {
    const caller = requireMember(principal);
    return this.deps.governed.run({
      principal: caller,
      meta,
      lane: flagLane(caller.org.id, address),
      plan: async (tx) => {
        const { project, flag, environment, configuration } = await this.locator.lockedInEnvironment(
          tx,
          caller.org.id,
          address,
        );
        const current = configurationOf(
          await requireConfiguration(this.configurations, tx, flag, environment, configuration),
        );
        const definition = flagDefinitionOf(flag);
        const steps: StoredStep[] = input.steps.map((step) => ({
          at: new Date(step.at).toISOString(),
          weights: step.weights,
          ...(input.bucketBy === undefined ? {} : { bucketBy: input.bucketBy }),
        }));
        const now = this.deps.clock();
        const errors = scheduleProblems(steps, definition, current, now);
        if (errors.length > 0) throw FlagwardError.validation(errors);
        const existing = await this.schedules.find(tx, flag.id, environment.id);
        const row: ScheduleRow = {
          id: randomUUID(),
          flag_id: flag.id,
          environment_id: environment.id,
          org_id: caller.org.id,
          steps: JSON.stringify(steps),
          next_step: 0,
          next_at: steps[0]!.at,
          scheduled_by: caller.memberId,
          created_at: now.toISOString(),
        };
        const keys = { flag: flag.key, environment: environment.key };
        const after = scheduleView(row, keys, caller.email);
        return {
          requirements: [
            { action: 'ScheduleFlagRollout', resource: flagRn(project.key, environment.key, flag.key) },
          ],
          resource: flagRn(project.key, environment.key, flag.key),
          project: project.key,
          environment: environment.key,
          flag: flag.key,
          summary: `${existing ? 'rescheduled' : 'scheduled'} rollout of ${flag.key} in ${environment.key}: ${describeSteps(definition, steps)}`,
          before: existing ? await this.view(tx, existing, address) : undefined,
          after,
          apply: async (applyTx) => {
            await this.schedules.replace(applyTx, row);
            return after;
          },
        };
      },
    });
  }

  /** Cancels the remaining steps (the configuration stays as the last applied step left it). */
  async delete(
    principal: Principal | undefined,
    address: ConfigurationAddress,
    meta: RequestMeta,
  ): Promise<void> {
    const caller = requireMember(principal);
    await this.deps.governed.run({
      principal: caller,
      meta,
      lane: flagLane(caller.org.id, address),
      plan: async (tx) => {
        const { project, flag, environment } = await this.locator.lockedInEnvironment(
          tx,
          caller.org.id,
          address,
        );
        const existing = await this.schedules.find(tx, flag.id, environment.id);
        if (!existing) {
          throw new FlagwardError('not-found', `${flag.key} has no rollout schedule in ${environment.key}`);
        }
        return {
          requirements: [
            { action: 'ScheduleFlagRollout', resource: flagRn(project.key, environment.key, flag.key) },
          ],
          resource: flagRn(project.key, environment.key, flag.key),
          project: project.key,
          environment: environment.key,
          flag: flag.key,
          summary: `cancelled the rollout schedule of ${flag.key} in ${environment.key}`,
          before: await this.view(tx, existing, address),
          apply: (applyTx) => this.schedules.delete(applyTx, flag.id, environment.id),
        };
      },
    });
  }
}
