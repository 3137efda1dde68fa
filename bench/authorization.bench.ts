/*
 * Authorization benchmark (`npm run bench -- authorization`).
 *
 * On a synthetic organization generated from a fixed seed (bench/authorization/org.ts: 1,000
 * policies, 200 groups, 10,000 members, 50 projects × 4 environments × 200 tagged flags):
 * 1. Flagward `decide` latency (p50/p99 of the mean per decision over batches of 100 consecutive
 *    requests, since one call is far below the timer's resolution) and decisions per second over
 *    1,000,000 decisions of a mix of outcomes, 3 repetitions; the same for isAllowed, and for
 *    decide with each resource built from its keys inside the timed loop, as the server does;
 * 2. the same requests answered by @cedar-policy/cedar-wasm and casbin on translated policies, after
 *    checking that they agree with Flagward on 5,000 requests; ratios against Flagward;
 * 3. who-can for one action and resource over the 10,000 members, principals compiled once.
 * Peers come from bench/peers (never product dependencies).
 */
import {
  type DecisionKind,
  decide,
  type EnvProtection,
  isAllowed,
  type Principal,
  type ResourceName,
  rn,
  whoCan,
} from '@flagward/core';
import { createCasbinPeer } from './authorization/casbin';
import { createCedarPeer } from './authorization/cedar';
import { generateOrg, ORG_SIZE, type Org } from './authorization/org';
import type { PeerEngine } from './authorization/peers';
import { type AuthzRequest, buildRequests } from './authorization/requests';
import {
  formatDuration,
  formatRate,
  formatSummary,
  machine,
  quantile,
  type Repetition,
  type Summary,
  summarize,
} from './authorization/stats';

const SEED = 20261124;
const POOL = 20_000;
const DECISIONS = 1_000_000;
const BATCH = 100;
const REPETITIONS = 3;
const AGREEMENT_SAMPLE = 5_000;
const PEER_BUDGET_MS = 5_000;
const TARGET_P50 = 1e-6;
const TARGET_RATIO = 100;
const TARGET_WHO_CAN = 0.05;

const KINDS: readonly DecisionKind[] = [
  'allow',
  'explicit-deny',
  'implicit-deny',
  'protected',
  'missing-access',
];

interface Columns {
  readonly principals: Principal[];
  readonly actions: string[];
  readonly resources: ResourceName[];
  readonly protections: (EnvProtection | undefined)[];
  readonly builds?: (() => ResourceName)[];
}

function columns(org: Org, requests: readonly AuthzRequest[]): Columns {
  return {
    principals: requests.map((r) => org.principals[r.member]!),
    actions: requests.map((r) => r.action),
    resources: requests.map((r) => r.resource),
    protections: requests.map((r) => r.protection),
    builds: requests.map((r) => r.build),
  };
}

/**
 * Times `decide` over the pool as the server calls it: the resource is built from its keys
 * (rn.flag, rn.env …) right before each decision, so that the time includes building it (its
 * text, ancestors and interned keys) and the resource is a new object rather than one of the pool.
 */
function timeWithResources(c: Columns, decisions: number): Repetition {
  const n = c.principals.length;
  const builds = c.builds!;
  const batches = Math.ceil(decisions / BATCH);
  const perDecision = new Float64Array(batches);
  let sink = 0;
  let k = 0;
  const start = process.hrtime.bigint();
  for (let b = 0; b < batches; b++) {
    const t0 = process.hrtime.bigint();
    for (let j = 0; j < BATCH; j++) {
      if (decide(c.principals[k]!, c.actions[k]!, builds[k]!(), c.protections[k]).allowed) sink++;
      k = k + 1 === n ? 0 : k + 1;
    }
    perDecision[b] = Number(process.hrtime.bigint() - t0) / 1e9 / BATCH;
  }
  if (sink < 0) console.log(sink);
  return repetitionOf(perDecision, Number(process.hrtime.bigint() - start) / 1e9);
}

/** A repetition from the mean time per decision of each batch (sorted in place) and its duration. */
function repetitionOf(perDecision: Float64Array, seconds: number): Repetition {
  perDecision.sort();
  return {
    decisions: perDecision.length * BATCH,
    seconds,
    p50: quantile(perDecision, 0.5),
    p99: quantile(perDecision, 0.99),
  };
}

