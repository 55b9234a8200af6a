import type { PolicyConfig } from '../../config/schema.js';
import { daysAfter } from './days.js';
import { reclaimActions } from './planned-actions.js';
import { isRuleInScope } from './run-scope.js';
import type { Evaluation, PolicyContext, Reason, ReclaimRule, UserFacts, UserWarning } from './types.js';

/*
 * Warnings before a login rule takes a licence (notify.warnUsersDaysBefore = N). A user whose
 * never-logged-in or inactive rule comes due within N days (or is due already) is warned, and
 * kept until the date in the warning: N days after it was given. A warning holds until the
 * user logs in after it; then the next time the rule comes due, they are warned again.
 *
 * - due, warned, grace not over → keep: `warned, grace until …`
 * - due, warned, grace over → the rule's verdict and actions, with `warned …, grace ended …`
 * - due or within N days, not warned → keep, and `warn` asks the caller to warn now
 * - no e-mail address to warn at → the rule as without warnings, and the plan says so
 */

const MS_PER_DAY = 24 * 3600 * 1000;

export interface WarningTarget {
  rule: ReclaimRule;
  /** When the rule takes the licence, without a warning. */
  dueAt: Date;
  /** The last login the rule judged (a warning older than it no longer holds); null: never. */
  loginAt: Date | null;
}

function holdingWarning(facts: UserFacts, loginAt: Date | null): UserWarning | null {
  const warning = facts.warning;
  if (!warning) return null;
  return loginAt === null || warning.warnedAt.getTime() > loginAt.getTime() ? warning : null;
}

export function warnedReason(warning: UserWarning): Reason {
  return {
    signal: 'warning',
    rule: `warned, grace until ${warning.graceUntil.toISOString()}`,
    value: warning.warnedAt.toISOString(),
  };
}

export function withWarning(
  base: Evaluation,
  target: WarningTarget,
  facts: UserFacts,
  policy: PolicyConfig,
  ctx: PolicyContext,
): Evaluation {
  const days = ctx.warnDaysBefore ?? 0;
  if (days <= 0 || !isRuleInScope(target.rule, ctx)) return base;
  const due = base.verdict === target.rule;
  if (due && base.actions.length === 0) return base;
  if (!due) {
    const soon = target.dueAt.getTime() - ctx.asOf.getTime() <= days * MS_PER_DAY;
    if (!soon || reclaimActions(facts, policy, ctx).actions.length === 0) return base;
  }
  const keep = (reason: Reason, extra: Partial<Evaluation> = {}): Evaluation => ({
    verdict: 'keep',
    reasons: [...base.reasons, reason],
    actions: [],
    ...extra,
  });

  const warning = holdingWarning(facts, target.loginAt);
  if (warning) {
    if (ctx.asOf.getTime() < warning.graceUntil.getTime()) return keep(warnedReason(warning));
    const ended: Reason = {
      signal: 'warning',
      rule: `warned ${warning.warnedAt.toISOString()}, grace ended ${warning.graceUntil.toISOString()}`,
    };
    return { ...base, reasons: [...base.reasons, ended] };
  }
  if (!facts.emailAddress) {
    if (!due) return base;
    const cannot: Reason = { signal: 'warning', rule: 'not warned: the user has no e-mail address' };
    return { ...base, reasons: [...base.reasons, cannot] };
  }
  const graceUntil = daysAfter(ctx.asOf, days);
  return keep(
    {
      signal: 'warning',
      rule: `to be warned (an apply run mails the warning), grace until ${graceUntil.toISOString()}`,
    },
    { warn: { graceUntil } },
  );
}
