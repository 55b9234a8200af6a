import { z } from 'zod';
import type { PresentAnswer } from '../directory-answer.js';

/*
 * The parts of Microsoft Graph's answers Reclaim reads: a page of users (`value`, with
 * `@odata.nextLink` while there is more and `@odata.count` when asked for).
 */

export const graphUsersPageSchema = z.object({
  value: z.array(z.record(z.string(), z.unknown())),
  '@odata.nextLink': z.string().min(1).optional(),
  '@odata.count': z.int().min(0).optional(),
});

export type GraphUser = z.infer<typeof graphUsersPageSchema>['value'][number];

/** `accountEnabled: false` is the evidence of a leaver; a user listed without it is present. */
export function answerForGraphUser(user: GraphUser): PresentAnswer {
  const enabled = user.accountEnabled;
  if (enabled === false) return { status: 'disabled', attribute: 'accountEnabled=false' };
  if (enabled === true) return { status: 'active', attribute: 'accountEnabled=true' };
  return { status: 'active', attribute: 'listed without accountEnabled' };
}

/** A quoted OData string literal: `'` doubled. */
export function odataString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
