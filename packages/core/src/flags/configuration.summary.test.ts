import { describe, expect, it } from 'vitest';
import {
  configurationChangeSummaries,
  configurationChangeSummary,
  flagDetailChangeSummaries,
  flagDetailChangeSummary,
  formatPercentage,
  type SummarySubject,
} from './configuration.summary';
import {
  defaultVariations,
  type FlagConfiguration,
  type FlagDefinition,
  type Rule,
  type Serve,
} from './flag.types';

function split(weights: [string, number][]): Serve {
  return { rollout: { weights: weights.map(([variation, weight]) => ({ variation, weight })) } };
}

const beta: Rule = {
  id: 'beta',
  description: 'beta testers',
  clauses: [{ attribute: 'groups', op: 'in', values: ['beta'] }],
  serve: { variation: 'true' },
};
const before: FlagConfiguration = {
  on: false,
  offVariation: 'false',
  targets: [],
  rules: [],
  fallthrough: split([
    ['true', 25000],
    ['false', 75000],
  ]),
  version: 1,
};
const production: SummarySubject = { flag: 'checkout-v2', environment: 'production', kind: 'boolean' };
const staging: SummarySubject = { ...production, environment: 'staging' };

function summaries(change: Partial<FlagConfiguration>, subject = production, from = before): string[] {
  return configurationChangeSummaries(from, { ...from, ...change }, subject);
}

describe('formatPercentage', () => {
  it('prints up to 3 decimals, only when needed', () => {
    expect([0, 1000, 25000, 12500, 33333, 100000, 1, 50010].map(formatPercentage)).toEqual([
      '0%',
      '1%',
      '25%',
      '12.5%',
      '33.333%',
      '100%',
      '0.001%',
      '50.01%',
    ]);
  });
});

describe('configuration summaries', () => {
  it('on and off', () => {
    expect(summaries({ on: true })).toEqual(['enabled checkout-v2 in production']);
    expect(summaries({ on: false }, production, { ...before, on: true })).toEqual([
      'disabled checkout-v2 in production',
    ]);
  });

  it('rollout of a boolean flag: the true variation', () => {
    const to = (t: number) =>
      split([
        ['true', t],
        ['false', 100000 - t],
      ]);
    expect(summaries({ fallthrough: to(50000) })).toEqual([
      'rollout changed checkout-v2 25% → 50% in production',
    ]);
    expect(summaries({ fallthrough: to(12500) })).toEqual([
      'rollout changed checkout-v2 25% → 12.5% in production',
    ]);
    const subject = {
      flag: 'checkout-v2',
      environment: 'production',
      variations: defaultVariations('boolean'),
    };
    expect(summaries({ fallthrough: to(100000) }, subject)).toEqual([
      'rollout changed checkout-v2 25% → 100% in production',
    ]);
  });

  it('rollout of another kind: the variation that grows', () => {
    const subject: SummarySubject = { flag: 'banner', environment: 'production', kind: 'string' };
    const from = {
      ...before,
      fallthrough: split([
        ['blue', 50000],
        ['red', 30000],
        ['green', 20000],
      ]),
    };
    expect(
      summaries(
        {
          fallthrough: split([
            ['blue', 40000],
            ['red', 30000],
            ['green', 30000],
          ]),
        },
        subject,
        from,
      ),
    ).toEqual(['rollout changed banner 20% → 30% for "green" in production']);
  });

  it('rollout of a rule names the rule', () => {
    const from = {
      ...before,
      rules: [
        {
          ...beta,
          serve: split([
            ['true', 10000],
            ['false', 90000],
          ]),
        },
      ],
    };
    expect(
      summaries(
        {
          rules: [
            {
              ...beta,
              serve: split([
                ['true', 20000],
                ['false', 80000],
              ]),
            },
          ],
        },
        staging,
        from,
      ),
    ).toEqual(['rollout changed checkout-v2 rule "beta testers" 10% → 20% in staging']);
  });

  it('rules: added, removed, reordered, changed (description, else id)', () => {
    const other: Rule = { ...beta, id: 'staff', description: undefined };
    const withRules = { ...before, rules: [beta, other] };
    expect(summaries({ rules: [beta] }, staging)).toEqual([
      'added rule "beta testers" to checkout-v2 in staging',
    ]);
    expect(summaries({ rules: [other] }, staging, withRules)).toEqual([
      'removed rule "beta testers" from checkout-v2 in staging',
    ]);
    expect(summaries({ rules: [other, beta] }, staging, withRules)).toEqual([
      'reordered rules of checkout-v2 in staging',
    ]);
    expect(
      summaries(
        { rules: [beta, { ...other, clauses: [{ attribute: 'x', op: 'in', values: [1] }] }] },
        staging,
        withRules,
      ),
    ).toEqual(['changed rule "staff" of checkout-v2 in staging']);
    expect(summaries({ rules: [{ ...beta, description: 'say "hi"' }, other] }, staging, withRules)).toEqual([
      'changed rule "say \\"hi\\"" of checkout-v2 in staging',
    ]);
  });

  it('targets, default rule, off variation', () => {
    expect(summaries({ targets: [{ variation: 'true', values: ['ann'] }] })).toEqual([
      'changed individual targets of checkout-v2 in production',
    ]);
    expect(summaries({ fallthrough: { variation: 'true' } })).toEqual([
      'changed default rule of checkout-v2 in production',
    ]);
    expect(summaries({ offVariation: 'true' })).toEqual([
      'changed off variation of checkout-v2 in production',
    ]);
  });

  it('one combined string for a change that does several things', () => {
    const after = {
      ...before,
      on: true,
      fallthrough: split([
        ['true', 50000],
        ['false', 50000],
      ]),
      rules: [beta],
    };
    expect(configurationChangeSummary(before, after, production)).toBe(
      'enabled checkout-v2 in production; rollout changed checkout-v2 25% → 50% in production; added rule "beta testers" to checkout-v2 in production',
    );
    expect(configurationChangeSummary(before, { ...before, version: 2 }, production)).toBe(
      'no change to checkout-v2 in production',
    );
  });
});

describe('flag detail summaries', () => {
  const flag: FlagDefinition = {
    key: 'checkout-v2',
    name: 'Checkout v2',
    description: '',
    tags: ['web', 'old'],
    kind: 'boolean',
    variations: defaultVariations('boolean'),
    archived: false,
    salt: 's',
  };

  it('renamed, description, tags, variations, archive', () => {
    expect(flagDetailChangeSummaries(flag, { ...flag, name: 'Checkout 2' })).toEqual([
      'renamed checkout-v2 from "Checkout v2" to "Checkout 2"',
    ]);
    expect(flagDetailChangeSummaries(flag, { ...flag, description: 'x' })).toEqual([
      'changed description of checkout-v2',
    ]);
    expect(flagDetailChangeSummaries(flag, { ...flag, tags: ['web', 'beta'] })).toEqual([
      'changed tags of checkout-v2: +beta −old',
    ]);
    expect(flagDetailChangeSummaries(flag, { ...flag, variations: [...flag.variations].reverse() })).toEqual([
      'changed variations of checkout-v2',
    ]);
    expect(flagDetailChangeSummaries(flag, { ...flag, archived: true })).toEqual(['archived checkout-v2']);
  });

  it('one combined string', () => {
    expect(flagDetailChangeSummary(flag, { ...flag, name: 'N', tags: [] })).toBe(
      'renamed checkout-v2 from "Checkout v2" to "N"; changed tags of checkout-v2: −web −old',
    );
    expect(flagDetailChangeSummary(flag, flag)).toBe('no change to checkout-v2');
  });
});
