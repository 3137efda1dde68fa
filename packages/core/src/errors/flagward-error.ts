/**
 * The closed set of error codes Flagward uses everywhere. Core errors carry a code, never an HTTP
 * status; the server maps codes to statuses in one place.
 */
export const errorCodes = [
  'validation-failed',
  'unauthenticated',
  'forbidden',
  'not-found',
  'conflict',
  'version-conflict',
  'setup-already-done',
  'payload-too-large',
  'rate-limited',
  'unsupported-media-type',
  'unavailable',
  'internal',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

/** One offending field of a request: a dotted/bracketed path and what is wrong with it. */
export interface FieldError {
  path: string;
  message: string;
}

/**
 * The single base error of Flagward.
 *
 * @example
 * throw new FlagwardError('not-found', 'no flag "checkout-v2" in project "shop"');
 * throw FlagwardError.validation([{ path: 'key', message: 'must match [A-Za-z0-9][A-Za-z0-9._-]{0,63}' }]);
 */
export class FlagwardError extends Error {
  readonly code: ErrorCode;
  readonly errors: FieldError[] | undefined;
  /** Structured details a client can act on (e.g. the missing actions of a 403). */
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { errors?: FieldError[]; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FlagwardError';
    this.code = code;
    this.errors = options.errors;
    this.details = options.details;
  }

  /**
   * A validation failure naming every offending field.
   *
   * @example
   * FlagwardError.validation([{ path: 'owner.email', message: 'not a valid email address' }]);
   */
  static validation(errors: FieldError[], message?: string): FlagwardError {
    const summary = message ?? errors.map((e) => `${e.path || '(body)'}: ${e.message}`).join('; ');
    return new FlagwardError('validation-failed', summary, { errors });
  }
}

/**
 * True for errors of Flagward's own hierarchy.
 *
 * @example
 * if (isFlagwardError(err) && err.code === 'not-found') return null;
 */
export function isFlagwardError(value: unknown): value is FlagwardError {
  return value instanceof FlagwardError;
}
