import type { PolicyConfig } from '../../config/schema.js';
import { leaverRule } from './leaver-rule.js';
import { loginRules } from './login-rules.js';
import { protectionOf } from './protection-rules.js';
import type { Evaluation, PolicyContext, UserFacts } from './types.js';

/**
 * The verdict for one user: the first rule that matches, in the order of the product's
 * verdict table — out-of-scope, exempt, already-inactive, left-company, never-logged-in,
 * inactive, keep — with `undetermined` where a fact a rule needs is unknown.
 *
 * Pure: every date is compared with `ctx.asOf`, so the same facts give the same plan.
 */
export function evaluateUser(facts: UserFacts, policy: PolicyConfig, ctx: PolicyContext): Evaluation {
  const protection = protectionOf(facts, policy, ctx);
  if (protection) return protection;
  const leaver = leaverRule(facts, policy, ctx);
  if ('evaluation' in leaver) return leaver.evaluation;
  return loginRules(facts, policy, ctx, leaver.context);
}
