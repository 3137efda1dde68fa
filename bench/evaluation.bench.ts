// Local flag evaluations per second: Flagward (SDK client and core evaluator) side by side with
// unleash-client and @launchdarkly/node-server-sdk on equivalent flags, over 10,000 varied contexts.
import { compileRuleset, evaluate, type RulesetFlag } from '@flagward/core';
import { createClient, type FlagwardRuleset } from '@flagward/sdk';
import {
  describeRates,
  importPeer,
  median,
  peerVersion,
  type Rates,
  random,
  rate,
  table,
  timeAsync,
  timeSync,
} from './support';

const CONTEXTS = 10_000;
const COUNTRIES = ['FR', 'DE', 'US', 'GB', 'JP', 'BR', 'IN', 'ES'];
const PLANS = ['free', 'pro', 'enterprise'];

interface Subject {
  key: string;
  email: string;
  country: string;
  plan: string;
  age: number;
  version: string;
}

function subjects(): Subject[] {
  const next = random(20261124);
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(next() * 16).toString(16)).join('');
  return Array.from({ length: CONTEXTS }, (_, i) => {
    const name = next() < 0.1 ? `admin.${hex(4)}` : `user.${hex(6)}`;
    const domain = next() < 0.2 ? 'acme.com' : next() < 0.5 ? 'example.org' : 'mail.test';
    return {
      key: `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`,
      email: `${name}${i}@${domain}`,
      country: COUNTRIES[Math.floor(next() * COUNTRIES.length)]!,
      plan: PLANS[Math.floor(next() * PLANS.length)]!,
      age: 16 + Math.floor(next() * 70),
      version: `${Math.floor(next() * 4)}.${Math.floor(next() * 12)}.${Math.floor(next() * 20)}`,
    };
  });
}

// The five rules of case (c): two clauses each, every one serving `true`, then a 50% rollout.
type Op = 'endsWith' | 'startsWith' | 'in' | 'notIn' | 'lessThan' | 'greaterThan' | 'semVerLessThan';
const RULES: Array<Array<{ attribute: keyof Subject; op: Op; values: Array<string | number> }>> = [
  [
    { attribute: 'email', op: 'endsWith', values: ['@acme.com'] },
    { attribute: 'plan', op: 'in', values: ['enterprise'] },
  ],
  [
    { attribute: 'country', op: 'in', values: ['FR', 'DE'] },
    { attribute: 'age', op: 'lessThan', values: [25] },
  ],
  [
    { attribute: 'version', op: 'semVerLessThan', values: ['1.0.0'] },
    { attribute: 'plan', op: 'in', values: ['pro'] },
  ],
  [
    { attribute: 'email', op: 'startsWith', values: ['admin'] },
    { attribute: 'country', op: 'notIn', values: ['US'] },
  ],
  [
    { attribute: 'age', op: 'greaterThan', values: [70] },
    { attribute: 'plan', op: 'notIn', values: ['free'] },
  ],
];

const HALF = [
  { variation: 'true', weight: 50_000 },
  { variation: 'false', weight: 50_000 },
];

function flagwardRuleset(): FlagwardRuleset {
  const base = {
    kind: 'boolean' as const,
    variations: [
      { id: 'true', value: true },
      { id: 'false', value: false },
    ],
    on: true,
    offVariation: 'false',
    targets: [],
    rules: [],
    version: 1,
    archived: false,
  };
  const flags: Record<string, RulesetFlag> = {
    simple: { ...base, salt: 's1', fallthrough: { variation: 'true' } },
    rollout: { ...base, salt: 's2', fallthrough: { rollout: { weights: HALF } } },
    rules: {
      ...base,
      salt: 's3',
      rules: RULES.map((clauses, i) => ({ id: `rule-${i}`, clauses, serve: { variation: 'true' } })),
      fallthrough: { rollout: { weights: HALF } },
    },
  };
  return { environment: 'bench', version: 1, flags };
}

const UNLEASH_OPERATORS: Record<Op, string> = {
  endsWith: 'STR_ENDS_WITH',
  startsWith: 'STR_STARTS_WITH',
  in: 'IN',
  notIn: 'NOT_IN',
  lessThan: 'NUM_LT',
  greaterThan: 'NUM_GT',
  semVerLessThan: 'SEMVER_LT',
};

