import { z } from 'zod';

const jsonValue = z.unknown().describe('a JSON value');

const variationSchema = z.object({ id: z.string(), value: jsonValue, name: z.string().optional() }).loose();

/** One flag of a ruleset (API.md "SDK"). */
export const rulesetFlagSchema = z
  .object({
    kind: z.enum(['boolean', 'string', 'number', 'json']).optional(),
    variations: z.array(variationSchema),
    on: z.boolean(),
    offVariation: z.string(),
    targets: z.array(z.unknown()),
    rules: z.array(z.unknown()),
    fallthrough: z.unknown(),
    version: z.number().int(),
    salt: z.string(),
    archived: z.boolean().optional(),
    auditHash: z
      .string()
      .optional()
      .describe('hash of the latest applied audit entry about the flag in this environment (or in all)'),
  })
  .loose();

/** `GET /sdk/v1/ruleset` and the stream's `put` event. */
export const rulesetSchema = z.object({
  environment: z.string(),
  version: z.number().int().describe('the organization audit head seq the ruleset reflects (monotonic)'),
  flags: z.record(z.string(), rulesetFlagSchema),
});

export const evaluateBody = z.object({
  context: z
    .record(z.string(), z.unknown())
    .describe('the evaluation context: {key, ...attributes} (OpenFeature targetingKey is accepted for key)'),
  flags: z
    .array(z.string().max(256))
    .max(10_000)
    .optional()
    .describe('flag keys to evaluate; all when absent'),
});

export const evaluationSchema = z.object({
  value: jsonValue.optional(),
  variant: z.string().optional(),
  reason: z.enum(['DISABLED', 'TARGETING_MATCH', 'SPLIT', 'DEFAULT', 'ERROR']),
  errorCode: z.string().optional(),
  errorMessage: z.string().optional(),
  flagMetadata: z
    .object({
      version: z.number().int(),
      auditHash: z.string().optional(),
      ruleId: z.string().optional(),
      ruleIndex: z.number().int().optional(),
    })
    .loose(),
});

export const evaluateResponse = z.object({ results: z.record(z.string(), evaluationSchema) });

/** The documented headers of every SDK route. */
export const sdkHeaders = z.object({
  authorization: z.string().optional().describe('the environment server key, as "<key>" or "Bearer <key>"'),
});

export const streamHeaders = sdkHeaders.extend({
  'last-event-id': z
    .string()
    .optional()
    .describe('the id (ruleset version) of the last event received; the stream always starts with a put'),
});
