import { describe, expect, it } from 'vitest';
import { defaultVariations, type FlagDefinition, initialConfiguration } from '../flags/flag.types';
import {
  compileRuleset,
  compileRulesetFlag,
  evaluateAll,
  evaluateRuleset,
  type Ruleset,
  toRulesetFlag,
} from './ruleset';

const checkout: FlagDefinition = {
  key: 'checkout-v2',
  name: 'Checkout v2',
  description: '',
  tags: [],
  kind: 'boolean',
  variations: defaultVariations('boolean'),
  archived: false,
  salt: 'c0ffee42',
};

const banner: FlagDefinition = {
  ...checkout,
  key: 'banner',
  kind: 'string',
  variations: [
    { id: 'blue', value: 'Blue banner' },
    { id: 'red', value: 'Red banner' },
  ],
};

function ruleset(): Ruleset {
  return {
    environment: 'production',
    version: 12,
    flags: {
      'checkout-v2': toRulesetFlag(checkout, { ...initialConfiguration(checkout), on: true, version: 4 }),
      banner: toRulesetFlag(banner, {
        ...initialConfiguration(banner),
        on: true,
        rules: [
          {
            id: 'vip',
            clauses: [{ attribute: 'segment', op: 'segmentMatch', values: ['vip'] }],
            serve: { variation: 'red' },
          },
        ],
        version: 2,
      }),
    },
    segments: { vip: { included: ['ann'] } },
  };
}

describe('rulesets', () => {
  it('carries exactly the API.md ruleset fields for each flag', () => {
    expect(Object.keys(ruleset().flags['checkout-v2'] ?? {}).sort()).toEqual(
      [
        'archived',
        'fallthrough',
        'kind',
        'offVariation',
        'on',
        'rules',
        'salt',
        'targets',
        'variations',
        'version',
      ].sort(),
    );
  });

  it('compiles every flag, with the ruleset segments', () => {
    const compiled = compileRuleset(ruleset());
    expect([...compiled.keys()]).toEqual(['checkout-v2', 'banner']);
    expect(evaluateRuleset(compiled, 'checkout-v2', { key: 'bob' })).toEqual({
      value: true,
      variant: 'true',
      reason: 'DEFAULT',
      flagMetadata: { version: 4 },
    });
    expect(evaluateRuleset(compiled, 'banner', { key: 'ann' })).toMatchObject({
      value: 'Red banner',
      reason: 'TARGETING_MATCH',
      flagMetadata: { version: 2, ruleId: 'vip', ruleIndex: 0 },
    });
    expect(evaluateRuleset(compiled, 'banner', { key: 'bob' })).toMatchObject({
      value: 'Blue banner',
      reason: 'DEFAULT',
    });
  });

  it('answers FLAG_NOT_FOUND for an unknown flag', () => {
    expect(evaluateRuleset(compileRuleset(ruleset()), 'nope', { key: 'bob' })).toMatchObject({
      value: undefined,
      reason: 'ERROR',
      errorCode: 'FLAG_NOT_FOUND',
    });
  });

  it('evaluates all flags, or the requested ones, as POST /sdk/v1/evaluate does', () => {
    const compiled = compileRuleset(ruleset());
    expect(Object.keys(evaluateAll(compiled, { key: 'ann' }))).toEqual(['checkout-v2', 'banner']);
    const some = evaluateAll(compiled, { key: 'ann' }, ['banner', '__proto__']);
    expect(Object.keys(some)).toEqual(['banner', '__proto__']);
    expect(Object.getOwnPropertyDescriptor(some, '__proto__')?.value).toMatchObject({
      errorCode: 'FLAG_NOT_FOUND',
    });
  });

  it('serves the off variation of an archived flag, and survives a broken entry', () => {
    const set = ruleset();
    set.flags['checkout-v2'] = {
      ...(set.flags['checkout-v2'] as NonNullable<Ruleset['flags'][string]>),
      archived: true,
    };
    set.flags.broken = {
      ...(set.flags.banner as NonNullable<Ruleset['flags'][string]>),
      offVariation: 'ghost',
    };
    const compiled = compileRuleset(set);
    expect(evaluateRuleset(compiled, 'checkout-v2', { key: 'ann' })).toMatchObject({
      reason: 'DISABLED',
      value: false,
    });
    expect(evaluateRuleset(compiled, 'broken', { key: 'ann' })).toMatchObject({
      reason: 'ERROR',
      errorCode: 'PARSE_ERROR',
    });
    expect(evaluateRuleset(compiled, 'banner', { key: 'ann' })).toMatchObject({ reason: 'TARGETING_MATCH' });
  });

  it('recompiles one flag for a streamed patch', () => {
    const set = ruleset();
    const compiled = compileRuleset(set);
    const entry = {
      ...(set.flags['checkout-v2'] as NonNullable<Ruleset['flags'][string]>),
      on: false,
      version: 5,
    };
    compiled.set('checkout-v2', compileRulesetFlag('checkout-v2', entry, { segments: set.segments }));
    expect(evaluateRuleset(compiled, 'checkout-v2', { key: 'ann' })).toMatchObject({
      reason: 'DISABLED',
      flagMetadata: { version: 5 },
    });
  });
});
