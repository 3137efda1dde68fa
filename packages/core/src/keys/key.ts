/**
 * The one grammar shared by project, environment, flag, segment, variable, group and policy keys and
 * by tags. It cannot contain a resource-name delimiter (`: ; , / *`).
 */
export const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const KEY_GRAMMAR_DESCRIPTION =
  'must start with a letter or digit and contain only letters, digits, ".", "_" or "-" (at most 64 characters)';

/**
 * Whether a string is a valid key or tag.
 *
 * @example
 * isValidKey('checkout-v2'); // true
 * isValidKey('a:b');         // false
 */
export function isValidKey(value: string): boolean {
  return KEY_PATTERN.test(value);
}

/**
 * Why a key is invalid, or undefined when it is valid.
 *
 * @example
 * keyProblem(''); // 'must not be empty'
 */
export function keyProblem(value: string): string | undefined {
  if (value.length === 0) return 'must not be empty';
  if (value.length > 64) return 'must be at most 64 characters';
  if (!KEY_PATTERN.test(value)) return KEY_GRAMMAR_DESCRIPTION;
  return undefined;
}
