import { ROLLOUT_TOTAL } from '@flagward/core';

/** A share of a rollout: weights are thousandths of a percent and sum to 100000 (25% = 25000). */
export interface Weight {
  variation: string;
  weight: number;
}

/** 25000 → 25; 33333 → 33.333. */
export function weightToPercent(weight: number): number {
  return weight / 1000;
}

/** 25 → 25000; 33.3334 → 33333 (the API has thousandths of a percent, no finer). */
export function percentToWeight(percent: number): number {
  return Math.round(percent * 1000);
}

/**
 * Parses what a person typed as a percentage (`25`, `12.5`, `33.333%`), or undefined when it is not
 * a number between 0 and 100 with at most three decimals.
 */
export function parsePercent(text: string): number | undefined {
  const trimmed = text.trim().replace(/%$/, '').trim();
  if (!/^\d{1,3}(\.\d{1,3})?$/.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return value >= 0 && value <= 100 ? value : undefined;
}

/** The sum of the weights. */
export function totalWeight(weights: readonly Weight[]): number {
  return weights.reduce((sum, w) => sum + w.weight, 0);
}

/** Why the weights cannot be saved, or undefined when they sum to 100%. */
export function rolloutProblem(weights: readonly Weight[]): string | undefined {
  if (weights.some((w) => !Number.isInteger(w.weight) || w.weight < 0)) {
    return 'every percentage must be between 0% and 100%';
  }
  const total = totalWeight(weights);
  if (total === ROLLOUT_TOTAL) return undefined;
  return `the percentages add up to ${weightToPercent(total)}%; they must add up to 100%`;
}

/** One weight per variation, spread as evenly as thousandths allow (the remainder goes to the first ones). */
export function evenWeights(variations: readonly string[]): Weight[] {
  if (variations.length === 0) return [];
  const base = Math.floor(ROLLOUT_TOTAL / variations.length);
  let remainder = ROLLOUT_TOTAL - base * variations.length;
  return variations.map((variation) => {
    const extra = remainder > 0 ? 1 : 0;
    remainder -= extra;
    return { variation, weight: base + extra };
  });
}

/**
 * Sets the weight of one variation and keeps the total at 100%: what it gains is taken from the other
 * variations, last first; what it loses goes to the next variation (the first other one).
 */
export function setWeight(weights: readonly Weight[], index: number, weight: number): Weight[] {
  const next = weights.map((w) => ({ ...w }));
  const target = next[index];
  if (target === undefined || next.length === 0) return next;
  const clamped = Math.min(ROLLOUT_TOTAL, Math.max(0, Math.round(weight)));
  target.weight = clamped;
  let excess = totalWeight(next) - ROLLOUT_TOTAL;
  for (let i = next.length - 1; i >= 0 && excess > 0; i--) {
    const other = next[i]!;
    if (i === index) continue;
    const take = Math.min(other.weight, excess);
    other.weight -= take;
    excess -= take;
  }
  if (excess < 0) {
    const receiver = next.find((_, i) => i !== index);
    if (receiver) receiver.weight -= excess;
    else target.weight = ROLLOUT_TOTAL;
  }
  return next;
}

/** A rollout over every variation that serves `served` to everyone (the start of a ramp). */
export function allOn(variations: readonly string[], served: string): Weight[] {
  return variations.map((variation) => ({ variation, weight: variation === served ? ROLLOUT_TOTAL : 0 }));
}
