import { describe, expect, it } from 'vitest';
import {
  allOn,
  evenWeights,
  parsePercent,
  percentToWeight,
  rolloutProblem,
  setWeight,
  totalWeight,
  weightToPercent,
} from './rollout';

describe('weights ↔ percentages', () => {
  it('converts thousandths of a percent', () => {
    expect(weightToPercent(25000)).toBe(25);
    expect(weightToPercent(33333)).toBe(33.333);
    expect(percentToWeight(25)).toBe(25000);
    expect(percentToWeight(12.5)).toBe(12500);
    expect(percentToWeight(33.3334)).toBe(33333);
    for (let w = 0; w <= 100000; w += 777) expect(percentToWeight(weightToPercent(w))).toBe(w);
  });

  it('parses what a person types', () => {
    expect(parsePercent('25')).toBe(25);
    expect(parsePercent(' 12.5 % ')).toBe(12.5);
    expect(parsePercent('100')).toBe(100);
    expect(parsePercent('100.5')).toBeUndefined();
    expect(parsePercent('1.2345')).toBeUndefined();
    expect(parsePercent('-1')).toBeUndefined();
    expect(parsePercent('abc')).toBeUndefined();
  });

  it('explains weights that do not add up', () => {
    expect(rolloutProblem([{ variation: 'a', weight: 100000 }])).toBeUndefined();
    expect(
      rolloutProblem([
        { variation: 'a', weight: 50000 },
        { variation: 'b', weight: 40000 },
      ]),
    ).toBe('the percentages add up to 90%; they must add up to 100%');
    expect(rolloutProblem([{ variation: 'a', weight: -1 }])).toMatch(/between 0% and 100%/);
  });

  it('spreads evenly and starts a ramp at 100% of one variation', () => {
    expect(evenWeights(['a', 'b', 'c']).map((w) => w.weight)).toEqual([33334, 33333, 33333]);
    expect(totalWeight(evenWeights(['a', 'b', 'c', 'd', 'e', 'f', 'g']))).toBe(100000);
    expect(allOn(['true', 'false'], 'false')).toEqual([
      { variation: 'true', weight: 0 },
      { variation: 'false', weight: 100000 },
    ]);
  });

  it('keeps the total at 100% when one share moves', () => {
    const two = [
      { variation: 'true', weight: 25000 },
      { variation: 'false', weight: 75000 },
    ];
    expect(setWeight(two, 0, 50000)).toEqual([
      { variation: 'true', weight: 50000 },
      { variation: 'false', weight: 50000 },
    ]);
    expect(setWeight(two, 1, 90000)).toEqual([
      { variation: 'true', weight: 10000 },
      { variation: 'false', weight: 90000 },
    ]);
    const three = [
      { variation: 'a', weight: 20000 },
      { variation: 'b', weight: 30000 },
      { variation: 'c', weight: 50000 },
    ];
    // Gains are taken from the last other variations first.
    expect(setWeight(three, 0, 80000).map((w) => w.weight)).toEqual([80000, 20000, 0]);
    // Losses go to the first other variation.
    expect(setWeight(three, 2, 10000).map((w) => w.weight)).toEqual([60000, 30000, 10000]);
    // Out-of-range values are clamped.
    expect(setWeight(three, 1, 250000).map((w) => w.weight)).toEqual([0, 100000, 0]);
    for (const [i, w] of [
      [0, 1234],
      [1, 99999],
      [2, 0],
    ] as const) {
      expect(totalWeight(setWeight(three, i, w))).toBe(100000);
    }
  });

  it('gives a single variation everything', () => {
    expect(setWeight([{ variation: 'a', weight: 100000 }], 0, 5000)).toEqual([
      { variation: 'a', weight: 100000 },
    ]);
  });
});
