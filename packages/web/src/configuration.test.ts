import type { FlagConfiguration } from '@flagward/core';
import { describe, expect, it } from 'vitest';
import { changedFields, configurationOf } from './configuration';

const base: FlagConfiguration = {
  on: false,
  offVariation: 'false',
  targets: [],
  rules: [],
  fallthrough: { variation: 'true' },
  version: 3,
};

describe('configuration patch', () => {
  it('sends only what changed, never the version it read', () => {
    expect(changedFields(base, base)).toEqual({});
    expect(changedFields(base, { ...base, on: true, version: 9 })).toEqual({ on: true });
    const fallthrough = { rollout: { weights: [{ variation: 'true', weight: 100000 }] } };
    expect(
      changedFields(base, { ...base, fallthrough, targets: [{ variation: 'true', values: ['a'] }] }),
    ).toEqual({
      targets: [{ variation: 'true', values: ['a'] }],
      fallthrough,
    });
  });

  it('strips the view fields', () => {
    expect(configurationOf({ ...base, flag: 'f', environment: 'dev', updatedAt: 'now' })).toEqual(base);
  });
});
