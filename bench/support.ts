// Shared helpers of the benchmark sections (bench/<section>.bench.ts).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const peersManifest = path.join(path.dirname(fileURLToPath(import.meta.url)), 'peers', 'package.json');

/** Imports a benchmark peer installed in bench/peers (run.ts installs them on demand). */
export async function importPeer(name: string): Promise<any> {
  const resolved = createRequire(peersManifest).resolve(name);
  const module = await import(pathToFileURL(resolved).href);
  // CommonJS peers come back as { default: module.exports, …detected names }: merge both views.
  return {
    ...(typeof module.default === 'object' && module.default !== null ? module.default : {}),
    ...module,
  };
}

/** The installed version of a benchmark peer. */
export function peerVersion(name: string): string {
  const manifest = path.join(path.dirname(peersManifest), 'node_modules', name, 'package.json');
  return (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string }).version;
}

/** The figures of one measurement: operations per second of each repetition. */
export interface Rates {
  label: string;
  perSecond: number[];
  calls: number;
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

export const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
};

/** 12.3M/s, 456k/s… */
export function rate(perSecond: number): string {
  if (perSecond >= 1e6)
    return `${(perSecond / 1e6).toFixed(perSecond >= 1e8 ? 0 : perSecond >= 1e7 ? 1 : 2)}M/s`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(0)}k/s`;
  return `${perSecond.toFixed(0)}/s`;
}

export function describeRates(rates: Rates): string {
  const m = median(rates.perSecond);
  return `${rate(m)} (min..max ${rate(Math.min(...rates.perSecond))}..${rate(Math.max(...rates.perSecond))}; ${rates.perSecond.length}× ${(rates.calls / 1e6).toFixed(1)}M calls)`;
}

/** A value the timed loops feed so that the JIT cannot drop the calls. */
export let sink = 0;
function consume(value: unknown): void {
  sink = (sink + (value === true ? 1 : typeof value === 'number' ? value : value ? 2 : 3)) | 0;
}

/**
 * Times `fn` over `inputs` (cycled), at least `minCalls` calls and `minMs` per repetition, after a
 * warm-up; `repetitions` repetitions.
 */
export function timeSync<I>(
  label: string,
  inputs: readonly I[],
  fn: (input: I) => unknown,
  { minCalls = 1_000_000, minMs = 300, repetitions = 3 } = {},
): Rates {
  // A loop of its own per measurement (compiled from source), so that its call site of `fn` stays
  // monomorphic: a loop shared by every measurement would slow the later ones down.
  const loop = new Function(
    'inputs',
    'fn',
    'consume',
    'calls',
    `const start = performance.now();
     let done = 0;
     while (done < calls) {
       for (let i = 0; i < inputs.length && done < calls; i++, done++) consume(fn(inputs[i]));
     }
     return performance.now() - start; // ${label.replace(/[^\w ]/g, '')}`,
  ) as (
    inputs: readonly I[],
    fn: (input: I) => unknown,
    consume: (value: unknown) => void,
    calls: number,
  ) => number;
  const once = (calls: number): number => loop(inputs, fn, consume, calls);
  // Warm-up, and calibration of the number of calls.
  once(Math.min(minCalls, 200_000));
  let calls = minCalls;
  const probe = once(calls);
  if (probe < minMs) calls = Math.ceil((calls * minMs) / Math.max(probe, 1) / inputs.length) * inputs.length;
  const perSecond: number[] = [];
  for (let r = 0; r < repetitions; r++) perSecond.push((calls / once(calls)) * 1000);
  return { label, perSecond, calls };
}

const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as FunctionConstructor;

/** Like timeSync for an async function, each call awaited in turn. */
export async function timeAsync<I>(
  label: string,
  inputs: readonly I[],
  fn: (input: I) => Promise<unknown>,
  { minCalls = 1_000_000, repetitions = 3 } = {},
): Promise<Rates> {
  const loop = new AsyncFunction(
    'inputs',
    'fn',
    'consume',
    'calls',
    `const start = performance.now();
     let done = 0;
     while (done < calls) {
       for (let i = 0; i < inputs.length && done < calls; i++, done++) consume(await fn(inputs[i]));
     }
     return performance.now() - start; // ${label.replace(/[^\w ]/g, '')}`,
  ) as (
    inputs: readonly I[],
    fn: (input: I) => Promise<unknown>,
    consume: (value: unknown) => void,
    calls: number,
  ) => Promise<number>;
  const once = (calls: number): Promise<number> => loop(inputs, fn, consume, calls);
  await once(Math.min(minCalls, 100_000));
  const perSecond: number[] = [];
  for (let r = 0; r < repetitions; r++) perSecond.push((minCalls / (await once(minCalls))) * 1000);
  return { label, perSecond, calls: minCalls };
}

/** Prints rows of a small aligned table. */
export function table(rows: string[][]): void {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length)));
  for (const row of rows) {
    process.stdout.write(
      `${row
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join('  ')
        .trimEnd()}\n`,
    );
  }
}

export const cores = os.cpus().length;

/** A deterministic pseudo-random generator (mulberry32), so every run uses the same inputs. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
