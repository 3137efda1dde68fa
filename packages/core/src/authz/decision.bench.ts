/*
 * Latency of decisions and who-can, run with: npx tsx packages/core/src/authz/decision.bench.ts
 * Prints the median over batches of the mean time per call.
 */
import { rn } from '../rn/rn.resource';
import { BUILTIN_POLICIES } from './builtin-policies';
import { decide } from './decision.engine';
import { createGrantCache } from './grant.compiler';
import type { Policy } from './policy.types';
import { compilePrincipalIndex, type GrantSource, type Principal } from './principal.index';
import { defaultProductionProtection } from './protection.guard';
import { whoCan } from './who-can.query';

const custom: Policy = {
  key: 'ops-freeze',
  name: 'Ops freeze',
  description: '',
  builtIn: false,
  statements: [
    {
      effect: 'deny',
      actions: ['DeleteFlag', 'ArchiveFlag'],
      resources: ['project/*:env/*:flag/*;critical'],
    },
    { effect: 'allow', actions: ['ReadAuditLog', 'CreateProject'], resources: ['org'] },
    { effect: 'allow', actions: ['UpdateFlagOn'], resources: ['project/ops-*:env/dev*:flag/*'] },
    { effect: 'allow', actions: ['ReadVariable'], resources: ['project/*:env/*;non-production:var/*'] },
    { effect: 'deny', actions: ['ReadEnvSecret'], resources: ['project/*:env/*;production'] },
  ],
};

function sourcesFor(i: number): GrantSource[] {
  return [
    { policy: BUILTIN_POLICIES['production-access'], params: { project: 'shop' } },
    {
      policy: BUILTIN_POLICIES['non-production-access'],
      params: { project: `team-${i % 10}` },
      group: 'devs',
    },
    { policy: BUILTIN_POLICIES['project-reader'], params: { project: 'billing' }, group: 'devs' },
    { policy: BUILTIN_POLICIES['project-reader'], params: { project: 'search' } },
    {
      policy: BUILTIN_POLICIES['flag-owner'],
      params: { project: 'search', flag: `f${i % 50}`, envs: ['dev'] },
    },
    { policy: custom, params: {} },
  ];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const cache = createGrantCache();
const index = compilePrincipalIndex(sourcesFor(1), cache);
const principal: Principal = {
  memberId: 'm1',
  email: 'ann@acme.io',
  orgRole: 'member',
  groups: ['devs'],
  index,
};
const prod = { key: 'production', production: true };
const protection = defaultProductionProtection();
const cases = [
  ['UpdateFlagOn', rn.flag('shop', prod, { key: 'checkout', tags: ['critical'] }), protection],
  ['UpdateFlagTargetingRules', rn.flag('team-1', { key: 'dev', production: false }, 'x'), undefined],
  ['DeleteFlag', rn.flag('shop', prod, { key: 'checkout', tags: ['critical'] }), protection],
  ['UpdateFlagOn', rn.flag('billing', prod, 'invoice'), protection],
  ['CanAccessEnv', rn.env('search', prod), undefined],
  ['UpdateEnvSettings', rn.env('shop', prod), undefined],
  ['UpdateFlagOn', rn.flag('search', { key: 'dev', production: false }, 'f1'), undefined],
  ['ManageMembers', rn.org(), undefined],
] as const;
const statements = sourcesFor(1).reduce((n, s) => n + s.policy.statements.length, 0);
console.log(
  `node ${process.version}; principal with ${statements} statements (${index.entryCount} indexed action/pattern entries)`,
);
for (const [action, resource, prot] of cases) {
  const batches: number[] = [];
  let sink = 0;
  for (let b = 0; b < 300; b++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < 2000; i++) if (decide(principal, action, resource, prot).allowed) sink++;
    batches.push(Number(process.hrtime.bigint() - t0) / 2000);
  }
  const d = decide(principal, action, resource, prot);
  console.log(
    `${action} on ${resource.text}: ${d.decision}; p50 ${median(batches.slice(50)).toFixed(0)} ns/decision`,
  );
  if (sink < 0) console.log(sink);
}

const principals: Principal[] = [];
const memberCount = 10_000;
const t0 = performance.now();
for (let i = 0; i < memberCount; i++) {
  const sources = i % 3 === 0 ? sourcesFor(i) : sourcesFor(i).slice(1, 4);
  principals.push({
    memberId: `m${i}`,
    email: `m${i}@acme.io`,
    orgRole: i === 0 ? 'owner' : i < 5 ? 'admin' : 'member',
    groups: ['devs'],
    index: compilePrincipalIndex(sources, cache),
  });
}
const compileMs = performance.now() - t0;
const runs: number[] = [];
let allowed = 0;
for (let r = 0; r < 30; r++) {
  const s = performance.now();
  allowed = whoCan('UpdateFlagOn', rn.flag('shop', prod, 'checkout'), principals, protection).length;
  runs.push(performance.now() - s);
}
console.log(
  `who-can over ${memberCount} members: ${allowed} allowed; p50 ${median(runs).toFixed(2)} ms (max ${Math.max(...runs).toFixed(2)} ms); compiling their indexes took ${compileMs.toFixed(1)} ms`,
);
const runs2: number[] = [];
for (let r = 0; r < 30; r++) {
  const s = performance.now();
  allowed = whoCan(
    'UpdateFlagTargetingRules',
    rn.flag('team-3', { key: 'dev', production: false }, 'x'),
    principals,
  ).length;
  runs2.push(performance.now() - s);
}
console.log(
  `who-can (non-prod flag) over ${memberCount} members: ${allowed} allowed; p50 ${median(runs2).toFixed(2)} ms`,
);

// Worst case for sharing: every member has a distinct set of grants, so no index is shared.
const distinct: Principal[] = [];
const t1 = performance.now();
for (let i = 0; i < memberCount; i++) {
  const sources = [
    ...sourcesFor(i),
    { policy: BUILTIN_POLICIES['flag-user'], params: { project: 'shop', flag: `own-${i}` } },
  ];
  distinct.push({
    memberId: `d${i}`,
    orgRole: 'member',
    groups: ['devs'],
    index: compilePrincipalIndex(sources, cache),
  });
}
const distinctCompileMs = performance.now() - t1;
const runs3: number[] = [];
for (let r = 0; r < 30; r++) {
  const s = performance.now();
  allowed = whoCan('UpdateFlagOn', rn.flag('shop', prod, 'checkout'), distinct, protection).length;
  runs3.push(performance.now() - s);
}
console.log(
  `who-can over ${memberCount} members with distinct indexes: ${allowed} allowed; p50 ${median(runs3).toFixed(2)} ms; compiling them took ${distinctCompileMs.toFixed(1)} ms`,
);
