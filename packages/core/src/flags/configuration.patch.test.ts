import { describe, expect, it } from 'vitest';
import { applyConfigurationPatch, type ConfigurationPatch } from './configuration.patch';
import { defaultVariations, type FlagConfiguration, initialConfiguration } from './flag.types';

const current: FlagConfiguration = {
  ...initialConfiguration({ kind: 'boolean', variations: defaultVariations('boolean') }),
  targets: [{ variation: 'true', values: ['ann'] }],
  version: 4,
};

describe('applyConfigurationPatch', () => {
  it('replaces the top-level fields present and keeps the others', () => {
    const next = applyConfigurationPatch(current, { on: true, targets: [] });
    expect(next).toEqual({ ...current, on: true, targets: [] });
  });

  it('ignores version, comment, undefined and unknown fields', () => {
    const patch = { version: 3, comment: 'why', on: undefined, salt: 'x' } as ConfigurationPatch;
    expect(applyConfigurationPatch(current, patch)).toEqual(current);
  });

  it('replaces arrays wholesale (no deep merge)', () => {
    const rules = [
      {
        id: 'r',
        clauses: [{ attribute: 'a', op: 'in' as const, values: ['x'] }],
        serve: { variation: 'true' },
      },
    ];
    expect(applyConfigurationPatch({ ...current, rules }, { rules: [] }).rules).toEqual([]);
  });

  it('modifies neither argument and shares nothing with the patch', () => {
    const patch: ConfigurationPatch = { fallthrough: { variation: 'false' } };
    const snapshot = structuredClone(current);
    const next = applyConfigurationPatch(current, patch);
    expect(current).toEqual(snapshot);
    expect(next.fallthrough).toEqual(patch.fallthrough);
    expect(next.fallthrough).not.toBe(patch.fallthrough);
  });
});
