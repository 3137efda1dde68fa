/*
 * Loads the peer libraries from bench/peers/node_modules (never a dependency of the product). When
 * they are missing, installs bench/peers once with npm.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PEERS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'peers');
const peerRequire = createRequire(path.join(PEERS_DIR, 'package.json'));

let installed = false;

/**
 * Makes sure a peer resolves from bench/peers, installing the peers once if it does not.
 *
 * @example
 * ensurePeer('casbin');
 */
export function ensurePeer(name: string): void {
  try {
    peerRequire.resolve(name);
    return;
  } catch {
    if (installed) throw new Error(`${name} is not installed in ${PEERS_DIR}`);
  }
  installed = true;
  console.log(`  installing benchmark peers in ${path.relative(process.cwd(), PEERS_DIR)} …`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['install', '--prefix', PEERS_DIR, '--no-audit', '--no-fund'], {
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error(`npm install --prefix ${PEERS_DIR} failed`);
  peerRequire.resolve(name);
}

/**
 * Requires a module from bench/peers/node_modules, installing the peers first if needed.
 *
 * @example
 * const casbin = loadPeer<CasbinModule>('casbin');
 */
export function loadPeer<T>(specifier: string): T {
  ensurePeer(specifier);
  return peerRequire(specifier) as T;
}

/**
 * The installed version of a peer package.
 *
 * @example
 * peerVersion('casbin'); // '5.51.1'
 */
export function peerVersion(pkg: string): string {
  const file = path.join(PEERS_DIR, 'node_modules', pkg, 'package.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as { version?: string };
  return manifest.version ?? 'unknown';
}

/** The folder holding the peers' package.json and node_modules. */
export const PEERS_FOLDER = PEERS_DIR;

/**
 * Per-decision latencies of a peer over part of the request pool.
 *
 * @example
 * const t: PeerTiming = { latencies: new Float64Array([1e-3]), seconds: 0.001 };
 */
export interface PeerTiming {
  /** Seconds per decision, in the order they were made. */
  readonly latencies: Float64Array;
  /** Wall time of the timed loop, in seconds. */
  readonly seconds: number;
}

/**
 * What the benchmark needs from a peer engine bound to the request pool.
 *
 * @example
 * const answers = await engine.decideMany([0, 1, 2]);
 */
export interface PeerEngine {
  readonly name: string;
  readonly version: string;
  /** What the translation produced (policies, rules, sets). */
  readonly description: string;
  /** The peer's answers (allowed or not) to requests of the pool, by index. */
  decideMany(indices: readonly number[]): Promise<boolean[]>;
  /**
   * Times decisions one by one over `order` (request indices, cycled), after `warmup` untimed ones,
   * until `max` decisions or `budgetMs` milliseconds.
   */
  time(order: readonly number[], options: TimingOptions): Promise<PeerTiming>;
  /** Evaluation errors the peer reported (a translation bug when not 0). */
  errors(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Bounds of one timed repetition of a peer.
 *
 * @example
 * const o: TimingOptions = { warmup: 50, max: 100_000, budgetMs: 5_000 };
 */
export interface TimingOptions {
  readonly warmup: number;
  readonly max: number;
  readonly budgetMs: number;
}

/**
 * The timing loop shared by in-process peers (the Cedar worker has the same loop).
 *
 * @example
 * timeCalls((i) => engine.decide(i), [0, 1, 2], { warmup: 10, max: 1000, budgetMs: 1000 });
 */
export function timeCalls(
  decide: (i: number) => boolean,
  order: readonly number[],
  options: TimingOptions,
): PeerTiming {
  let sink = 0;
  for (let i = 0; i < options.warmup; i++) if (decide(order[i % order.length]!)) sink++;
  const latencies = new Float64Array(options.max);
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(options.budgetMs * 1e6));
  let n = 0;
  while (n < options.max) {
    const t0 = process.hrtime.bigint();
    if (decide(order[n % order.length]!)) sink++;
    const t1 = process.hrtime.bigint();
    latencies[n++] = Number(t1 - t0) / 1e9;
    if (t1 > deadline) break;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (sink < 0) console.log(sink);
  return { latencies: latencies.slice(0, n), seconds };
}
