import { z } from 'zod';
import { emailSchema, keySchema, nameSchema } from '../http/common.schemas';

export const createGroupBody = z.object({
  key: keySchema,
  name: nameSchema,
  members: z.array(emailSchema).max(10_000).optional(),
});
export const groupPatchBody = z.object({ name: nameSchema }).strict();
export const groupSchema = z.object({
  key: z.string(),
  name: z.string(),
  members: z.array(z.string()),
  createdAt: z.string(),
});
export const groupParams = z.object({ key: keySchema });
export const groupMemberParams = z.object({ key: keySchema, email: emailSchema });
