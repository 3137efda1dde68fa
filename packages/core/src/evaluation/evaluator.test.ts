import { describe, expect, it } from 'vitest';
import {
  defaultVariations,
  type FlagConfiguration,
  initialConfiguration,
  type Rollout,
  type Variation,
} from '../flags/flag.types';
import { bucketOf } from './bucketing';
import type { EvaluationContext } from './evaluation.types';
import { type CompilableFlag, compileFlag, evaluate } from './evaluator';

const booleanFlag: CompilableFlag = {
  key: 'checkout-v2',
  salt: 'c0ffee42',
  variations: defaultVariations('boolean'),
};

function configuration(overrides: Partial<FlagConfiguration> = {}): FlagConfiguration {
  return {
    ...initialConfiguration({ kind: 'boolean', variations: booleanFlag.variations }),
    on: true,
    version: 7,
    ...overrides,
  };
}

function run(config: FlagConfiguration, context: EvaluationContext, flag: CompilableFlag = booleanFlag) {
  return evaluate(compileFlag(flag, config), context);
}

const half: Rollout = {
  weights: [
    { variation: 'true', weight: 50000 },
    { variation: 'false', weight: 50000 },
  ],
};

describe('evaluate: reasons', () => {
  it('DISABLED: an off flag serves its off variation', () => {
    expect(run(configuration({ on: false }), { key: 'u1' })).toEqual({
      value: false,
      variant: 'false',
      reason: 'DISABLED',
      flagMetadata: { version: 7 },
    });
  });

  it('DISABLED: an archived flag serves its off variation even when on', () => {
    const result = run(
      configuration({ targets: [{ variation: 'true', values: ['u1'] }] }),
      { key: 'u1' },
      {
        ...booleanFlag,
        archived: true,
      },
    );
    expect(result).toMatchObject({ value: false, variant: 'false', reason: 'DISABLED' });
  });

  it('DEFAULT: the fallthrough variation', () => {
    expect(run(configuration({ fallthrough: { variation: 'false' } }), { key: 'u1' })).toEqual({
      value: false,
      variant: 'false',
      reason: 'DEFAULT',
      flagMetadata: { version: 7 },
    });
  });

  it('TARGETING_MATCH: individual targets come before rules', () => {
    const config = configuration({
      targets: [{ variation: 'false', values: ['u1', 'u2'] }],
      rules: [
        {
          id: 'all',
          clauses: [{ attribute: 'key', op: 'startsWith', values: ['u'] }],
          serve: { variation: 'true' },
        },
      ],
      fallthrough: { variation: 'true' },
    });
    expect(run(config, { key: 'u2' })).toEqual({
      value: false,
      variant: 'false',
      reason: 'TARGETING_MATCH',
      flagMetadata: { version: 7 },
    });
    expect(run(config, { targetingKey: 'u1' })).toMatchObject({
      variant: 'false',
      reason: 'TARGETING_MATCH',
    });
  });

  it('TARGETING_MATCH: the first matching rule wins and is named in the metadata', () => {
    const config = configuration({
      rules: [
        {
          id: 'staff',
          clauses: [{ attribute: 'email', op: 'endsWith', values: ['@acme.com'] }],
          serve: { variation: 'false' },
        },
        {
          id: 'beta',
          clauses: [
            { attribute: 'groups', op: 'in', values: ['beta'] },
            { attribute: 'country', op: 'in', values: ['FR'], negate: true },
          ],
          serve: { variation: 'true' },
        },
      ],
      fallthrough: { variation: 'false' },
    });
    expect(run(config, { key: 'a', email: 'ann@acme.com', groups: ['beta'] })).toEqual({
      value: false,
      variant: 'false',
      reason: 'TARGETING_MATCH',
      flagMetadata: { version: 7, ruleId: 'staff', ruleIndex: 0 },
    });
    expect(run(config, { key: 'b', groups: ['beta'], country: 'DE' })).toMatchObject({
      variant: 'true',
      reason: 'TARGETING_MATCH',
      flagMetadata: { ruleId: 'beta', ruleIndex: 1 },
    });
    // All clauses must match: a missing attribute fails even the negated clause.
    expect(run(config, { key: 'c', groups: ['beta'] })).toMatchObject({
      variant: 'false',
      reason: 'DEFAULT',
    });
  });

  it('SPLIT: a rule with a rollout', () => {
    const config = configuration({
      rules: [
        { id: 'beta', clauses: [{ attribute: 'beta', op: 'in', values: [true] }], serve: { rollout: half } },
      ],
      fallthrough: { variation: 'false' },
    });
    const result = run(config, { key: 'u1', beta: true });
    expect(result.reason).toBe('SPLIT');
    expect(result.flagMetadata).toEqual({ version: 7, ruleId: 'beta', ruleIndex: 0 });
    expect(result.variant).toBe(bucketOf('checkout-v2', 'c0ffee42', 'u1') < 50000 ? 'true' : 'false');
  });

  it('SPLIT: a fallthrough rollout buckets by key, or by bucketBy', () => {
    const byKey = configuration({ fallthrough: { rollout: half } });
    const byTeam = configuration({ fallthrough: { rollout: { ...half, bucketBy: 'team' } } });
    let seen = new Set<string | undefined>();
    for (let i = 0; i < 50; i++) seen.add(run(byKey, { key: `user-${i}` }).variant);
    expect(seen).toEqual(new Set(['true', 'false']));
    seen = new Set();
    for (let i = 0; i < 50; i++) seen.add(run(byTeam, { key: `user-${i}`, team: 'red' }).variant);
    expect(seen.size).toBe(1);
    const expected = bucketOf('checkout-v2', 'c0ffee42', 'red') < 50000 ? 'true' : 'false';
    expect(run(byTeam, { key: 'x', team: 'red' })).toMatchObject({ reason: 'SPLIT', variant: expected });
    expect(run(byTeam, { key: 'x', team: 42 }).variant).toBe(
      bucketOf('checkout-v2', 'c0ffee42', '42') < 50000 ? 'true' : 'false',
    );
  });

  it('ERROR TARGETING_KEY_MISSING: a rollout without its bucketing attribute', () => {
    const result = run(configuration({ fallthrough: { rollout: half } }), { email: 'x@y.z' });
    expect(result).toMatchObject({
      value: undefined,
      variant: undefined,
      reason: 'ERROR',
      errorCode: 'TARGETING_KEY_MISSING',
    });
    expect(run(configuration({ fallthrough: { rollout: half } }), { key: '' }).errorCode).toBe(
      'TARGETING_KEY_MISSING',
    );
    const byTeam = configuration({ fallthrough: { rollout: { ...half, bucketBy: 'team' } } });
    expect(run(byTeam, { key: 'u1' }).errorCode).toBe('TARGETING_KEY_MISSING');
  });

  it('no key is fine where no key is needed', () => {
    expect(run(configuration({ targets: [{ variation: 'false', values: ['u1'] }] }), {})).toMatchObject({
      reason: 'DEFAULT',
    });
  });

  it('ERROR INVALID_CONTEXT: a non-object context or an unusable bucketing value', () => {
    for (const context of [null, 'u1', 42, ['u1']]) {
      expect(run(configuration(), context as unknown as EvaluationContext)).toMatchObject({
        reason: 'ERROR',
        errorCode: 'INVALID_CONTEXT',
        flagMetadata: { version: 7 },
      });
    }
    for (const key of [1.5, true, { id: 1 }, ['a']]) {
      expect(run(configuration({ fallthrough: { rollout: half } }), { key })).toMatchObject({
        reason: 'ERROR',
        errorCode: 'INVALID_CONTEXT',
      });
    }
  });

  it('ERROR PARSE_ERROR: a structurally broken configuration, never a throw', () => {
    const broken: FlagConfiguration[] = [
      configuration({ fallthrough: { variation: 'maybe' } }),
      configuration({ fallthrough: { rollout: { weights: [{ variation: 'true', weight: 60000 }] } } }),
      configuration({ rules: [{ id: 'r', clauses: [], serve: { variation: 'true' } }] }),
      { ...configuration(), targets: undefined } as unknown as FlagConfiguration,
      null as unknown as FlagConfiguration,
    ];
    for (const config of broken) {
      const compiled = compileFlag(booleanFlag, config);
      expect(compiled.problems.length).toBeGreaterThan(0);
      expect(evaluate(compiled, { key: 'u1' })).toMatchObject({ reason: 'ERROR', errorCode: 'PARSE_ERROR' });
    }
    const weird: Variation[] = [{ id: 'f', value: (() => 1) as unknown as boolean }];
    expect(
      run(
        configuration({ offVariation: 'f', fallthrough: { variation: 'f' } }),
        {},
        { ...booleanFlag, variations: weird },
      ),
    ).toMatchObject({
      errorCode: 'PARSE_ERROR',
    });
  });
});

