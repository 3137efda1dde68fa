import { type FlagDefinition, formatPercentage, type Rollout, type ServeRollout } from '@flagward/core';
import type { ScheduleRow, StoredStep } from './schedule.repository';
import { stepsOf } from './schedule.repository';

export interface ScheduleView {
  flag: string;
  environment: string;
  steps: Array<Pick<StoredStep, 'at' | 'weights'>>;
  bucketBy?: string;
  nextStep: number;
  nextAt: string | null;
  scheduledBy: string | null;
  createdAt: string;
}

/** The fallthrough a step sets. */
export function stepServe(step: StoredStep): ServeRollout {
  const rollout: Rollout =
    step.bucketBy === undefined
      ? { weights: step.weights }
      : { bucketBy: step.bucketBy, weights: step.weights };
  return { rollout };
}

export function scheduleView(
  row: ScheduleRow,
  keys: { flag: string; environment: string },
  scheduledBy: string | null,
): ScheduleView {
  const steps = stepsOf(row);
  const bucketBy = steps[0]?.bucketBy;
  return {
    flag: keys.flag,
    environment: keys.environment,
    steps: steps.map(({ at, weights }) => ({ at, weights })),
    ...(bucketBy === undefined ? {} : { bucketBy }),
    nextStep: row.next_step,
    nextAt: row.next_at,
    scheduledBy,
    createdAt: row.created_at,
  };
}

/** `25% at 2026-…, 50% at …` of the `true` variation (boolean flags) or of the first variation. */
export function describeSteps(definition: FlagDefinition, steps: StoredStep[]): string {
  const trueVariation = definition.variations.find((v) => v.value === true);
  const reported =
    definition.kind === 'boolean' && trueVariation ? trueVariation.id : (definition.variations[0]?.id ?? '');
  const label = definition.kind === 'boolean' ? '' : `${JSON.stringify(reported)} `;
  return steps
    .map((step) => {
      const weight = step.weights.find((w) => w.variation === reported)?.weight ?? 0;
      return `${label}${formatPercentage(weight)} at ${step.at}`;
    })
    .join(', ');
}
