import { flagKinds } from '@flagward/core';
import { z } from 'zod';
import { keySchema, nameSchema, pageLimit } from '../http/common.schemas';

/** Variation values are any JSON; whether one fits the flag's kind is checked by core. */
export const variationSchema = z.object({
  id: z.string(),
  value: z.unknown(),
  name: z.string().optional(),
});

export const flagParams = z.object({ project: keySchema, flag: keySchema });

export const createFlagBody = z.object({
  key: keySchema,
  name: nameSchema,
  description: z.string().max(4096).optional(),
  tags: z.array(keySchema).max(50).optional(),
  kind: z.enum(flagKinds).optional(),
  variations: z.array(variationSchema).min(1).max(100).optional(),
});

export const flagPatchBody = z
  .object({
    name: nameSchema.optional(),
    description: z.string().max(4096).optional(),
    tags: z.array(keySchema).max(50).optional(),
    variations: z.array(variationSchema).min(1).max(100).optional(),
  })
  .strict();

const booleanQuery = z
  .enum(['true', 'false'])
  .optional()
  .transform((value) => (value === undefined ? undefined : value === 'true'));

export const flagListQuery = z.object({
  tag: keySchema.optional(),
  /** `true` lists archived flags only; the default lists the others. */
  archived: booleanQuery,
  /** The previous page's `nextCursor` (the key of its last flag). */
  cursor: keySchema.optional(),
  ...pageLimit,
});

export const flagSchema = z.object({
  key: z.string(),
  name: z.string(),
  description: z.string(),
  tags: z.array(z.string()),
  kind: z.enum(flagKinds),
  variations: z.array(variationSchema),
  archived: z.boolean(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  environments: z.record(z.string(), z.object({ on: z.boolean(), version: z.number() })),
});
