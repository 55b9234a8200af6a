import type { PolicyConfig } from '../../config/schema.js';
import { daysAfter, daysBefore, isMoreThanDaysBefore } from './days.js';
import { reclaimActions } from './planned-actions.js';
import { isRuleInScope, outOfRunScopeReason } from './run-scope.js';
import type { Evaluation, PolicyContext, Reason, ReclaimRule, UserFacts } from './types.js';
import { withWarning } from './warning-rule.js';

/*
 * never-logged-in and inactive, then keep. `context` holds the reasons gathered by the
 * earlier rules (the directory's answer, a rule outside the run's scope); every verdict
 * carries them so the plan shows everything that was looked at.
 */

/**
 * When the user was first seen, for the never-logged-in rule. Users seen by the very first
 * scan were there before Reclaim; `existingUsersSeenSince` dates them, when the admin set it.
 */
export function effectiveFirstSeen(
  facts: UserFacts,
  policy: PolicyConfig,
  ctx: PolicyContext,
): { at: Date; datedBy: 'created' | 'first scan' | 'existingUsersSeenSince' | 'scan' } | null {
  // The account's real creation date, where a source knows it, beats any record of ours.
  if (facts.createdDate) return { at: facts.createdDate, datedBy: 'created' };
  if (facts.firstSeen === null) return null;
  const seenByFirstScan =
    ctx.firstScanAt !== undefined && facts.firstSeen.getTime() === ctx.firstScanAt.getTime();
  if (seenByFirstScan && policy.existingUsersSeenSince !== null) {
    return { at: new Date(policy.existingUsersSeenSince), datedBy: 'existingUsersSeenSince' };
  }
  return { at: facts.firstSeen, datedBy: seenByFirstScan ? 'first scan' : 'scan' };
}

function verdictFor(
  rule: ReclaimRule & Evaluation['verdict'],
  decisive: Reason[],
  facts: UserFacts,
  policy: PolicyConfig,
  ctx: PolicyContext,
  context: Reason[],
): Evaluation {
  if (!isRuleInScope(rule, ctx)) {
    return {
      verdict: 'keep',
      reasons: [...context, ...decisive, outOfRunScopeReason(rule, ctx)],
      actions: [],
    };
  }
  const work = reclaimActions(facts, policy, ctx);
  return { verdict: rule, reasons: [...context, ...decisive, ...work.reasons], actions: work.actions };
}

function neverLoggedIn(
  facts: UserFacts,
  policy: PolicyConfig,
  ctx: PolicyContext,
  context: Reason[],
): Evaluation {
  const never: Reason = { signal: 'last-login', rule: `never logged in (according to ${sourceOf(facts)})` };
  const firstSeen = effectiveFirstSeen(facts, policy, ctx);
  if (firstSeen === null) {
    const unknown: Reason = {
      signal: 'first-seen',
      rule: 'first seen unknown (no scan has recorded the user yet), so never-logged-in cannot be decided',
    };
    return { verdict: 'keep', reasons: [...context, never, unknown], actions: [] };
  }
  const threshold = daysBefore(ctx.asOf, policy.neverLoggedInDays).toISOString();
  const dated = firstSeen.datedBy === 'existingUsersSeenSince' ? ' (dated by existingUsersSeenSince)' : '';
  const created = firstSeen.datedBy === 'created';
  const signal = created ? 'created' : 'first-seen';
  const what = created ? "created (according to Jira's database)" : `first seen${dated}`;
  const warning = {
    rule: 'never-logged-in' as const,
    dueAt: daysAfter(firstSeen.at, policy.neverLoggedInDays),
    loginAt: null,
  };
  if (!isMoreThanDaysBefore(firstSeen.at, ctx.asOf, policy.neverLoggedInDays)) {
    const recent: Reason = {
      signal,
      rule: `${what} within ${policy.neverLoggedInDays} days before asOf`,
      value: firstSeen.at.toISOString(),
      threshold,
    };
    return withWarning(
      { verdict: 'keep', reasons: [...context, never, recent], actions: [] },
      warning,
      facts,
      policy,
      ctx,
    );
  }
  const old: Reason = {
    signal,
    rule: `${what} more than ${policy.neverLoggedInDays} days before asOf`,
    value: firstSeen.at.toISOString(),
    threshold,
  };
  return withWarning(
    verdictFor('never-logged-in', [never, old], facts, policy, ctx, context),
    warning,
    facts,
    policy,
    ctx,
  );
}

function sourceOf(facts: UserFacts): string {
  return facts.lastLogin.status === 'unknown' ? 'unknown' : facts.lastLogin.source;
}

function lastLoginAt(
  at: Date,
  facts: UserFacts,
  policy: PolicyConfig,
  ctx: PolicyContext,
  context: Reason[],
): Evaluation {
  const threshold = daysBefore(ctx.asOf, policy.inactiveDays).toISOString();
  const value = at.toISOString();
  const warning = { rule: 'inactive' as const, dueAt: daysAfter(at, policy.inactiveDays), loginAt: at };
  if (!isMoreThanDaysBefore(at, ctx.asOf, policy.inactiveDays)) {
    const recent: Reason = {
      signal: 'last-login',
      rule: `last login within ${policy.inactiveDays} days before asOf`,
      value,
      threshold,
    };
    return withWarning(
      { verdict: 'keep', reasons: [...context, recent], actions: [] },
      warning,
      facts,
      policy,
      ctx,
    );
  }
  const old: Reason = {
    signal: 'last-login',
    rule: `last login more than ${policy.inactiveDays} days before asOf`,
    value,
    threshold,
  };
  return withWarning(verdictFor('inactive', [old], facts, policy, ctx, context), warning, facts, policy, ctx);
}

function undetermined(context: Reason[], why: string): Evaluation {
  return {
    verdict: 'undetermined',
    reasons: [
      ...context,
      { signal: 'last-login', rule: 'last login unknown, so no login rule can decide', value: why },
    ],
    actions: [],
  };
}

export function loginRules(
  facts: UserFacts,
  policy: PolicyConfig,
  ctx: PolicyContext,
  context: Reason[],
): Evaluation {
  if (ctx.only === 'left-company') {
    const outside: Reason = {
      signal: 'scope',
      rule: `login rules not in this run's scope (--only ${ctx.only})`,
    };
    return { verdict: 'keep', reasons: [...context, outside], actions: [] };
  }
  const lastLogin = facts.lastLogin;
  switch (lastLogin.status) {
    case 'unknown':
      return undetermined(context, lastLogin.reason);
    case 'never':
      return neverLoggedIn(facts, policy, ctx, context);
    case 'known':
      // An unparseable time is not a time: treat it as unknown, never as "long ago".
      if (Number.isNaN(lastLogin.at.getTime())) {
        return undetermined(context, `unreadable time from ${lastLogin.source}`);
      }
      return lastLoginAt(lastLogin.at, facts, policy, ctx, context);
  }
}
