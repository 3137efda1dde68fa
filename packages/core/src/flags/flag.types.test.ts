import { describe, expect, it } from 'vitest';
import { FlagwardError } from '../errors/flagward-error';
import { validateFlagConfiguration } from './configuration.validation';
import { defaultVariations, flagKinds, initialConfiguration, isRolloutServe } from './flag.types';
import { validateVariations } from './flag.validation';

describe('new flags', () => {
  it('a new boolean flag is exactly as API.md says', () => {
    const variations = defaultVariations('boolean');
    expect(variations).toEqual([
      { id: 'true', value: true },
      { id: 'false', value: false },
    ]);
    expect(initialConfiguration({ kind: 'boolean', variations })).toEqual({
      on: false,
      offVariation: 'false',
      targets: [],
      rules: [],
      fallthrough: { variation: 'true' },
      version: 1,
    });
  });

  it('every kind gets valid default variations and an off, valid configuration', () => {
    for (const kind of flagKinds) {
      const variations = defaultVariations(kind);
      expect(validateVariations(kind, variations), kind).toEqual([]);
      const configuration = initialConfiguration({ kind, variations });
      expect(configuration.on).toBe(false);
      expect(validateFlagConfiguration(configuration, { variations }), kind).toEqual([]);
      expect(configuration.fallthrough).toEqual({ variation: variations[0]?.id });
      expect(configuration.offVariation).toBe(variations[variations.length - 1]?.id);
    }
  });

  it('boolean flags pick their true and false variations wherever they are', () => {
    const variations = [
      { id: 'no', value: false },
      { id: 'yes', value: true },
    ];
    expect(initialConfiguration({ kind: 'boolean', variations })).toMatchObject({
      offVariation: 'no',
      fallthrough: { variation: 'yes' },
    });
  });

  it('a flag without variations has no initial configuration', () => {
    expect(() => initialConfiguration({ kind: 'string', variations: [] })).toThrow(FlagwardError);
  });

  it('tells rollouts from fixed variations', () => {
    expect(isRolloutServe({ variation: 'true' })).toBe(false);
    expect(isRolloutServe({ rollout: { weights: [{ variation: 'true', weight: 100000 }] } })).toBe(true);
  });
});
