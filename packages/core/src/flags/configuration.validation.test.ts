import { describe, expect, it } from 'vitest';
import { validateFlagConfiguration, variationReferences } from './configuration.validation';
import {
  type Clause,
  defaultVariations,
  type FlagConfiguration,
  initialConfiguration,
  type Rule,
} from './flag.types';

const variations = defaultVariations('boolean');
const base = initialConfiguration({ kind: 'boolean', variations });

function check(overrides: Partial<FlagConfiguration>, options = {}) {
  return validateFlagConfiguration({ ...base, ...overrides }, { variations }, options);
}

function rule(id: string, clauses: Clause[], serve: Rule['serve'] = { variation: 'true' }): Rule {
  return { id, clauses, serve };
}

function clauseErrors(clause: Clause, options = {}) {
  return check({ rules: [rule('r', [{ attribute: 'a', op: 'in', values: ['x'] }, clause])] }, options);
}

describe('validateFlagConfiguration', () => {
  it('accepts a complete, valid configuration', () => {
    const configuration: FlagConfiguration = {
      on: true,
      offVariation: 'false',
      targets: [
        { variation: 'true', values: ['ann', 'bob'] },
        { variation: 'false', values: ['eve'] },
      ],
      rules: [
        rule('staff', [{ attribute: 'email', op: 'endsWith', values: ['@acme.com'] }]),
        rule('beta', [{ attribute: 'groups', op: 'in', values: ['beta'], negate: true }], {
          rollout: {
            bucketBy: 'team',
            weights: [
              { variation: 'true', weight: 12500 },
              { variation: 'false', weight: 87500 },
            ],
          },
        }),
      ],
      fallthrough: { variation: 'false' },
      version: 9,
    };
    expect(validateFlagConfiguration(configuration, { variations })).toEqual([]);
  });

  it('names unknown variations wherever they are referenced', () => {
    const errors = check({
      offVariation: 'maybe',
      targets: [{ variation: 'nope', values: ['ann'] }],
      rules: [rule('r', [{ attribute: 'a', op: 'in', values: ['x'] }], { variation: 'ghost' })],
      fallthrough: { rollout: { weights: [{ variation: 'phantom', weight: 100000 }] } },
    });
    expect(errors.map((e) => e.path)).toEqual([
      'offVariation',
      'targets[0].variation',
      'rules[0].serve.variation',
      'fallthrough.rollout.weights[0].variation',
    ]);
    expect(errors[0]?.message).toBe('unknown variation "maybe"');
  });

  it('requires integer weights ≥ 0 summing to exactly 100000, each variation once', () => {
    const weights = (list: [string, number][]) => ({
      rollout: { weights: list.map(([variation, weight]) => ({ variation, weight })) },
    });
    expect(
      check({
        fallthrough: weights([
          ['true', 50000],
          ['false', 49999],
        ]),
      }),
    ).toEqual([
      { path: 'fallthrough.rollout.weights', message: 'weights must sum to 100000 (100%), got 99999' },
    ]);
    expect(
      check({
        fallthrough: weights([
          ['true', 100000.5],
          ['false', -0.5],
        ]),
      }).map((e) => e.path),
    ).toEqual(['fallthrough.rollout.weights[0].weight', 'fallthrough.rollout.weights[1].weight']);
    expect(
      check({
        fallthrough: weights([
          ['true', 50000],
          ['true', 50000],
        ]),
      }).map((e) => e.path),
    ).toEqual(['fallthrough.rollout.weights[1].variation']);
    expect(
      check({
        fallthrough: weights([
          ['true', 0],
          ['false', 100000],
        ]),
      }),
    ).toEqual([]);
    expect(check({ fallthrough: weights([]) }).map((e) => e.path)).toEqual(['fallthrough.rollout.weights']);
    expect(
      check({ fallthrough: { rollout: { bucketBy: '', weights: [{ variation: 'true', weight: 100000 }] } } }),
    ).toEqual([{ path: 'fallthrough.rollout.bucketBy', message: 'must be a non-empty attribute name' }]);
  });

  it('requires a serve to be exactly one of {variation} and {rollout}', () => {
    const both = { variation: 'true', rollout: { weights: [] } } as unknown as Rule['serve'];
    expect(check({ fallthrough: both }).map((e) => e.path)).toEqual(['fallthrough']);
    expect(check({ fallthrough: {} as Rule['serve'] }).map((e) => e.path)).toEqual(['fallthrough']);
  });

  it('checks clause values against their operator, with precise paths', () => {
    const cases: [Clause, string][] = [
      [{ attribute: 'age', op: 'lessThan', values: [18, '21'] }, 'must be a number for lessThan'],
      [{ attribute: 'at', op: 'before', values: [0, 'tomorrow'] }, 'ISO-8601'],
      [{ attribute: 'at', op: 'after', values: [0, '2025-01-01T10:00:00'] }, 'ISO-8601'],
      [{ attribute: 'v', op: 'semVerLessThan', values: ['1.0.0', '1.0'] }, 'semantic version'],
      [{ attribute: 'e', op: 'matches', values: ['ok', '(a+)+$'] }, 'nested quantifiers'],
      [{ attribute: 'e', op: 'matches', values: ['ok', '(?<=x)y'] }, 'lookahead and lookbehind'],
      [{ attribute: 'e', op: 'matches', values: ['ok', '(x)\\1'] }, 'backreferences'],
      [{ attribute: 'e', op: 'matches', values: ['ok', 'a'.repeat(257)] }, 'at most 256'],
      [{ attribute: 'e', op: 'startsWith', values: ['ok', 3] }, 'must be a string'],
      [{ attribute: 'e', op: 'in', values: ['ok', null as unknown as string] }, 'string, number or boolean'],
    ];
    for (const [clause, message] of cases) {
      const errors = clauseErrors(clause);
      expect(errors, clause.op).toHaveLength(1);
      expect(errors[0]?.path).toBe('rules[0].clauses[1].values[1]');
      expect(errors[0]?.message).toContain(message);
    }
  });

  it('checks a clause shape: attribute, operator, values, negate', () => {
    expect(clauseErrors({ attribute: '', op: 'in', values: ['x'] }).map((e) => e.path)).toEqual([
      'rules[0].clauses[1].attribute',
    ]);
    expect(clauseErrors({ attribute: 'a', op: 'like' as Clause['op'], values: ['x'] })[0]?.message).toMatch(
      /^unknown operator "like"/,
    );
    expect(clauseErrors({ attribute: 'a', op: 'in', values: [] }).map((e) => e.path)).toEqual([
      'rules[0].clauses[1].values',
    ]);
    expect(
      clauseErrors({ attribute: 'a', op: 'in', values: ['x'], negate: 'yes' as unknown as boolean })[0]?.path,
    ).toBe('rules[0].clauses[1].negate');
    expect(check({ rules: [rule('r', [])] }).map((e) => e.path)).toEqual(['rules[0].clauses']);
  });

  it('accepts segmentMatch only for known segments', () => {
    const clause: Clause = { attribute: 'segment', op: 'segmentMatch', values: ['beta-users'] };
    expect(clauseErrors(clause)).toEqual([
      { path: 'rules[0].clauses[1].values[0]', message: 'unknown segment "beta-users"' },
    ]);
    expect(clauseErrors(clause, { knownSegments: ['beta-users'] })).toEqual([]);
    expect(clauseErrors(clause, { knownSegments: new Set(['other']) })).toHaveLength(1);
    expect(clauseErrors({ ...clause, values: ['a:b'] }, { knownSegments: ['a:b'] })[0]?.message).toContain(
      'must start',
    );
  });

  it('skips operand checks when asked (the evaluator’s mode)', () => {
    const clause: Clause = { attribute: 'e', op: 'matches', values: ['(a+)+$'] };
    expect(clauseErrors(clause, { checkOperands: false })).toEqual([]);
  });

  it('requires unique, valid rule ids', () => {
    const clauses: Clause[] = [{ attribute: 'a', op: 'in', values: ['x'] }];
    expect(check({ rules: [rule('same', clauses), rule('other', clauses), rule('same', clauses)] })).toEqual([
      { path: 'rules[2].id', message: 'duplicate rule id "same" (also rules[0])' },
    ]);
    expect(check({ rules: [rule('bad id', clauses)] }).map((e) => e.path)).toEqual(['rules[0].id']);
  });

  it('lets a context key appear in one target only, and a variation have one target entry', () => {
    expect(
      check({
        targets: [
          { variation: 'true', values: ['ann', 'bob'] },
          { variation: 'false', values: ['eve', 'bob', ''] },
        ],
      }),
    ).toEqual([
      { path: 'targets[1].values[1]', message: 'context key "bob" already appears at targets[0].values[1]' },
      { path: 'targets[1].values[2]', message: 'must be a non-empty context key of at most 1024 characters' },
    ]);
    expect(check({ targets: [{ variation: 'true', values: ['ann', 'ann'] }] }).map((e) => e.path)).toEqual([
      'targets[0].values[1]',
    ]);
    expect(
      check({
        targets: [
          { variation: 'true', values: ['ann'] },
          { variation: 'true', values: ['bob'] },
        ],
      }).map((e) => e.path),
    ).toEqual(['targets[1].variation']);
  });

  it('checks the scalar fields and never throws on malformed input', () => {
    expect(check({ on: 'yes' as unknown as boolean, version: -1 }).map((e) => e.path)).toEqual([
      'on',
      'version',
    ]);
    expect(check({ targets: null as unknown as [], rules: {} as unknown as [] }).map((e) => e.path)).toEqual([
      'targets',
      'rules',
    ]);
    expect(validateFlagConfiguration(null as unknown as FlagConfiguration, { variations })).toEqual([
      { path: '', message: 'must be an object' },
    ]);
    expect(check({ rules: [null, 5] as unknown as Rule[] }).map((e) => e.path)).toEqual([
      'rules[0]',
      'rules[1]',
    ]);
  });
});

describe('variationReferences', () => {
  it('lists every place a variation is used', () => {
    const configuration: FlagConfiguration = {
      ...base,
      targets: [{ variation: 'true', values: ['ann'] }],
      rules: [rule('r', [{ attribute: 'a', op: 'in', values: ['x'] }], { variation: 'false' })],
      fallthrough: {
        rollout: {
          weights: [
            { variation: 'true', weight: 1 },
            { variation: 'false', weight: 99999 },
          ],
        },
      },
    };
    expect(Object.fromEntries(variationReferences(configuration))).toEqual({
      false: ['offVariation', 'rules[0].serve.variation', 'fallthrough.rollout.weights[1].variation'],
      true: ['targets[0].variation', 'fallthrough.rollout.weights[0].variation'],
    });
  });
});
