import { z } from 'zod';
import { emailSchema, memberSchema } from '../http/common.schemas';

export const loginBody = z.object({ email: emailSchema, password: z.string().min(1).max(1024) });
export const acceptInvitationBody = z.object({
  token: z.string().min(1).max(200),
  password: z.string().min(12, 'must be at least 12 characters').max(1024),
});
export const sessionResponse = z.object({
  member: memberSchema,
  csrfToken: z.string(),
  expiresAt: z.string(),
});
