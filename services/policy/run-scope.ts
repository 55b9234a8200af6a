import type { PolicyContext, ReclaimRule, Reason } from './types.js';

/*
 * `reclaim scan --only RULE` limits a run to one reclaim rule. The protections (scope,
 * exemptions, already inactive) are always applied; a reclaim rule outside the run's scope is
 * not applied, and a user it would have matched falls through to the next rule — usually
 * `keep` — with a reason that says so, so the plan shows who a full run would catch.
 */

export function isRuleInScope(rule: ReclaimRule, ctx: PolicyContext): boolean {
  return ctx.only === undefined || ctx.only === rule;
}

/** Why a rule that matched did not decide the verdict. */
export function outOfRunScopeReason(rule: ReclaimRule, ctx: PolicyContext): Reason {
  return { signal: 'scope', rule: `not in this run's scope (--only ${ctx.only})`, value: rule };
}
