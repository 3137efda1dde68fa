import { RESERVED_ENV_TAGS } from '@flagward/core';
import { z } from 'zod';
import { keySchema, nameSchema } from '../http/common.schemas';

/** Free environment tags; `production` and `non-production` are derived from the production flag. */
const envTagSchema = keySchema.refine((tag) => !RESERVED_ENV_TAGS.includes(tag), {
  message: `${RESERVED_ENV_TAGS.join(' and ')} are set by the production flag, not as free tags`,
});

export const environmentBody = z.object({
  key: keySchema,
  name: nameSchema,
  production: z.boolean().optional(),
  tags: z.array(envTagSchema).max(50).optional(),
});
export const environmentPatchBody = z
  .object({
    name: nameSchema.optional(),
    production: z.boolean().optional(),
    tags: z.array(envTagSchema).max(50).optional(),
  })
  .strict();
export const environmentSchema = z.object({
  key: z.string(),
  name: z.string(),
  production: z.boolean(),
  tags: z.array(z.string()),
  createdAt: z.string(),
});
export const createProjectBody = z.object({
  key: keySchema,
  name: nameSchema,
  environments: z.array(environmentBody).min(1).max(50).optional(),
});
export const projectPatchBody = z.object({ name: nameSchema.optional() }).strict();
export const projectSchema = z.object({
  key: z.string(),
  name: z.string(),
  environments: z.array(environmentSchema),
  createdAt: z.string(),
});
export const sdkKeysSchema = z.object({ serverKey: z.string(), clientId: z.string() });
