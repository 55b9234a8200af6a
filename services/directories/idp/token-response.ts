import { z } from 'zod';

/** An OAuth 2.0 token endpoint's answer (RFC 6749 §5.1), as Microsoft and Google send it. */
export const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.coerce.number().positive(),
  token_type: z.string().optional(),
});
