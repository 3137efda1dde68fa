import {
  type FieldError,
  type FlagConfiguration,
  type FlagDefinition,
  validateFlagConfiguration,
} from '@flagward/core';
import type { StoredStep } from './schedule.repository';
import { stepServe } from './schedule.view';

const ROLLOUT = 'fallthrough.rollout';

/**
 * Every problem of a schedule for a flag in one environment: times strictly increase and the last is in
 * the future; each step's rollout is valid for the flag (core's configuration checks, with their paths
 * moved onto the step).
 */
export function scheduleProblems(
  steps: StoredStep[],
  definition: FlagDefinition,
  current: FlagConfiguration,
  now: Date,
): FieldError[] {
  const errors: FieldError[] = [];
  steps.forEach((step, i) => {
    const previous = steps[i - 1];
    if (previous && Date.parse(step.at) <= Date.parse(previous.at)) {
      errors.push({ path: `steps[${i}].at`, message: `must be later than steps[${i - 1}].at` });
    }
    for (const problem of validateFlagConfiguration(
      { ...current, fallthrough: stepServe(step) },
      definition,
    )) {
      if (problem.path.startsWith(`${ROLLOUT}.bucketBy`)) {
        if (i === 0) errors.push({ path: 'bucketBy', message: problem.message });
      } else if (problem.path.startsWith(`${ROLLOUT}.weights`)) {
        errors.push({ path: `steps[${i}]${problem.path.slice(ROLLOUT.length)}`, message: problem.message });
      } else if (problem.path.startsWith('fallthrough')) {
        errors.push({ path: `steps[${i}]`, message: problem.message });
      }
    }
  });
  const last = steps.at(-1);
  if (last && Date.parse(last.at) <= now.getTime()) {
    errors.push({ path: 'steps', message: 'at least one step must be in the future' });
  }
  return errors;
}

/** A step that no longer fits the flag (its variations changed since it was scheduled), or undefined. */
export function stepProblem(
  step: StoredStep,
  definition: FlagDefinition,
  current: FlagConfiguration,
): string | undefined {
  const problems = validateFlagConfiguration({ ...current, fallthrough: stepServe(step) }, definition);
  return problems.length === 0 ? undefined : problems.map((p) => `${p.path}: ${p.message}`).join('; ');
}
