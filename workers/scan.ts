import type { Job } from 'bullmq';
import { JOBS, QUEUES } from '../queues/names.js';
import { parsePayload } from '../queues/payloads.js';
import { jiraRequestScope, type App } from '../runtime/app.js';
import { scanRun } from '../services/pipeline/scan-run.js';
import { evaluationSink } from './evaluation-sink.js';
import { recordFinalFailure } from './final-failure.js';
import { asJobOutcome } from './job-errors.js';

/** `scan-run`: lists the whole Jira directory of one run into evaluate jobs. */
export async function processScan(job: Job, app: App, signal: AbortSignal) {
  const { runId } = parsePayload(JOBS.scanRun, job.data);
  // One long job: a 429 is waited out in place rather than restarting the whole scan.
  const scope = { runId, waitOnRateLimit: true };
  return asJobOutcome(
    job,
    app.registry.queue(QUEUES.scan),
    signal,
    () =>
      jiraRequestScope.run(scope, () =>
        scanRun(
          {
            redis: app.redis,
            prefix: app.prefix,
            config: app.config,
            logger: app.logger,
            jira: app.jira(),
            runs: app.runs,
            lifecycle: app.lifecycle,
            plans: app.plans,
            firstSeen: app.firstSeen,
            openDirectories: app.openDirectories,
          },
          runId,
          evaluationSink(app),
          signal,
        ),
      ),
    { onFinalFailure: (error) => recordFinalFailure(app, job, error.message) },
  );
}
