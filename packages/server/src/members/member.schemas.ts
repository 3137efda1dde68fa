import { z } from 'zod';
import { emailSchema, memberSchema, nameSchema, orgRoleSchema, pageLimit } from '../http/common.schemas';

export const inviteBody = z.object({
  email: emailSchema,
  name: nameSchema,
  orgRole: z.enum(['admin', 'member']).optional(),
});
export const inviteResponse = z.object({
  member: memberSchema,
  invitation: z.object({ token: z.string(), expiresAt: z.string() }),
});
export const memberPatchBody = z
  .object({
    orgRole: orgRoleSchema.optional(),
    disabled: z.boolean().optional(),
    name: nameSchema.optional(),
  })
  .strict();

export const memberListQuery = z.object({
  /** The previous page's `nextCursor` (the email of its last member). */
  cursor: emailSchema.optional(),
  ...pageLimit,
});
