import { z } from 'zod';
import { isoTimeSchema, keySchema, listOf } from '../http/common.schemas';

/** A time filter, normalized to the stored form (UTC, milliseconds) so it compares as text. */
export const timeParam = isoTimeSchema.transform((value) => new Date(value).toISOString());

const seqParam = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

export const auditActorSchema = z.object({
  type: z.enum(['member', 'system']),
  id: z.string().optional(),
  email: z.string().optional(),
  token: z.object({ id: z.string(), name: z.string() }).optional(),
  onBehalfOf: z.object({ id: z.string(), email: z.string() }).optional(),
});

/** An entry exactly as stored and hashed (API.md "Audit"). */
export const auditEntrySchema = z.object({
  seq: z.number(),
  id: z.string(),
  at: z.string(),
  org: z.string(),
  actor: auditActorSchema,
  actions: z.array(z.string()),
  resource: z.string(),
  project: z.string().optional(),
  environment: z.string().optional(),
  flag: z.string().optional(),
  summary: z.string(),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
  comment: z.string().optional(),
  outcome: z.enum(['applied', 'denied']),
  reason: z.string().optional(),
  requestId: z.string(),
  ip: z.string().optional(),
  userAgent: z.string().optional(),
  prevHash: z.string(),
  hash: z.string(),
});

const filterFields = {
  project: keySchema.optional(),
  environment: keySchema.optional(),
  flag: keySchema.optional(),
  actor: z.string().trim().min(1).max(254).optional().describe('an actor email'),
  action: z
    .string()
    .regex(/^[A-Za-z]{1,64}$/, 'an action name such as UpdateFlagOn')
    .optional(),
  outcome: z.enum(['applied', 'denied']).optional(),
  since: timeParam.optional().describe('inclusive'),
  until: timeParam.optional().describe('exclusive'),
  q: z.string().max(200).optional().describe('free text in the summary, resource or reason'),
};

export const auditQuery = z.object({
  ...filterFields,
  cursor: z.string().max(32).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

export const auditExportQuery = z.object({
  ...filterFields,
  format: z.enum(['ndjson', 'csv']).default('ndjson'),
  size: seqParam
    .optional()
    .describe(
      'export up to the stored checkpoint of this tree size (404 when there is none) instead of one signed now',
    ),
});

export const auditPageSchema = listOf(auditEntrySchema);

export const verifyResultSchema = z.object({
  ok: z.boolean(),
  size: z.number(),
  root: z.string(),
  checkedCheckpoints: z.number(),
  firstBadSeq: z.number().optional(),
  problem: z.string().optional(),
  message: z.string().optional(),
});

export const checkpointQuery = z.object({
  size: seqParam.optional().describe('a stored checkpoint of this tree size instead of the latest'),
});

export const inclusionQuery = z.object({
  seq: seqParam,
  size: seqParam
    .optional()
    .describe('tree size; defaults to the latest checkpoint when it covers seq, else the whole log'),
});

export const inclusionProofSchema = z.object({
  leafIndex: z.number(),
  treeSize: z.number(),
  leafHash: z.string(),
  proof: z.array(z.string()),
  root: z.string(),
});

export const consistencyQuery = z.object({ from: seqParam, to: seqParam });

export const consistencyProofSchema = z.object({
  from: z.number(),
  to: z.number(),
  proof: z.array(z.string()),
  fromRoot: z.string(),
  toRoot: z.string(),
});

export const timelineQuery = z.object({
  project: keySchema,
  environment: keySchema.optional(),
  since: timeParam.optional(),
  until: timeParam.optional(),
  cursor: z.string().max(32).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});

/** `?at=` of the point-in-time reads. */
export const atQuery = z.object({
  at: timeParam
    .optional()
    .describe('read the state as it was at this time, reconstructed from the audit log'),
});

export const textSchema = z.string();

/** A streamed export body (NDJSON or CSV text). */
export const exportBodySchema = z.unknown().describe('NDJSON (application/x-ndjson) or CSV (text/csv) text');
