/*
 * Timing and reporting helpers: percentiles, the median and min..max of repetitions, units.
 */
import os from 'node:os';

/**
 * The value at quantile `q` (0..1) of an ascending array (nearest rank).
 *
 * @example
 * quantile([1, 2, 3, 4], 0.5); // 2
 */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

/**
 * The median of a list (the lower middle for even lengths).
 *
 * @example
 * median([3, 1, 2]); // 2
 */
export function median(values: readonly number[]): number {
  return quantile(Float64Array.from(values).sort(), 0.5);
}

/**
 * One timed repetition of an engine over the request mix.
 *
 * @example
 * const rep: Repetition = { decisions: 1_000_000, seconds: 0.4, p50: 0.35e-6, p99: 0.9e-6 };
 */
export interface Repetition {
  readonly decisions: number;
  readonly seconds: number;
  /** Seconds per decision. */
  readonly p50: number;
  readonly p99: number;
}

/**
 * The median and range of one figure over repetitions.
 *
 * @example
 * const s = summarize([1, 3, 2]); // { median: 2, min: 1, max: 3 }
 */
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/**
 * Median, min and max of a list.
 *
 * @example
 * summarize([1, 3, 2]).median; // 2
 */
export function summarize(values: readonly number[]): Summary {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/**
 * A duration in seconds written with a readable unit (ns, µs, ms, s).
 *
 * @example
 * formatDuration(3.2e-7); // '0.320 µs'
 */
export function formatDuration(seconds: number): string {
  if (seconds < 1e-6) return `${(seconds * 1e6).toFixed(3)} µs`;
  if (seconds < 1e-3) return `${(seconds * 1e6).toFixed(1)} µs`;
  if (seconds < 1) return `${(seconds * 1e3).toFixed(2)} ms`;
  return `${seconds.toFixed(2)} s`;
}

/**
 * A rate in decisions per second, with a readable multiplier.
 *
 * @example
 * formatRate(2_500_000); // '2.50 M decisions/s'
 */
export function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M decisions/s`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(2)} k decisions/s`;
  return `${perSecond.toFixed(1)} decisions/s`;
}

/**
 * "median (min..max)" of a summary, each value formatted.
 *
 * @example
 * formatSummary(summarize([1e-6, 2e-6]), formatDuration); // '1.0 µs (1.0 µs..2.0 µs)'
 */
export function formatSummary(s: Summary, format: (v: number) => string): string {
  return `${format(s.median)} (${format(s.min)}..${format(s.max)})`;
}

/**
 * The machine the figures were measured on.
 *
 * @example
 * machine(); // 'Node v20.20.2, 2 cores (Intel Xeon …), linux x64'
 */
export function machine(): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model.trim() ?? 'unknown CPU';
  return `Node ${process.version}, ${os.availableParallelism()} cores (${model}), ${process.platform} ${process.arch}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`;
}
