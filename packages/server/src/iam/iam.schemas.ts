import { z } from 'zod';
import { emailSchema, isoTimeSchema, keySchema, nameSchema, pageLimit } from '../http/common.schemas';

export const statementSchema = z.object({
  effect: z.enum(['allow', 'deny']),
  actions: z.array(z.string().min(1).max(64)).min(1).max(100),
  resources: z.array(z.string().min(1).max(1024)).min(1).max(100),
});

export const policyBody = z.object({
  key: keySchema,
  name: nameSchema,
  description: z.string().max(2000).optional(),
  statements: z.array(statementSchema).max(100),
});
export const policyUpdateBody = policyBody.omit({ key: true });
export const policyPreviewBody = z.object({ statements: z.array(statementSchema).max(100) });
export const policySchema = z.object({
  key: z.string(),
  name: z.string(),
  description: z.string(),
  statements: z.array(statementSchema),
  builtIn: z.boolean(),
  createdAt: z.string().nullable(),
  updatedAt: z.string().nullable(),
});
export const policyParams = z.object({ key: keySchema });

/** An assignment's parameters (also those of the policy an API token is limited to). */
export const assignmentParamsSchema = z
  .object({
    project: keySchema.optional(),
    flag: keySchema.optional(),
    envs: z.array(z.string().min(1).max(64)).min(1).max(50).optional(),
  })
  .strict();

/** Parameters as answered (what was recorded). */
export const assignedParamsSchema = z.object({
  project: z.string().optional(),
  flag: z.string().optional(),
  envs: z.array(z.string()).optional(),
});

export const assignmentBody = z.object({
  policy: keySchema,
  member: emailSchema.optional(),
  group: keySchema.optional(),
  params: assignmentParamsSchema.optional(),
  expiresAt: isoTimeSchema.optional(),
});
export const assignmentSchema = z.object({
  id: z.string(),
  policy: z.string(),
  member: z.string().optional(),
  group: z.string().optional(),
  params: assignedParamsSchema,
  expiresAt: z.string().nullable(),
  createdAt: z.string(),
});
export const assignmentQuery = z.object({
  member: emailSchema.optional(),
  group: keySchema.optional(),
  policy: keySchema.optional(),
  /** The previous page's `nextCursor`. */
  cursor: z.string().max(200).optional(),
  ...pageLimit,
});
export const assignmentParams = z.object({ id: z.uuid({ message: 'not an assignment id' }) });

export const checkBody = z.object({
  member: emailSchema.optional(),
  action: z.string().min(1).max(64),
  resource: z.string().min(1).max(1024),
});
export const reasonSchema = z
  .object({
    kind: z.string(),
    message: z.string(),
    policy: z.string().optional(),
    statement: z.number().optional(),
    group: z.string().optional(),
    orgRole: z.string().optional(),
    protection: z.object({ project: z.string(), environment: z.string(), operation: z.string() }).optional(),
    missing: z.object({ action: z.string(), resource: z.string() }).optional(),
    environment: z.string().optional(),
  })
  .loose();
export const checkResponse = z.object({
  allowed: z.boolean(),
  decision: z.enum(['allow', 'explicit-deny', 'implicit-deny', 'protected', 'missing-access']),
  reason: reasonSchema,
});
export const whoCanQuery = z.object({
  action: z.string().min(1).max(64),
  resource: z.string().min(1).max(1024),
});
export const whoCanResponse = z.object({
  items: z.array(
    z.object({
      member: z.string(),
      orgRole: z.string(),
      via: z.array(z.object({ policy: z.string(), statement: z.number(), group: z.string().optional() })),
    }),
  ),
});
export const effectivePermissionsSchema = z.object({
  member: z.string(),
  orgRole: z.string(),
  organization: z.array(z.string()),
  projects: z.array(
    z.object({
      project: z.string(),
      actions: z.array(z.string()),
      environments: z.array(
        z.object({
          environment: z.string(),
          actions: z.array(z.string()),
          flagActions: z.array(z.string()),
          variableActions: z.array(z.string()),
        }),
      ),
    }),
  ),
});
const change = z.object({ action: z.string(), resource: z.string() });
export const previewResponse = z.object({
  members: z.array(z.object({ member: z.string(), gains: z.array(change), losses: z.array(change) })),
});

export const protectionSchema = z.object({
  operations: z.array(z.string().min(1).max(64)).max(50),
  allowed: z.object({
    orgRoles: z.array(z.enum(['owner', 'admin', 'member'])).default([]),
    policies: z.array(keySchema).default([]),
    groups: z.array(keySchema).default([]),
    members: z.array(emailSchema).default([]),
  }),
});

export const flagPermissionParams = z.object({ project: keySchema, flag: keySchema });
export const flagPermissionBody = z.object({
  member: emailSchema.optional(),
  group: keySchema.optional(),
  level: z.enum(['owner', 'user']),
  envs: z.array(z.string().min(1).max(64)).min(1).max(50).optional(),
});
export const flagPermissionQuery = z.object({ member: emailSchema.optional(), group: keySchema.optional() });
export const flagPermissionSchema = z.object({
  id: z.string(),
  member: z.string().optional(),
  group: z.string().optional(),
  level: z.enum(['owner', 'user']),
  envs: z.array(z.string()),
});
