import { describe, expect, it } from 'vitest';
import {
  defaultVariations,
  type FlagConfiguration,
  type FlagDefinition,
  initialConfiguration,
} from './flag.types';
import {
  validateFlagDefinition,
  validateFlagDefinitionUpdate,
  validateVariations,
  variationValueProblem,
} from './flag.validation';

const flag: FlagDefinition = {
  key: 'checkout-v2',
  name: 'Checkout v2',
  description: 'The new checkout',
  tags: ['web', 'payments'],
  kind: 'string',
  variations: [
    { id: 'a', value: 'Alpha', name: 'A' },
    { id: 'b', value: 'Beta' },
    { id: 'c', value: 'Gamma' },
  ],
  archived: false,
  salt: '5f1e',
};

describe('variation values', () => {
  it('fit the kind', () => {
    expect(variationValueProblem('boolean', true)).toBeUndefined();
    expect(variationValueProblem('boolean', 'true')).toBeDefined();
    expect(variationValueProblem('string', '')).toBeUndefined();
    expect(variationValueProblem('string', 1)).toBeDefined();
    expect(variationValueProblem('number', -1.5)).toBeUndefined();
    expect(variationValueProblem('number', Number.POSITIVE_INFINITY)).toBeDefined();
    expect(variationValueProblem('json', { a: [1, null, 'x'] })).toBeUndefined();
    expect(variationValueProblem('json', 'scalar')).toBeUndefined();
    expect(variationValueProblem('json', { a: Number.NaN })).toBeDefined();
    expect(variationValueProblem('json', new Date())).toBeDefined();
    expect(variationValueProblem('json', undefined)).toBeDefined();
  });

  it('have unique key ids, fitting and distinct values', () => {
    expect(
      validateVariations('number', [
        { id: 'one', value: 1 },
        { id: 'one', value: 2 },
        { id: 'x y', value: 3 },
        { id: 'three', value: '3' as unknown as number },
        { id: 'uno', value: 1, name: 7 as unknown as string },
      ]),
    ).toEqual([
      { path: 'variations[1].id', message: 'duplicate variation id "one" (also variations[0])' },
      { path: 'variations[2].id', message: expect.stringContaining('must start') },
      { path: 'variations[3].value', message: 'must be a number for a number flag' },
      { path: 'variations[4].value', message: 'same value as variations[0]' },
      { path: 'variations[4].name', message: 'must be a string of at most 256 characters' },
    ]);
    expect(
      validateVariations('json', [
        { id: 'a', value: { x: 1, y: 2 } },
        { id: 'b', value: { y: 2, x: 1 } },
      ]),
    ).toHaveLength(1);
    expect(validateVariations('boolean', [])).toEqual([
      { path: 'variations', message: 'must be a non-empty array' },
    ]);
  });
});

describe('validateFlagDefinition', () => {
  it('accepts a valid flag', () => {
    expect(validateFlagDefinition(flag)).toEqual([]);
    expect(
      validateFlagDefinition({ ...flag, kind: 'boolean', variations: defaultVariations('boolean') }),
    ).toEqual([]);
  });

  it('names every bad field', () => {
    const bad = {
      ...flag,
      key: 'a:b',
      name: '  ',
      description: 5,
      tags: ['ok', 'o k', 'ok'],
      kind: 'date',
      archived: 'no',
      salt: '',
    } as unknown as FlagDefinition;
    expect(validateFlagDefinition(bad).map((e) => e.path)).toEqual([
      'key',
      'name',
      'description',
      'tags[1]',
      'tags[2]',
      'kind',
      'archived',
      'salt',
    ]);
  });
});

describe('validateFlagDefinitionUpdate', () => {
  const production: FlagConfiguration = {
    ...initialConfiguration(flag),
    rules: [{ id: 'r', clauses: [{ attribute: 'a', op: 'in', values: ['x'] }], serve: { variation: 'b' } }],
  };
  const staging: FlagConfiguration = initialConfiguration(flag);

  it('allows renaming, retagging, changing values and removing unused variations', () => {
    const after = {
      ...flag,
      name: 'New',
      tags: ['web'],
      variations: [
        { id: 'a', value: 'Alpha 2' },
        { id: 'c', value: 'Gamma' },
      ],
    };
    expect(validateFlagDefinitionUpdate(flag, after, { staging })).toEqual([]);
  });

  it('refuses removing a variation still referenced by any environment', () => {
    const after = { ...flag, variations: [{ id: 'a', value: 'Alpha' }] };
    expect(validateFlagDefinitionUpdate(flag, after, { production, staging })).toEqual([
      {
        path: 'variations',
        message: 'variation "b" is still used in environment "production" (rules[0].serve.variation)',
      },
      {
        path: 'variations',
        message: 'variation "c" is still used in environment "production" (offVariation)',
      },
      { path: 'variations', message: 'variation "c" is still used in environment "staging" (offVariation)' },
    ]);
  });

  it('refuses changing key, kind or salt, and an invalid result', () => {
    const after = { ...flag, key: 'other', kind: 'json' as const, salt: 'x', name: '' };
    expect(validateFlagDefinitionUpdate(flag, after, {}).map((e) => e.path)).toEqual([
      'name',
      'key',
      'kind',
      'salt',
    ]);
  });
});