describe('evaluate: results', () => {
  it('serves json values that nobody can mutate, without touching the flag', () => {
    const variations: Variation[] = [
      { id: 'on', value: { theme: 'dark', sizes: [1, 2] } },
      { id: 'off', value: { theme: 'light', sizes: [] } },
    ];
    const flag: CompilableFlag = { key: 'theme', salt: 's', variations, kind: 'json' };
    const result = run(
      { ...initialConfiguration({ kind: 'json', variations }), on: true },
      { key: 'u' },
      flag,
    );
    expect(result.value).toEqual({ theme: 'dark', sizes: [1, 2] });
    expect(Object.isFrozen(result.value)).toBe(true);
    expect(Object.isFrozen((result.value as { sizes: number[] }).sizes)).toBe(true);
    expect(Object.isFrozen(variations[0]?.value)).toBe(false);
  });

  it('is deterministic and does not depend on attribute order', () => {
    const compiled = compileFlag(booleanFlag, configuration({ fallthrough: { rollout: half } }));
    expect(evaluate(compiled, { key: 'u1', a: 1, b: 2 })).toEqual(
      evaluate(compiled, { b: 2, a: 1, key: 'u1' }),
    );
  });

  it('compiles every kind of clause value once and still evaluates every operator', () => {
    const config = configuration({
      rules: [
        {
          id: 'all',
          clauses: [
            { attribute: 'version', op: 'semVerGreaterThan', values: ['1.0.0'] },
            { attribute: 'signup', op: 'before', values: ['2030-01-01'] },
            { attribute: 'email', op: 'matches', values: ['@acme\\.com$'] },
            { attribute: 'age', op: 'greaterThanOrEqual', values: [18] },
          ],
          serve: { variation: 'false' },
        },
      ],
    });
    const compiled = compileFlag(booleanFlag, config);
    const context = {
      key: 'u',
      version: '1.2.0',
      signup: '2024-03-01T00:00:00Z',
      email: 'a@acme.com',
      age: 30,
    };
    expect(evaluate(compiled, context)).toMatchObject({ variant: 'false', reason: 'TARGETING_MATCH' });
    expect(evaluate(compiled, { ...context, age: 17 })).toMatchObject({ variant: 'true', reason: 'DEFAULT' });
  });

  it('segmentMatch uses the segments given at compile time', () => {
    const config = configuration({
      rules: [
        {
          id: 'staff',
          clauses: [{ attribute: 'segment', op: 'segmentMatch', values: ['staff'] }],
          serve: { variation: 'false' },
        },
      ],
    });
    const segments = {
      staff: {
        included: ['boss'],
        excluded: ['intern@acme.com'],
        rules: [{ clauses: [{ attribute: 'email', op: 'endsWith' as const, values: ['@acme.com'] }] }],
      },
    };
    const compiled = compileFlag(booleanFlag, config, { segments });
    expect(evaluate(compiled, { key: 'boss' }).variant).toBe('false');
    expect(evaluate(compiled, { key: 'ann', email: 'ann@acme.com' }).variant).toBe('false');
    expect(evaluate(compiled, { key: 'intern@acme.com', email: 'intern@acme.com' }).variant).toBe('true');
    expect(evaluate(compileFlag(booleanFlag, config), { key: 'boss' }).variant).toBe('true');
  });
});
