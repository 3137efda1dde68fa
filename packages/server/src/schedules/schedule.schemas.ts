import { z } from 'zod';
import { weightSchema } from '../flags/configuration.schemas';
import { isoTimeSchema } from '../http/common.schemas';

export const scheduleBody = z
  .object({
    /** Each step sets the fallthrough to this rollout at `at`; times strictly increase. */
    steps: z
      .array(z.object({ at: isoTimeSchema, weights: z.array(weightSchema) }))
      .min(1)
      .max(100),
    bucketBy: z.string().min(1).max(256).optional(),
  })
  .strict();

export const scheduleSchema = z.object({
  flag: z.string(),
  environment: z.string(),
  steps: z.array(z.object({ at: z.string(), weights: z.array(weightSchema) })),
  bucketBy: z.string().optional(),
  /** Index of the next step to apply; equals the number of steps once every step was handled. */
  nextStep: z.number(),
  nextAt: z.string().nullable(),
  scheduledBy: z.string().nullable(),
  createdAt: z.string(),
});
