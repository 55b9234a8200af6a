import type { Job } from 'bullmq';
import { JOB_QUEUE, type JobName } from '../queues/names.js';
import { parsePayload } from '../queues/payloads.js';
import { jiraRequestScope, type App } from '../runtime/app.js';
import { recordStepFailure, runActionStep } from '../services/apply/run-action-step.js';
import { RowCountBaseline } from '../services/directories/csv/row-count-baseline.js';
import { createDirectoryProviders } from '../services/directories/create-directory-providers.js';
import type { DirectoryProvider } from '../services/directories/directory-provider.js';
import { actionSink, stepId } from './action-sink.js';
import { asJobOutcome } from './job-errors.js';

/** The configured external directories, built once per app: the re-check asks them about leavers. */
const providersByApp = new WeakMap<App, readonly DirectoryProvider[]>();

function directoryProviders(app: App): readonly DirectoryProvider[] {
  let providers = providersByApp.get(app);
  if (!providers) {
    // A CSV source is compared with its last believed row count here too (never recorded: a
    // re-check is no run), so a shrunken export cannot confirm a leaver either.
    const { sources, maxAbsentPercent } = app.config.directories;
    providers = createDirectoryProviders(sources, {
      rowCounts: {
        baseline: new RowCountBaseline(app.redis, app.prefix),
        maxShrinkPercent: maxAbsentPercent,
        record: false,
      },
    });
    providersByApp.set(app, providers);
  }
  return providers;
}

/**
 * `revoke-license`, `remove-groups`, `add-groups`, `deactivate`, `rename`: one step of a user's
 * chain of actions. The job id is the action's id in the audit log.
 */
export async function processAction(job: Job, app: App, signal: AbortSignal) {
  const step = parsePayload(job.name as 'revoke-license', job.data);
  const actionId = stepId(step);
  const deps = {
    jira: app.jira(),
    audit: app.audit,
    runs: app.runs,
    lifecycle: app.lifecycle,
    progress: app.applyProgress,
    directories: directoryProviders(app),
    combine: app.config.directories.combine,
  };
  return asJobOutcome(
    job,
    app.registry.queue(JOB_QUEUE[job.name as JobName]),
    signal,
    // Counted for the run like the scan's and the evaluation's requests.
    () =>
      jiraRequestScope.run({ runId: step.runId }, () =>
        runActionStep(deps, step, actionId, actionSink(app), isFirstAttempt(job)),
      ),
    { onFinalFailure: (error) => recordStepFailure(deps, step, actionId, error.message) },
  );
}

/** Never tried before: no failed attempt, and not handed back after a crash (a stalled job). */
function isFirstAttempt(job: Job): boolean {
  return job.attemptsMade === 0 && job.attemptsStarted <= 1;
}
