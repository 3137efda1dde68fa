import { describe, expect, it } from 'vitest';
import {
  type ConfigurationAction,
  deriveConfigurationActions,
  deriveFlagDetailActions,
  type FlagDetailAction,
} from './configuration.diff';
import type { FlagConfiguration, FlagDefinition, Rollout, Rule, Serve } from './flag.types';

function rollout(truePercent: number, extra: Partial<Rollout> = {}): Serve {
  return {
    rollout: {
      weights: [
        { variation: 'true', weight: truePercent * 1000 },
        { variation: 'false', weight: (100 - truePercent) * 1000 },
      ],
      ...extra,
    },
  };
}

const staff: Rule = {
  id: 'staff',
  description: 'staff',
  clauses: [{ attribute: 'email', op: 'endsWith', values: ['@acme.com'] }],
  serve: { variation: 'true' },
};
const beta: Rule = {
  id: 'beta',
  description: 'beta testers',
  clauses: [{ attribute: 'groups', op: 'in', values: ['beta'] }],
  serve: rollout(25),
};

const before: FlagConfiguration = {
  on: false,
  offVariation: 'false',
  targets: [{ variation: 'true', values: ['ann'] }],
  rules: [staff, beta],
  fallthrough: rollout(10),
  version: 3,
};

const table: [string, Partial<FlagConfiguration>, ConfigurationAction[]][] = [
  ['nothing', {}, []],
  ['only the version', { version: 4 }, []],
  ['a deep copy', structuredClone(before), []],
  ['turning it on', { on: true }, ['UpdateFlagOn']],
  ['fallthrough percentage', { fallthrough: rollout(50) }, ['UpdateFlagRollout']],
  ['rule percentage', { rules: [staff, { ...beta, serve: rollout(50) }] }, ['UpdateFlagRollout']],
  [
    'fallthrough bucketBy key spelled out is no change',
    { fallthrough: rollout(10, { bucketBy: 'key' }) },
    [],
  ],
  [
    'fallthrough bucketBy changed',
    { fallthrough: rollout(10, { bucketBy: 'team' }) },
    ['UpdateFlagDefaultRule'],
  ],
  [
    'fallthrough percentage and bucketBy',
    { fallthrough: rollout(50, { bucketBy: 'team' }) },
    ['UpdateFlagDefaultRule'],
  ],
  [
    'fallthrough rollout variations reordered',
    {
      fallthrough: {
        rollout: {
          weights: [
            { variation: 'false', weight: 90000 },
            { variation: 'true', weight: 10000 },
          ],
        },
      },
    },
    ['UpdateFlagDefaultRule'],
  ],
  [
    'fallthrough rollout gains a variation',
    { fallthrough: { rollout: { weights: [{ variation: 'true', weight: 100000 }] } } },
    ['UpdateFlagDefaultRule'],
  ],
  ['fallthrough rollout → variation', { fallthrough: { variation: 'true' } }, ['UpdateFlagDefaultRule']],
  [
    'rule rollout → variation',
    { rules: [staff, { ...beta, serve: { variation: 'true' } }] },
    ['UpdateFlagTargetingRules'],
  ],
  [
    'rule variation → rollout',
    { rules: [{ ...staff, serve: rollout(100) }, beta] },
    ['UpdateFlagTargetingRules'],
  ],
  ['rule added', { rules: [staff, beta, { ...staff, id: 'more' }] }, ['UpdateFlagTargetingRules']],
  ['rule removed', { rules: [beta] }, ['UpdateFlagTargetingRules']],
  ['rules reordered', { rules: [beta, staff] }, ['UpdateFlagTargetingRules']],
  [
    'clause changed',
    { rules: [{ ...staff, clauses: [{ attribute: 'email', op: 'endsWith', values: ['@acme.org'] }] }, beta] },
    ['UpdateFlagTargetingRules'],
  ],
  [
    'clause negated',
    { rules: [{ ...staff, clauses: [{ ...(staff.clauses[0] as Rule['clauses'][0]), negate: true }] }, beta] },
    ['UpdateFlagTargetingRules'],
  ],
  [
    'description changed',
    { rules: [{ ...staff, description: 'employees' }, beta] },
    ['UpdateFlagTargetingRules'],
  ],
  [
    'targets changed',
    { targets: [{ variation: 'true', values: ['ann', 'bob'] }] },
    ['UpdateFlagIndividualTargeting'],
  ],
  [
    'empty target entry added',
    {
      targets: [
        { variation: 'true', values: ['ann'] },
        { variation: 'false', values: [] },
      ],
    },
    ['UpdateFlagIndividualTargeting'],
  ],
  ['off variation', { offVariation: 'true' }, ['UpdateFlagOffVariation']],
  ['rules + on', { on: true, rules: [staff] }, ['UpdateFlagOn', 'UpdateFlagTargetingRules']],
  [
    'clause and percentage of the same rule: both',
    {
      rules: [
        staff,
        {
          ...beta,
          clauses: [{ attribute: 'groups', op: 'in', values: ['beta', 'alpha'] }],
          serve: rollout(50),
        },
      ],
    },
    ['UpdateFlagRollout', 'UpdateFlagTargetingRules'],
  ],
  [
    'reorder + percentage',
    { rules: [{ ...beta, serve: rollout(30) }, staff] },
    ['UpdateFlagRollout', 'UpdateFlagTargetingRules'],
  ],
  [
    'everything at once',
    {
      on: true,
      offVariation: 'true',
      targets: [],
      rules: [staff, { ...beta, serve: rollout(50) }, { ...staff, id: 'new' }],
      fallthrough: { variation: 'false' },
    },
    [
      'UpdateFlagOn',
      'UpdateFlagRollout',
      'UpdateFlagTargetingRules',
      'UpdateFlagIndividualTargeting',
      'UpdateFlagDefaultRule',
      'UpdateFlagOffVariation',
    ],
  ],
];