function unleashFeatures() {
  const feature = (name: string, strategies: unknown[]) => ({
    name,
    enabled: true,
    type: 'release',
    project: 'default',
    stale: false,
    impressionData: false,
    variants: [],
    strategies,
  });
  const rollout = (groupId: string) => ({
    name: 'flexibleRollout',
    parameters: { rollout: '50', stickiness: 'userId', groupId },
    constraints: [],
  });
  return [
    feature('simple', [{ name: 'default', parameters: {}, constraints: [] }]),
    feature('rollout', [rollout('rollout')]),
    feature('rules', [
      ...RULES.map((clauses) => ({
        name: 'default',
        parameters: {},
        constraints: clauses.map((c) => {
          const operator = UNLEASH_OPERATORS[c.op];
          const single = ['NUM_LT', 'NUM_GT', 'SEMVER_LT'].includes(operator);
          return {
            contextName: c.attribute,
            operator,
            inverted: false,
            caseInsensitive: false,
            ...(single ? { value: String(c.values[0]) } : { values: c.values.map(String) }),
          };
        }),
      })),
      rollout('rules'),
    ]),
  ];
}

function launchDarklyFlags() {
  const base = {
    version: 1,
    on: true,
    variations: [true, false],
    offVariation: 1,
    targets: [],
    contextTargets: [],
    rules: [] as unknown[],
    prerequisites: [],
    trackEvents: false,
    trackEventsFallthrough: false,
    debugEventsUntilDate: null,
    clientSideAvailability: { usingMobileKey: false, usingEnvironmentId: false },
  };
  const rollout = {
    rollout: {
      variations: [
        { variation: 0, weight: 50_000 },
        { variation: 1, weight: 50_000 },
      ],
    },
  };
  return [
    { ...base, key: 'simple', salt: 's1', fallthrough: { variation: 0 } },
    { ...base, key: 'rollout', salt: 's2', fallthrough: rollout },
    {
      ...base,
      key: 'rules',
      salt: 's3',
      rules: RULES.map((clauses, i) => ({
        id: `rule-${i}`,
        clauses: clauses.map((c) => ({
          contextKind: 'user',
          attribute: c.attribute,
          op: c.op === 'notIn' ? 'in' : c.op,
          values: c.values,
          negate: c.op === 'notIn',
        })),
        variation: 0,
        trackEvents: false,
      })),
      fallthrough: rollout,
    },
  ];
}

interface Case {
  flag: 'simple' | 'rollout' | 'rules';
  title: string;
}

const CASES: Case[] = [
  { flag: 'simple', title: '(a) simple on flag' },
  { flag: 'rollout', title: '(b) 50% rollout' },
  { flag: 'rules', title: '(c) 5 rules × 2 clauses + 50% rollout' },
];

function share(values: boolean[]): number {
  return values.filter(Boolean).length / values.length;
}

