import { z } from 'zod';
import { isoTimeSchema, nameSchema } from '../http/common.schemas';

export const createTokenBody = z.object({ name: nameSchema, expiresAt: isoTimeSchema.optional() });
export const issuedTokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  secret: z.string(),
  expiresAt: z.string().nullable(),
});
export const tokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  expiresAt: z.string().nullable(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revoked: z.boolean(),
});
export const tokenParams = z.object({ id: z.uuid({ message: 'not a token id' }) });
