import { z } from 'zod';
import { isoTimeSchema, keySchema, nameSchema } from '../http/common.schemas';
import { assignedParamsSchema, assignmentParamsSchema } from '../iam/iam.schemas';

export const createTokenBody = z.object({
  name: nameSchema,
  expiresAt: isoTimeSchema.optional(),
  /** Limits the token to what this policy (with these parameters) allows, within its member's permissions. */
  policy: z.object({ key: keySchema, params: assignmentParamsSchema.optional() }).strict().optional(),
});
/** The policy a token is limited to (null: its member's full permissions). */
export const tokenPolicySchema = z.object({ key: z.string(), params: assignedParamsSchema }).nullable();
export const issuedTokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  secret: z.string(),
  expiresAt: z.string().nullable(),
  policy: tokenPolicySchema,
});
export const tokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  expiresAt: z.string().nullable(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revoked: z.boolean(),
  policy: tokenPolicySchema,
});
export const tokenParams = z.object({ id: z.uuid({ message: 'not a token id' }) });