export async function run(): Promise<void> {
  const people = subjects();
  const flagwardContexts = people.map((p) => ({ ...p }));
  const unleashContexts = people.map((p) => ({
    userId: p.key,
    properties: { email: p.email, country: p.country, plan: p.plan, age: String(p.age), version: p.version },
  }));
  const ldContexts = people.map((p) => ({ kind: 'user', ...p }));

  // Flagward: the SDK client (offline, from a ruleset) and the core evaluator directly.
  const ruleset = flagwardRuleset();
  const client = createClient({ offline: true, bootstrap: ruleset });
  const compiled = compileRuleset(ruleset);

  // unleash-client, offline from a bootstrap.
  const unleashModule = await importPeer('unleash-client');
  const unleash = new unleashModule.Unleash({
    appName: 'flagward-bench',
    url: 'http://127.0.0.1:9/api/',
    refreshInterval: 0,
    disableMetrics: true,
    bootstrap: { data: unleashFeatures() },
    storageProvider: new unleashModule.InMemStorageProvider(),
  });
  unleash.on('error', () => undefined);
  unleash.on('warn', () => undefined);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('unleash-client did not become ready')), 10_000);
    unleash.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });

  // @launchdarkly/node-server-sdk with TestData (raw flag JSON), no events.
  const ld = await importPeer('@launchdarkly/node-server-sdk');
  const td = new ld.integrations.TestData();
  for (const flag of launchDarklyFlags()) await td.usePreconfiguredFlag(flag);
  const ldClient = ld.init('sdk-bench', {
    updateProcessor: td.getFactory(),
    sendEvents: false,
    diagnosticOptOut: true,
    logger: ld.basicLogger({ level: 'none' }),
  });
  await ldClient.waitForInitialization({ timeout: 10 });

  process.stdout.write(
    `${CONTEXTS.toLocaleString('en')} contexts; Flagward SDK client = client.boolean(key, context, false); unleash-client ${peerVersion('unleash-client')} = isEnabled(name, context); @launchdarkly/node-server-sdk ${peerVersion('@launchdarkly/node-server-sdk')} = await variation(key, context, false)\n`,
  );

  // Same answers first, where the products' semantics are comparable.
  for (const c of CASES) {
    const fw = flagwardContexts.map((ctx) => client.boolean(c.flag, ctx, false));
    const core = flagwardContexts.map((ctx) => evaluate(compiled.get(c.flag)!, ctx).value === true);
    const un = unleashContexts.map((ctx) => unleash.isEnabled(c.flag, ctx) as boolean);
    const la: boolean[] = [];
    for (const ctx of ldContexts) la.push((await ldClient.variation(c.flag, ctx, false)) as boolean);
    if (fw.some((v, i) => v !== core[i]))
      throw new Error(`${c.flag}: the SDK client and the core evaluator disagree`);
    const matched = flagwardContexts.map(
      (ctx) => evaluate(compiled.get(c.flag)!, ctx).reason === 'TARGETING_MATCH' || c.flag === 'simple',
    );
    let disagreements = 0;
    for (let i = 0; i < CONTEXTS; i++) {
      if (matched[i] && (fw[i] !== true || un[i] !== true || la[i] !== true)) disagreements++;
    }
    if (disagreements > 0) throw new Error(`${c.flag}: ${disagreements} deterministic answers disagree`);
    const rolled = (values: boolean[]) => share(values.filter((_, i) => !matched[i]));
    const matchedCount = matched.filter(Boolean).length;
    const shares =
      matchedCount === CONTEXTS
        ? 'all served true by all three'
        : `${matchedCount} decided by rules (identical in all three); rollout share of the rest: Flagward ${(rolled(fw) * 100).toFixed(1)}%, Unleash ${(rolled(un) * 100).toFixed(1)}%, LaunchDarkly ${(rolled(la) * 100).toFixed(1)}%`;
    for (const value of matchedCount === CONTEXTS ? [] : [rolled(fw), rolled(un), rolled(la)]) {
      if (Math.abs(value - 0.5) > 0.03) throw new Error(`${c.flag}: rollout share ${value} is not about 50%`);
    }
    process.stdout.write(`check ${c.title}: ${shares}\n`);
  }
  process.stdout.write('\n');

  const summary: string[][] = [
    ['case', 'Flagward SDK', 'unleash-client', 'LaunchDarkly', '× faster peer', 'target'],
  ];
  const internals: string[][] = [
    ['case', 'core evaluate()', 'SDK boolean()', 'SDK evaluate() details', 'SDK/core'],
  ];
  for (const c of CASES) {
    const key = c.flag;
    const flag = compiled.get(key)!;
    const sdk = timeSync(`${key} flagward sdk`, flagwardContexts, (ctx) => client.boolean(key, ctx, false));
    const core = timeSync(`${key} flagward core`, flagwardContexts, (ctx) => evaluate(flag, ctx).value);
    const details = timeSync(
      `${key} flagward details`,
      flagwardContexts,
      (ctx) => client.evaluate(key, ctx, false).value,
    );
    const un = timeSync(`${key} unleash`, unleashContexts, (ctx) => unleash.isEnabled(key, ctx));
    const la: Rates = await timeAsync(`${key} launchdarkly`, ldContexts, (ctx) =>
      ldClient.variation(key, ctx, false),
    );
    const faster = Math.max(median(un.perSecond), median(la.perSecond));
    const ratio = median(sdk.perSecond) / faster;
    const target = ratio >= 5 && (c.flag !== 'simple' || median(sdk.perSecond) >= 5e6) ? 'met' : 'NOT met';
    process.stdout.write(`${c.title}\n`);
    table([
      ['  Flagward SDK client', describeRates(sdk)],
      ['  Flagward core evaluator', describeRates(core)],
      ['  Flagward SDK evaluate() details', describeRates(details)],
      ['  unleash-client', describeRates(un)],
      ['  LaunchDarkly', describeRates(la)],
    ]);
    process.stdout.write(
      `  Flagward SDK is ${ratio.toFixed(1)}× the faster peer (target ≥5×${c.flag === 'simple' ? ' and ≥5M/s' : ''}: ${target})\n\n`,
    );
    summary.push([
      c.title,
      rate(median(sdk.perSecond)),
      rate(median(un.perSecond)),
      rate(median(la.perSecond)),
      `${ratio.toFixed(1)}×`,
      target,
    ]);
    internals.push([
      c.title,
      rate(median(core.perSecond)),
      rate(median(sdk.perSecond)),
      rate(median(details.perSecond)),
      `${((median(sdk.perSecond) / median(core.perSecond)) * 100).toFixed(0)}%`,
    ]);
  }
  process.stdout.write('Summary (medians)\n');
  table(summary);
  process.stdout.write('\nFlagward through the SDK client vs the core evaluator directly (medians)\n');
  table(internals);
  client.close();
  ldClient.close();
  unleash.destroy();
}