/** Times `decisions` calls of `decide` over the pool (cycled), in batches of `BATCH`. */
function timeFlagward(c: Columns, decisions: number, explain: boolean): Repetition {
  const n = c.principals.length;
  const batches = Math.ceil(decisions / BATCH);
  const perDecision = new Float64Array(batches);
  let sink = 0;
  let k = 0;
  const start = process.hrtime.bigint();
  for (let b = 0; b < batches; b++) {
    const t0 = process.hrtime.bigint();
    if (explain) {
      for (let j = 0; j < BATCH; j++) {
        if (decide(c.principals[k]!, c.actions[k]!, c.resources[k]!, c.protections[k]).allowed) sink++;
        k = k + 1 === n ? 0 : k + 1;
      }
    } else {
      for (let j = 0; j < BATCH; j++) {
        if (isAllowed(c.principals[k]!, c.actions[k]!, c.resources[k]!, c.protections[k])) sink++;
        k = k + 1 === n ? 0 : k + 1;
      }
    }
    perDecision[b] = Number(process.hrtime.bigint() - t0) / 1e9 / BATCH;
  }
  if (sink < 0) console.log(sink);
  return repetitionOf(perDecision, Number(process.hrtime.bigint() - start) / 1e9);
}

interface Figures {
  readonly p50: Summary;
  readonly p99: Summary;
  readonly rate: Summary;
  readonly decisions: number;
}

function figuresOf(reps: readonly Repetition[]): Figures {
  return {
    p50: summarize(reps.map((r) => r.p50)),
    p99: summarize(reps.map((r) => r.p99)),
    rate: summarize(reps.map((r) => r.decisions / r.seconds)),
    decisions: reps.reduce((a, r) => a + r.decisions, 0),
  };
}

function printFigures(label: string, f: Figures): void {
  console.log(`  ${label}`);
  console.log(`    p50        ${formatSummary(f.p50, formatDuration)} per decision`);
  console.log(`    p99        ${formatSummary(f.p99, formatDuration)} per decision`);
  console.log(`    throughput ${formatSummary(f.rate, formatRate)}`);
}

function percent(part: number, whole: number): string {
  return `${((100 * part) / whole).toFixed(0)}%`;
}

function ratio(x: number): string {
  return x >= 100 ? `${x.toFixed(0)}×` : `${x.toFixed(1)}×`;
}

async function checkAgreement(
  peers: readonly PeerEngine[],
  requests: readonly AuthzRequest[],
): Promise<Map<PeerEngine, boolean>> {
  const sample = Array.from({ length: Math.min(AGREEMENT_SAMPLE, requests.length) }, (_, i) => i);
  const byKind = KINDS.map((k) => `${k} ${sample.filter((i) => requests[i]!.expected === k).length}`);
  console.log(`  agreement check on the first ${sample.length} requests of the pool (${byKind.join(', ')}):`);
  // Started together: Cedar answers in its worker thread while casbin answers on this one.
  const started = performance.now();
  const answers = await Promise.all(peers.map((p) => p.decideMany(sample)));
  const seconds = (performance.now() - started) / 1000;
  const result = new Map<PeerEngine, boolean>();
  for (const [k, peer] of peers.entries()) {
    const got = answers[k]!;
    const mismatches = sample.filter((i, j) => got[j] !== (requests[i]!.expected === 'allow'));
    const errors = await peer.errors();
    const ok = mismatches.length === 0 && errors === 0;
    result.set(peer, ok);
    console.log(
      `    ${peer.name}: ${sample.length - mismatches.length}/${sample.length} answers equal to Flagward's${errors > 0 ? `, ${errors} policy evaluation errors` : ''} — ${ok ? 'OK' : 'MISMATCH'}`,
    );
    for (const i of mismatches.slice(0, 5)) {
      const r = requests[i]!;
      console.log(
        `      request ${i}: member #${r.member} ${r.action} on ${r.resource.text}: Flagward ${r.expected}, ${peer.name} ${got[sample.indexOf(i)] ? 'allow' : 'deny'}`,
      );
    }
  }
  console.log(`    (checked in ${seconds.toFixed(1)} s, both peers in parallel)`);
  return result;
}

async function timePeer(peer: PeerEngine, requests: readonly AuthzRequest[]): Promise<Figures> {
  const reps: Repetition[] = [];
  for (let rep = 0; rep < REPETITIONS; rep++) {
    // Each repetition starts elsewhere in the (shuffled) pool.
    const offset = (rep * 2_000) % requests.length;
    const order = Array.from({ length: requests.length }, (_, i) => (i + offset) % requests.length);
    const t = await peer.time(order, { warmup: 30, max: DECISIONS, budgetMs: PEER_BUDGET_MS });
    const sorted = Float64Array.from(t.latencies).sort();
    reps.push({
      decisions: sorted.length,
      seconds: t.seconds,
      p50: quantile(sorted, 0.5),
      p99: quantile(sorted, 0.99),
    });
  }
  return figuresOf(reps);
}