describe('deriveConfigurationActions', () => {
  for (const [name, change, expected] of table) {
    it(`${name} → ${expected.join(', ') || 'nothing'}`, () => {
      expect(deriveConfigurationActions(before, { ...before, ...change })).toEqual(expected);
    });
  }

  it('is conservative with invalid (duplicate-id) rules', () => {
    expect(
      deriveConfigurationActions(
        { ...before, rules: [staff, staff] },
        { ...before, rules: [staff, { ...staff, description: 'x' }] },
      ),
    ).toEqual(['UpdateFlagTargetingRules']);
  });
});

describe('deriveFlagDetailActions', () => {
  const flag: FlagDefinition = {
    key: 'checkout-v2',
    name: 'Checkout v2',
    description: '',
    tags: ['web', 'payments'],
    kind: 'boolean',
    variations: [
      { id: 'true', value: true },
      { id: 'false', value: false },
    ],
    archived: false,
    salt: 's',
  };
  const cases: [string, Partial<FlagDefinition>, FlagDetailAction[]][] = [
    ['nothing', {}, []],
    ['tags reordered', { tags: ['payments', 'web'] }, []],
    ['renamed', { name: 'Checkout 2' }, ['UpdateFlagDetails']],
    ['description', { description: 'new' }, ['UpdateFlagDetails']],
    ['tag added', { tags: ['web', 'payments', 'beta'] }, ['UpdateFlagTags']],
    ['tag removed', { tags: ['web'] }, ['UpdateFlagTags']],
    [
      'variation renamed',
      {
        variations: [
          { id: 'true', value: true, name: 'On' },
          { id: 'false', value: false },
        ],
      },
      ['UpdateFlagVariations'],
    ],
    ['archived', { archived: true }, ['ArchiveFlag']],
    [
      'name + tags + variations',
      { name: 'x', tags: [], variations: [{ id: 'true', value: true }] },
      ['UpdateFlagDetails', 'UpdateFlagTags', 'UpdateFlagVariations'],
    ],
  ];
  for (const [name, change, expected] of cases) {
    it(`${name} → ${expected.join(', ') || 'nothing'}`, () => {
      expect(deriveFlagDetailActions(flag, { ...flag, ...change })).toEqual(expected);
    });
  }

  it('restoring an archived flag', () => {
    expect(deriveFlagDetailActions({ ...flag, archived: true }, flag)).toEqual(['RestoreFlag']);
  });
});
