import { z } from 'zod';
import { keySchema } from '../http/common.schemas';

export const MAX_VARIABLE_BYTES = 64 * 1024;

export const variableParams = z.object({ project: keySchema, env: keySchema, name: keySchema });

export const variableBody = z.object({
  value: z.string().refine((value) => Buffer.byteLength(value, 'utf8') <= MAX_VARIABLE_BYTES, {
    message: `must be at most ${MAX_VARIABLE_BYTES} bytes (64 KiB) of UTF-8`,
  }),
  /** Secret values are encrypted at rest and never shown again; omitted, an existing variable keeps its kind. */
  secret: z.boolean().optional(),
});

export const variableSchema = z.object({
  key: z.string(),
  /** `••••••` for secret variables. */
  value: z.string(),
  secret: z.boolean(),
  updatedAt: z.string(),
});
