import type { JiraDirectory } from '../jira/jira-directory.js';
import { lastLoginFromField } from '../jira/last-login.js';
import { evaluateUser } from '../policy/evaluate.js';
import type { Evaluation, LastLoginFact, UserFacts } from '../policy/types.js';
import type { MailOutbox } from '../notify/outbox.js';
import type { WarningStore } from '../notify/warning-store.js';
import type { PlanStore } from '../runs/plan-store.js';
import type { PlanLine } from '../runs/types.js';
import type { EvaluationRequest } from './evaluation-request.js';
import type { RunContextCache } from './run-context.js';

export interface EvaluateDependencies {
  jira: JiraDirectory;
  plans: PlanStore;
  contexts: RunContextCache;
  /** notify.warnUsersDaysBefore > 0: users about to lose a licence are warned first. */
  warnings?: { daysBefore: number; store: WarningStore; outbox: MailOutbox };
}

export type EvaluateOutcome =
  | { status: 'recorded'; verdict: Evaluation['verdict']; complete: boolean }
  | { status: 'skipped'; reason: string };

const PLAN_IS_FINAL: EvaluateOutcome = {
  status: 'skipped',
  reason: 'the run is past evaluating: its plan is final',
};

/**
 * Evaluates one user and records the user's line in the run's plan. Jira is asked per user
 * only for what the scan could not gather in bulk: the last login where the listing does not
 * carry it (Jira 9), and a leaver's full group list.
 */
export async function evaluateScannedUser(
  deps: EvaluateDependencies,
  request: EvaluationRequest,
): Promise<EvaluateOutcome> {
  const context = await deps.contexts.get(request.runId);
  if (!context) return { status: 'skipped', reason: 'the run no longer exists' };
  if (context.run.status === 'cancelled' || context.run.status === 'failed') {
    return { status: 'skipped', reason: `the run is ${context.run.status}` };
  }
  // A duplicated job after the run was planned: the plan is final. Said here as well as by the
  // plan's own refusal, which needs the run's live record — a run that is over has none.
  if (context.run.status !== 'scanning' && context.run.status !== 'evaluating') return PLAN_IS_FINAL;
  const { user } = request;
  const facts: UserFacts = {
    ...userIdentity(user),
    groups: user.groups,
    lastLogin:
      user.lastLoginTime !== undefined
        ? withSource(lastLoginFromField(user.lastLoginTime), user.lastLoginSource)
        : await deps.jira.lastLogin({ key: user.key, name: user.name, active: user.active }),
    firstSeen: request.firstSeen ? new Date(request.firstSeen) : null,
    directory: request.directory,
    ...(user.createdDate !== undefined ? { createdDate: new Date(user.createdDate) } : {}),
    ...(user.jiraDirectory !== undefined ? { jiraDirectory: user.jiraDirectory } : {}),
  };
  const warnDays = deps.warnings?.daysBefore ?? 0;
  const policyContext =
    warnDays > 0 ? { ...context.policyContext, warnDaysBefore: warnDays } : context.policyContext;
  const evaluate = () => evaluateUser(facts, context.run.policy, policyContext);

  let evaluation = evaluate();
  if (evaluation.verdict === 'left-company' && user.groupsComplete !== true) {
    // remove-groups takes every group but the kept ones: the scan only knew the policy's groups.
    const full = await deps.jira.getUser({ key: user.key }, { expand: ['groups'] });
    facts.groups = full.groups ?? facts.groups;
    evaluation = evaluate();
  } else if (evaluation.verdict === 'left-company' && user.groupsComplete === true) {
    // A leaver's groups in Jira's own order (by name), as the per-user read above gives them:
    // the plan reads the same whichever way the complete list was gathered.
    facts.groups = [...facts.groups].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
    evaluation = evaluate();
  }

  if (evaluation.warn && deps.warnings) {
    evaluation = await warnIfDue(deps.warnings, request, facts, context.run, evaluate, evaluation);
  }

  const line: PlanLine = {
    ...userIdentity(user),
    lastLogin: facts.lastLogin.status === 'known' ? facts.lastLogin.at.toISOString() : null,
    lastLoginStatus: facts.lastLogin.status,
    verdict: evaluation.verdict,
    actions: evaluation.actions,
    reasons: evaluation.reasons,
    ...(user.jiraDirectory !== undefined ? { directory: user.jiraDirectory.name } : {}),
  };
  const result = await deps.plans.record(request.runId, line);
  // A duplicated job after the run was planned: the plan is final and stays as it is.
  if (result.refused) return PLAN_IS_FINAL;
  return { status: 'recorded', verdict: evaluation.verdict, complete: result.complete };
}

/**
 * The policy says a warning is due unless one is on record: read the user's warning and decide
 * again. An apply run then gives the warning (recorded before it is mailed, so a retried job
 * mails the same one) and the user is kept through the grace; a dry run only says so in the plan.
 */
async function warnIfDue(
  warnings: NonNullable<EvaluateDependencies['warnings']>,
  request: EvaluationRequest,
  facts: UserFacts,
  run: { id: string; mode: string; asOf: string },
  evaluate: () => Evaluation,
  first: Evaluation,
): Promise<Evaluation> {
  facts.warning = await warnings.store.get(request.user.key);
  let evaluation = facts.warning ? evaluate() : first;
  if (run.mode !== 'apply') return evaluation;
  if (evaluation.warn) {
    facts.warning = { warnedAt: new Date(run.asOf), graceUntil: evaluation.warn.graceUntil, runId: run.id };
    await warnings.store.record(request.user.key, facts.warning);
    evaluation = evaluate();
  }
  const warning = facts.warning;
  if (warning?.runId === run.id && evaluation.verdict === 'keep' && facts.emailAddress) {
    const { user } = request;
    await warnings.outbox.warning({
      runId: run.id,
      user: {
        key: user.key,
        name: user.name,
        emailAddress: facts.emailAddress,
        ...(user.displayName !== undefined ? { displayName: user.displayName } : {}),
      },
      lastLogin: facts.lastLogin.status === 'known' ? facts.lastLogin.at.toISOString() : null,
      warnedAt: warning.warnedAt.toISOString(),
      graceUntil: warning.graceUntil.toISOString(),
    });
  }
  return evaluation;
}

/** A last login the scan read in bulk (Crowd's search, Jira's database) keeps that source's name. */
function withSource(fact: LastLoginFact, source: string | undefined): LastLoginFact {
  return source === undefined || fact.status === 'unknown' ? fact : { ...fact, source };
}

/**
 * The evaluation of a user failed for good: the user still gets a line, `undetermined` with
 * the error, so the run completes and the plan says what could not be decided.
 */
export async function recordEvaluationFailure(
  plans: PlanStore,
  request: EvaluationRequest,
  message: string,
): Promise<{ complete: boolean }> {
  const { user } = request;
  return plans.record(request.runId, {
    ...userIdentity(user),
    lastLogin: null,
    lastLoginStatus: 'unknown',
    verdict: 'undetermined',
    actions: [],
    reasons: [{ signal: 'evaluation', rule: 'the evaluation failed; no action is taken', value: message }],
  });
}

/** Who the user is, as the plan and the policy both show it. */
function userIdentity(user: EvaluationRequest['user']) {
  return {
    key: user.key,
    name: user.name,
    ...(user.displayName !== undefined ? { displayName: user.displayName } : {}),
    ...(user.emailAddress !== undefined ? { emailAddress: user.emailAddress } : {}),
    active: user.active,
  };
}
