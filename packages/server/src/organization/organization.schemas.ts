import { z } from 'zod';
import {
  emailSchema,
  keySchema,
  memberSchema,
  nameSchema,
  orgRoleSchema,
  passwordSchema,
} from '../http/common.schemas';
import { tokenPolicySchema } from '../tokens/token.schemas';

export const setupBody = z.object({
  organization: z.object({ key: keySchema, name: nameSchema }),
  owner: z.object({ email: emailSchema, name: nameSchema, password: passwordSchema }),
});

export const organizationSchema = z.object({ key: z.string(), name: z.string() });

export const setupResponse = z.object({
  organization: organizationSchema,
  member: memberSchema,
  token: z.object({ id: z.string(), name: z.string(), secret: z.string(), expiresAt: z.string().nullable() }),
});

export const meResponse = z.object({
  member: z.object({ id: z.string(), email: z.string(), name: z.string() }),
  organization: organizationSchema,
  orgRole: orgRoleSchema,
  token: z.object({ id: z.string(), name: z.string(), policy: tokenPolicySchema }).optional(),
});

export const transferOwnershipBody = z.object({ email: emailSchema });

export const setupStatusResponse = z.object({ required: z.boolean() });
