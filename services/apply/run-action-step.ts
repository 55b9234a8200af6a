import { recordedAdminGroups } from '../jira-database/recorded-admin-groups.js';
import { auditEntryForAction } from '../actions/audit-entry.js';
import { freshCarriedUser, type CarriedUser } from '../actions/carried-user.js';
import { executeAction } from '../actions/execute-action.js';
import type { ActionRequest, ActionResult, UserSnapshot } from '../actions/types.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { DirectoryProvider } from '../directories/directory-provider.js';
import type { JiraDirectory } from '../jira/jira-directory.js';
import type { ActionStep } from '../../queues/payloads.js';
import { appliedReason, type RunLifecycle } from '../runs/run-lifecycle.js';
import type { RunStore } from '../runs/run-store.js';
import type { ApplyProgress } from './apply-progress.js';
import { failedStepEffect } from './failed-step-audit.js';
import type { DirectoryCombine } from '../../config/schema.js';
import { recheckUser } from './recheck-user.js';
import type { ActionSink } from './start-apply.js';

export interface StepDependencies {
  jira: JiraDirectory;
  audit: AuditLog;
  runs: RunStore;
  lifecycle: RunLifecycle;
  progress: ApplyProgress;
  /** The configured external directories (`directories.sources`), asked again about a leaver. */
  directories: readonly DirectoryProvider[];
  /** How the sources' facts are combined (`directories.combine`). @defaultValue 'all' */
  combine?: DirectoryCombine;
}

export type StepOutcome = ActionResult | { outcome: 'not-run'; reason: string };

function requestOf(step: ActionStep, actionId: string): ActionRequest {
  return {
    runId: step.runId,
    actionId,
    user: step.user,
    action: step.actions[step.index]!,
    planned: step.planned,
  };
}

/**
 * One step of a user's chain: the action is carried out (exactly once in effect), written to the
 * audit log, counted once, and the next step queued — unless the user was skipped (logged in
 * since the plan, gone, or no longer qualifying), which ends the chain. The user's last step may
 * finish the run.
 *
 * The chain's first step re-checks the plan before any change, on the user as just re-read:
 * the protections of the run's policy (skip users and groups, administrators, processing
 * groups) and, for a leaver, the external directory. Approval may come days after the plan.
 */
export async function runActionStep(
  deps: StepDependencies,
  step: ActionStep,
  actionId: string,
  sink: ActionSink,
  /** Whether this is the step's first attempt: only a first attempt may act on a carried state. */
  firstAttempt = false,
): Promise<StepOutcome> {
  const run = await deps.runs.get(step.runId);
  if (!run || run.status !== 'applying') {
    await finishUser(deps, step);
    return { outcome: 'not-run', reason: `the run is ${run?.status ?? 'gone'}` };
  }
  const request = requestOf(step, actionId);
  const recheck = (user: UserSnapshot) =>
    deps.progress.recheckOnce(step.runId, actionId, () =>
      recheckUser(user, {
        policy: run.policy,
        verdict: step.planned.verdict,
        directories: deps.directories,
        ...(deps.combine ? { combine: deps.combine } : {}),
        ...(run.jira?.account ? { ownAccount: run.jira.account } : {}),
        adminGroups: recordedAdminGroups(run.jira),
      }),
    );
  // The chain's first step re-checks the plan on the user as Jira holds it now: never carried.
  const carried = step.index === 0 ? undefined : freshCarriedUser(step.carried, firstAttempt);
  let left: CarriedUser | undefined;
  const result = await executeAction(
    {
      jira: deps.jira,
      rememberBefore: (snapshot) => deps.progress.rememberBefore(step.runId, actionId, snapshot),
      ...(step.index === 0 ? { recheck } : {}),
      ...(carried ? { carried: { readAt: step.carried!.readAt, user: carried } } : {}),
      leaveState: (state) => (left = state),
    },
    request,
  );
  await deps.audit.append(auditEntryForAction(request, result, step.actor));
  await deps.runs.countActionOutcomeOnce(step.runId, actionId, result.outcome);
  if (step.index + 1 < step.actions.length && result.outcome !== 'skipped') {
    const { carried: _previous, ...next } = step;
    await sink.enqueue([{ ...next, index: step.index + 1, ...(left ? { carried: left } : {}) }]);
  } else {
    await finishUser(deps, step);
  }
  return result;
}

/**
 * The step failed for good (a permanent Jira error, or its attempts used up): the failure is
 * written to the audit log with what the step changed before failing (so undoing the run
 * restores it), counted, and the user's chain ends there — a leaver whose groups could not be
 * removed is not deactivated on top.
 */
export async function recordStepFailure(
  deps: Omit<StepDependencies, 'directories'>,
  step: ActionStep,
  actionId: string,
  reason: string,
): Promise<void> {
  const request = requestOf(step, actionId);
  const logged = await deps.audit.findByAction(actionId);
  const { caveat, ...effect } = await failedStepEffect(
    deps.jira,
    request,
    await deps.progress.rememberedBefore(step.runId, actionId),
  );
  await deps.audit.append({
    runId: step.runId,
    actionId,
    actor: step.actor,
    action: request.action.type,
    user: step.user,
    outcome: 'failed',
    reason: caveat === undefined ? reason : `${reason}; ${caveat}`,
    ...effect,
  });
  // A failure is reported twice (the last attempt, then the worker's `failed` event). While the
  // run applies, its scratch says whether it was counted; once the run is over the scratch is
  // gone, and a failure already in the audit log was counted before the run could end.
  const over = (await deps.runs.get(step.runId))?.status !== 'applying';
  const countedBefore = over && logged !== null;
  if (!countedBefore) await deps.runs.countActionOutcomeOnce(step.runId, actionId, 'failed');
  await finishUser(deps, step);
}

async function finishUser(
  deps: Pick<StepDependencies, 'progress' | 'runs' | 'lifecycle'>,
  step: ActionStep,
): Promise<void> {
  if (!(await deps.progress.finishUser(step.runId, step.user.key))) return;
  const run = await deps.runs.get(step.runId);
  if (!run) return;
  await deps.lifecycle.finishApplying(step.runId, appliedReason(run.counters));
}
