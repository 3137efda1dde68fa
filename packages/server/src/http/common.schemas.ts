import { KEY_GRAMMAR_DESCRIPTION, KEY_PATTERN } from '@flagward/core';
import { z } from 'zod';

/** A project, environment, flag, group, policy or variable key, or a tag. */
export const keySchema = z.string().regex(KEY_PATTERN, KEY_GRAMMAR_DESCRIPTION);

export const emailSchema = z
  .string()
  .max(254)
  .transform((value) => value.trim().toLowerCase())
  .pipe(z.email({ message: 'not a valid email address' }));

export const nameSchema = z.string().trim().min(1, 'must not be empty').max(200);

export const passwordSchema = z.string().min(12, 'must be at least 12 characters').max(1024);

export const isoTimeSchema = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time' });

export const orgRoleSchema = z.enum(['owner', 'admin', 'member']);

export const memberSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  orgRole: orgRoleSchema,
  disabled: z.boolean(),
  createdAt: z.string(),
});

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number(),
    detail: z.string(),
    code: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .loose();

/** `{ items, nextCursor }`, the shape of every list. */
/** `limit` of a list endpoint: with it, the list comes a page at a time (without it, whole). */
export const pageLimit = {
  limit: z.coerce.number().int().min(1, 'must be at least 1').max(1000, 'must be at most 1000').optional(),
};

export function listOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

export const emailParams = z.object({ email: emailSchema });
export const projectParams = z.object({ project: keySchema });
export const environmentParams = z.object({ project: keySchema, env: keySchema });

/** Standard error responses, for the OpenAPI document. */
export const errorResponses = {
  400: problemSchema,
  401: problemSchema,
  403: problemSchema,
  404: problemSchema,
  409: problemSchema,
};

/** Responses of an endpoint that answers 204 with no body. */
export const noContentResponses = { 204: z.null().describe('No content'), ...errorResponses };
