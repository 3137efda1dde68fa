import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidKey, keyProblem } from './key';

describe('key grammar', () => {
  it('accepts ordinary keys and tags', () => {
    for (const key of ['checkout-v2', 'production', 'A', '9lives', 'team.web_ui', 'x'.repeat(64)]) {
      expect(isValidKey(key), key).toBe(true);
    }
  });

  it('rejects every resource-name delimiter, leading punctuation and overlong keys', () => {
    for (const key of ['', 'a:b', 'a;b', 'a,b', 'a/b', 'a*', '-a', '.a', 'a b', 'x'.repeat(65), 'é']) {
      expect(isValidKey(key), key).toBe(false);
      expect(keyProblem(key)).toBeTypeOf('string');
    }
  });

  it('never accepts a string containing an RN delimiter', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom(':', ';', ',', '/', '*'), fc.string(), (a, d, b) => {
        expect(isValidKey(`${a}${d}${b}`)).toBe(false);
      }),
    );
  });
});