function timeWhoCan(org: Org): { summary: Summary; allowed: number; action: string; resource: ResourceName } {
  const project = org.projects[1]!;
  const env = project.envs.find((e) => e.production)!;
  const flag = project.flags[0]!;
  const resource = rn.flag(project.key, { key: env.key, production: env.production, tags: env.tags }, flag);
  const action = 'UpdateFlagOn';
  let allowed = 0;
  for (let i = 0; i < 3; i++) allowed = whoCan(action, resource, org.principals, env.protection).length;
  const reps: number[] = [];
  for (let rep = 0; rep < REPETITIONS; rep++) {
    const runs = 5;
    const t0 = performance.now();
    for (let i = 0; i < runs; i++) allowed = whoCan(action, resource, org.principals, env.protection).length;
    reps.push((performance.now() - t0) / 1000 / runs);
  }
  return { summary: summarize(reps), allowed, action, resource };
}

/**
 * Runs the authorization section and prints its figures.
 *
 * @example
 * await run();
 */
export async function run(): Promise<void> {
  console.log(`Authorization decisions — ${machine()}`);
  const t0 = performance.now();
  const org = generateOrg(SEED);
  const requests = buildRequests(org, POOL);
  const roles = org.members.filter((m) => m.orgRole !== 'member').length;
  const builtIn = org.policies.filter((p) => p.builtIn).length;
  const count = (kind: DecisionKind): number => requests.filter((r) => r.expected === kind).length;
  console.log(
    `organization (seed ${SEED}): ${org.policies.length} policies (${builtIn} built-in roles, ${org.policies.length - builtIn} custom; ${org.statementCount} statements), ${org.groups.length} groups, ${org.members.length} members (owner and ${roles - 1} admins), ${ORG_SIZE.projects} projects × 4 environments (1 production) × ${ORG_SIZE.flagsPerProject} flags; ${org.grants.size} distinct (policy, parameters) grants; production protection on ${ORG_SIZE.projects} environments, a stricter one on ${org.projects.filter((p) => p.envs.some((e) => !e.production && e.protection !== undefined)).length}`,
  );
  console.log(
    `principals compiled once in ${org.compileMs.toFixed(0)} ms; request pool: ${requests.length} distinct requests (${KINDS.map((k) => `${k} ${percent(count(k), requests.length)}`).join(', ')}), shuffled; set up in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );

  // 1. Flagward.
  console.log('');
  console.log(
    `(1) Flagward decide() with explanation: ${REPETITIONS} × ${DECISIONS.toLocaleString('en-US')} decisions over the pool; p50/p99 of the mean per decision in batches of ${BATCH}`,
  );
  const c = columns(org, requests);
  timeFlagward(c, 300_000, true);
  const flagwardReps: Repetition[] = [];
  for (let rep = 0; rep < REPETITIONS; rep++) flagwardReps.push(timeFlagward(c, DECISIONS, true));
  const flagward = figuresOf(flagwardReps);
  printFigures('Flagward decide()', flagward);
  timeFlagward(c, 300_000, false);
  const boolReps: Repetition[] = [];
  for (let rep = 0; rep < REPETITIONS; rep++) boolReps.push(timeFlagward(c, DECISIONS, false));
  const bool = figuresOf(boolReps);
  console.log(
    `  Flagward isAllowed() (no explanation, as who-can uses): p50 ${formatSummary(bool.p50, formatDuration)}, ${formatSummary(bool.rate, formatRate)}`,
  );
  timeWithResources(c, 300_000);
  const builtReps: Repetition[] = [];
  for (let rep = 0; rep < REPETITIONS; rep++) builtReps.push(timeWithResources(c, DECISIONS));
  const built = figuresOf(builtReps);
  console.log(
    `  Flagward decide() with each resource built from its keys first (rn.flag …, as the server does): p50 ${formatSummary(built.p50, formatDuration)}, p99 ${formatSummary(built.p99, formatDuration)}, ${formatSummary(built.rate, formatRate)}`,
  );
  const kindLine: string[] = [];
  for (const kind of KINDS) {
    const idx = requests.flatMap((r, i) => (r.expected === kind ? [i] : []));
    const sub: Columns = {
      principals: idx.map((i) => c.principals[i]!),
      actions: idx.map((i) => c.actions[i]!),
      resources: idx.map((i) => c.resources[i]!),
      protections: idx.map((i) => c.protections[i]),
    };
    timeFlagward(sub, 50_000, true);
    kindLine.push(`${kind} ${formatDuration(timeFlagward(sub, 200_000, true).p50)}`);
  }
  console.log(`  p50 by outcome (200,000 decisions each): ${kindLine.join(', ')}`);
  // The same mix with fewer distinct requests: how much of the cost is memory (10,000 principals'
  // indexes and 20,000 resources do not fit in the CPU caches).
  const workingSet: string[] = [];
  for (const size of [200, 2_000]) {
    const sub: Columns = {
      principals: c.principals.slice(0, size),
      actions: c.actions.slice(0, size),
      resources: c.resources.slice(0, size),
      protections: c.protections.slice(0, size),
    };
    timeFlagward(sub, 100_000, true);
    workingSet.push(`${size} requests ${formatDuration(timeFlagward(sub, 500_000, true).p50)}`);
  }
  console.log(
    `  p50 when the mix cycles over fewer distinct requests: ${workingSet.join(', ')} (pool: ${formatDuration(flagward.p50.median)})`,
  );
  const hot = requests.find((r) => r.expected === 'allow')!;
  const hotColumns: Columns = {
    principals: [org.principals[hot.member]!],
    actions: [hot.action],
    resources: [hot.resource],
    protections: [hot.protection],
  };
  timeFlagward(hotColumns, 100_000, true);
  console.log(
    `  one allowed request repeated (all in cache): p50 ${formatDuration(timeFlagward(hotColumns, 1_000_000, true).p50)} per decision`,
  );

  // 2. Peers.
  console.log('');
  console.log(
    '(2) Peers on the same requests, policies translated (bench/authorization/cedar.ts, casbin.ts)',
  );
  console.log(
    '  nothing left out: protections are forbid/deny rules with exemptions, the ancestor rule is applied by asking the peer up to 3 times (action, CanAccessProject, CanAccessEnv)',
  );
  const peerStart = performance.now();
  const peers: PeerEngine[] = [await createCedarPeer(org, requests), await createCasbinPeer(org, requests)];
  for (const peer of peers) console.log(`  ${peer.name}: ${peer.version}; ${peer.description}`);
  console.log(`  (peers set up in ${((performance.now() - peerStart) / 1000).toFixed(1)} s)`);
  const agreed = await checkAgreement(peers, requests);
  const peerFigures = new Map<PeerEngine, Figures>();
  for (const peer of peers) {
    if (!agreed.get(peer)) {
      console.log(`  ${peer.name}: not timed, its answers differ from Flagward's`);
      process.exitCode = 1;
      continue;
    }
    const f = await timePeer(peer, requests);
    peerFigures.set(peer, f);
    printFigures(
      `${peer.name}: ${REPETITIONS} repetitions of ≤ ${PEER_BUDGET_MS / 1000} s of single decisions, each timed (${f.decisions} decisions in all)`,
      f,
    );
  }
  for (const peer of peers) await peer.close();
  console.log('  ratios (Flagward decide() vs peer, medians):');
  for (const [peer, f] of peerFigures) {
    console.log(
      `    vs ${peer.name}: p50 ${ratio(f.p50.median / flagward.p50.median)} lower, p99 ${ratio(f.p99.median / flagward.p99.median)} lower, throughput ${ratio(flagward.rate.median / f.rate.median)} higher`,
    );
  }

  // 3. Who-can.
  console.log('');
  const w = timeWhoCan(org);
  console.log(
    `(3) who-can ${w.action} on ${w.resource.text} over ${org.principals.length} members (principals compiled once): ${formatSummary(w.summary, formatDuration)} per query (mean of 5 per repetition); ${w.allowed} members allowed`,
  );

  console.log('');
  const p50ok = flagward.p50.median <= TARGET_P50;
  const ratios = [...peerFigures.values()].map((f) => f.p50.median / flagward.p50.median);
  const ratioOk = ratios.length === peers.length && ratios.every((r) => r >= TARGET_RATIO);
  const whoOk = w.summary.median <= TARGET_WHO_CAN;
  console.log(
    `targets: p50 ≤ 1 µs ${p50ok ? 'met' : 'NOT met'} (${formatDuration(flagward.p50.median)}); ≥ ${TARGET_RATIO}× faster than both peers ${ratioOk ? 'met' : 'NOT met'} (${ratios.map(ratio).join(', ')}); who-can ≤ 50 ms ${whoOk ? 'met' : 'NOT met'} (${formatDuration(w.summary.median)})`,
  );
}
