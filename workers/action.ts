import type { Job } from 'bullmq';
import { JOB_QUEUE, type JobName } from '../queues/names.js';
import { parsePayload } from '../queues/payloads.js';
import { jiraRequestScope, type App } from '../runtime/app.js';
import { recordStepFailure, runActionStep } from '../services/apply/run-action-step.js';
import { actionSink, stepId } from './action-sink.js';
import { asJobOutcome } from './job-errors.js';

/**
 * `revoke-license`, `remove-groups`, `add-groups`, `deactivate`, `rename`: one step of a user's
 * chain of actions. The job id is the action's id in the audit log.
 */
export async function processAction(job: Job, app: App, signal: AbortSignal) {
  const step = parsePayload(job.name as 'revoke-license', job.data);
  const actionId = stepId(step);
  const deps = { jira: app.jira(), audit: app.audit, runs: app.runs, progress: app.applyProgress };
  return asJobOutcome(
    job,
    app.registry.queue(JOB_QUEUE[job.name as JobName]),
    signal,
    // Counted for the run like the scan's and the evaluation's requests.
    () =>
      jiraRequestScope.run({ runId: step.runId }, () => runActionStep(deps, step, actionId, actionSink(app))),
    { onFinalFailure: (error) => recordStepFailure(deps, step, actionId, error.message) },
  );
}
