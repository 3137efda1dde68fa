import { type ErrorCode, type FieldError, FlagwardError, isFlagwardError } from '@flagward/core';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';

const statusByCode: Record<ErrorCode, number> = {
  'validation-failed': 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'version-conflict': 409,
  'setup-already-done': 409,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  'rate-limited': 429,
  unavailable: 503,
  internal: 500,
};

const titleByCode: Record<ErrorCode, string> = {
  'validation-failed': 'The request is invalid',
  unauthenticated: 'Authentication required',
  forbidden: 'Not allowed',
  'not-found': 'Not found',
  conflict: 'Conflict',
  'version-conflict': 'The resource changed since it was read',
  'setup-already-done': 'Setup has already been done',
  'payload-too-large': 'The request body is too large',
  'unsupported-media-type': 'Unsupported media type',
  'rate-limited': 'Too many requests',
  unavailable: 'Temporarily unavailable',
  internal: 'Internal error',
};

/** The RFC 9457 problem document returned for every error. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

/** Maps a Flagward error to its HTTP status. */
export function statusOf(code: ErrorCode): number {
  return statusByCode[code];
}

/** Converts a JSON pointer such as `/owner/email` or `/environments/0/key` to `owner.email` / `environments[0].key`. */
function pointerToPath(pointer: string, context: string | undefined): string {
  const parts = pointer.split('/').filter((p) => p !== '');
  let out = '';
  for (const part of parts) {
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  if (context && context !== 'body') return out === '' ? context : `${context}.${out}`;
  return out;
}

/** Turns any thrown value into a FlagwardError, keeping 5xx for what really is a bug. */
export function toFlagwardError(error: unknown): FlagwardError {
  if (isFlagwardError(error)) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const context = (error as FastifyError & { validationContext?: string }).validationContext;
    const errors = error.validation.map((issue) => ({
      path: pointerToPath(issue.instancePath, context),
      message: issue.message ?? 'is invalid',
    }));
    return FlagwardError.validation(errors);
  }
  const fastifyError = error as Partial<FastifyError>;
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new FlagwardError('payload-too-large', 'the request body exceeds the size limit');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new FlagwardError('unsupported-media-type', 'send the body as application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return FlagwardError.validation([{ path: '', message: 'the body must be a JSON document' }]);
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return FlagwardError.validation([{ path: '', message: 'malformed JSON' }]);
  }
  if (error instanceof SyntaxError && fastifyError.statusCode === 400) {
    return FlagwardError.validation([{ path: '', message: `malformed JSON: ${error.message}` }]);
  }
  if (
    typeof fastifyError.statusCode === 'number' &&
    fastifyError.statusCode >= 400 &&
    fastifyError.statusCode < 500
  ) {
    return FlagwardError.validation([{ path: '', message: fastifyError.message ?? 'bad request' }]);
  }
  return new FlagwardError('internal', 'an internal error occurred', { cause: error });
}

/** Builds the problem document for an error. */
export function problemOf(error: FlagwardError, instance?: string): Problem {
  const status = statusOf(error.code);
  return {
    type: `https://flagward.dev/problems/${error.code}`,
    title: titleByCode[error.code],
    status,
    detail: error.code === 'internal' ? 'an internal error occurred; see the server log' : error.message,
    code: error.code,
    ...(instance === undefined ? {} : { instance }),
    ...(error.errors === undefined ? {} : { errors: error.errors }),
    ...(error.details ?? {}),
  };
}

/** The one error handler: every error leaves as application/problem+json. */
export function sendProblem(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const flagwardError = toFlagwardError(error);
  if (flagwardError.code === 'internal') {
    request.log.error({ err: error }, 'unhandled error');
  }
  const problem = problemOf(flagwardError, request.url.split('?')[0]);
  if (flagwardError.code === 'rate-limited' && flagwardError.details?.retryAfterSeconds !== undefined) {
    reply.header('retry-after', String(flagwardError.details.retryAfterSeconds));
  }
  return reply
    .status(problem.status)
    .type('application/problem+json')
    .serializer(JSON.stringify)
    .send(problem);
}
