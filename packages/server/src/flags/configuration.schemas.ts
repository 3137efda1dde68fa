import { clauseOperators } from '@flagward/core';
import { z } from 'zod';
import { keySchema } from '../http/common.schemas';

// Shapes only: references, weights, operands and the rest are checked by core's validateFlagConfiguration,
// which names the exact path of every problem.
const clauseSchema = z.object({
  attribute: z.string(),
  op: z.enum(clauseOperators),
  values: z.array(z.union([z.string(), z.number(), z.boolean()])),
  negate: z.boolean().optional(),
});

export const weightSchema = z.object({ variation: z.string(), weight: z.number() });

const rolloutSchema = z.object({
  bucketBy: z.string().optional(),
  weights: z.array(weightSchema),
});

/** `{variation}` or `{rollout}`; one object so every problem keeps its precise path. */
const serveSchema = z.object({
  variation: z.string().optional(),
  rollout: rolloutSchema.optional(),
});

const targetSchema = z.object({ variation: z.string(), values: z.array(z.string()) });

const ruleSchema = z.object({
  id: z.string(),
  description: z.string().optional(),
  clauses: z.array(clauseSchema),
  serve: serveSchema,
});

export const configurationParams = z.object({ project: keySchema, flag: keySchema, env: keySchema });

export const configurationPatchBody = z
  .object({
    on: z.boolean().optional(),
    offVariation: z.string().optional(),
    targets: z.array(targetSchema).optional(),
    rules: z.array(ruleSchema).optional(),
    fallthrough: serveSchema.optional(),
    /** The version the client read; a stale one is refused with 409. */
    version: z.number().int().nonnegative().optional(),
    /** Kept in the audit entry. */
    comment: z.string().max(500).optional(),
  })
  .strict();

export const configurationSchema = z.object({
  flag: z.string(),
  environment: z.string(),
  on: z.boolean(),
  offVariation: z.string(),
  targets: z.array(targetSchema),
  rules: z.array(ruleSchema),
  fallthrough: serveSchema,
  version: z.number(),
  updatedAt: z.string(),
});
