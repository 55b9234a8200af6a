import { auditEntryForAction } from '../actions/audit-entry.js';
import { executeAction } from '../actions/execute-action.js';
import type { ActionRequest, ActionResult } from '../actions/types.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { JiraDirectory } from '../jira/jira-directory.js';
import type { ActionStep } from '../../queues/payloads.js';
import { appliedReason, type RunLifecycle } from '../runs/run-lifecycle.js';
import type { RunStore } from '../runs/run-store.js';
import type { ApplyProgress } from './apply-progress.js';
import type { ActionSink } from './start-apply.js';

export interface StepDependencies {
  jira: JiraDirectory;
  audit: AuditLog;
  runs: RunStore;
  lifecycle: RunLifecycle;
  progress: ApplyProgress;
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
 * since the plan, gone), which ends the chain. The user's last step may finish the run.
 */
export async function runActionStep(
  deps: StepDependencies,
  step: ActionStep,
  actionId: string,
  sink: ActionSink,
): Promise<StepOutcome> {
  const run = await deps.runs.get(step.runId);
  if (!run || run.status !== 'applying') {
    await finishUser(deps, step);
    return { outcome: 'not-run', reason: `the run is ${run?.status ?? 'gone'}` };
  }
  const request = requestOf(step, actionId);
  const result = await executeAction(
    { jira: deps.jira, rememberBefore: (snapshot) => deps.progress.rememberBefore(actionId, snapshot) },
    request,
  );
  await deps.audit.append(auditEntryForAction(request, result, step.actor));
  if (await deps.progress.countOnce(step.runId, actionId)) {
    await deps.runs.countActionOutcome(step.runId, result.outcome);
  }
  if (step.index + 1 < step.actions.length && result.outcome !== 'skipped') {
    await sink.enqueue([{ ...step, index: step.index + 1 }]);
  } else {
    await finishUser(deps, step);
  }
  return result;
}

/**
 * The step failed for good (a permanent Jira error, or its attempts used up): the failure is
 * written to the audit log and counted, and the user's chain ends there — a leaver whose groups
 * could not be removed is not deactivated on top.
 */
export async function recordStepFailure(
  deps: Omit<StepDependencies, 'jira'>,
  step: ActionStep,
  actionId: string,
  reason: string,
): Promise<void> {
  const request = requestOf(step, actionId);
  await deps.audit.append({
    runId: step.runId,
    actionId,
    actor: step.actor,
    action: request.action.type,
    user: step.user,
    before: null,
    after: null,
    outcome: 'failed',
    reason,
    changes: [],
  });
  if (await deps.progress.countOnce(step.runId, actionId))
    await deps.runs.countActionOutcome(step.runId, 'failed');
  await finishUser(deps, step);
}

async function finishUser(deps: Omit<StepDependencies, 'jira'>, step: ActionStep): Promise<void> {
  if (!(await deps.progress.finishUser(step.runId, step.user.key))) return;
  const run = await deps.runs.get(step.runId);
  if (!run) return;
  await deps.lifecycle.finishApplying(step.runId, appliedReason(run.counters));
}
