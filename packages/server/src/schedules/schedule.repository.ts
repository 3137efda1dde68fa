import type { WeightedVariation } from '@flagward/core';
import type { Executor } from '../db/database';
import type { RolloutSchedulesTable } from '../db/database.types';

export type ScheduleRow = RolloutSchedulesTable;

/** One step as stored: when, and the fallthrough rollout it sets. */
export interface StoredStep {
  at: string;
  weights: WeightedVariation[];
  bucketBy?: string;
}

/** A schedule with a step due, and the keys that name where it applies. */
export interface DueSchedule extends ScheduleRow {
  project_key: string;
  environment_key: string;
}

export function stepsOf(row: Pick<ScheduleRow, 'steps'>): StoredStep[] {
  return JSON.parse(row.steps) as StoredStep[];
}

/** Progressive rollout schedules, one per (flag, environment). */
export class RolloutScheduleRepository {
  async find(executor: Executor, flagId: string, environmentId: string): Promise<ScheduleRow | undefined> {
    return executor
      .selectFrom('rollout_schedules')
      .selectAll()
      .where('flag_id', '=', flagId)
      .where('environment_id', '=', environmentId)
      .executeTakeFirst();
  }

  /** Stores `row` in place of the flag's schedule in that environment, if any. */
  async replace(executor: Executor, row: ScheduleRow): Promise<void> {
    await this.delete(executor, row.flag_id, row.environment_id);
    await executor.insertInto('rollout_schedules').values(row).execute();
  }

  async delete(executor: Executor, flagId: string, environmentId: string): Promise<void> {
    await executor
      .deleteFrom('rollout_schedules')
      .where('flag_id', '=', flagId)
      .where('environment_id', '=', environmentId)
      .execute();
  }

  /** Schedules whose next step is due at `now`, earliest first. */
  async listDue(executor: Executor, now: string, limit = 100): Promise<DueSchedule[]> {
    return executor
      .selectFrom('rollout_schedules')
      .innerJoin('flags', 'flags.id', 'rollout_schedules.flag_id')
      .innerJoin('projects', 'projects.id', 'flags.project_id')
      .innerJoin('environments', 'environments.id', 'rollout_schedules.environment_id')
      .selectAll('rollout_schedules')
      .select(['projects.key as project_key', 'environments.key as environment_key'])
      .where('rollout_schedules.next_at', 'is not', null)
      .where('rollout_schedules.next_at', '<=', now)
      .orderBy('rollout_schedules.next_at')
      .orderBy('rollout_schedules.id')
      .limit(limit)
      .execute();
  }

  /**
   * Moves a schedule past step `step`, only if no one has yet (exactly once across processes: the
   * conditional update waits for, then loses to, a concurrent claim). False when it was already claimed.
   */
  async claimStep(executor: Executor, id: string, step: number, nextAt: string | null): Promise<boolean> {
    const result = await executor
      .updateTable('rollout_schedules')
      .set({ next_step: step + 1, next_at: nextAt })
      .where('id', '=', id)
      .where('next_step', '=', step)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
