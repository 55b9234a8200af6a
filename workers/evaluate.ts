import type { Job } from 'bullmq';
import { JOBS, QUEUES } from '../queues/names.js';
import { parsePayload } from '../queues/payloads.js';
import { jiraRequestScope, type App } from '../runtime/app.js';
import { evaluateScannedUser, recordEvaluationFailure } from '../services/pipeline/evaluate-user.js';
import { WarningStore } from '../services/notify/warning-store.js';
import { evaluationSink } from './evaluation-sink.js';
import { asJobOutcome } from './job-errors.js';

/** `evaluate-user`: one user's verdict, recorded in the run's plan. */
export async function processEvaluate(job: Job, app: App, signal: AbortSignal) {
  const request = parsePayload(JOBS.evaluateUser, job.data);
  const scope = { runId: request.runId };
  const outcome = await asJobOutcome(
    job,
    app.registry.queue(QUEUES.evaluate),
    signal,
    () =>
      jiraRequestScope.run(scope, () =>
        evaluateScannedUser(
          {
            jira: app.jira(),
            plans: app.plans,
            contexts: app.contexts,
            ...(app.config.notify.warnUsersDaysBefore > 0
              ? {
                  warnings: {
                    daysBefore: app.config.notify.warnUsersDaysBefore,
                    store: new WarningStore(app.redis, app.prefix),
                    outbox: app.outbox,
                  },
                }
              : {}),
          },
          request,
        ),
      ),
    {
      // The user still gets a line (undetermined, with the error), so the run can finish and
      // says what went wrong; the job stays failed in Bull Board.
      onFinalFailure: async (error) => {
        const { complete } = await recordEvaluationFailure(app.plans, request, error.message);
        if (complete) await evaluationSink(app).finish(request.runId);
      },
    },
  );
  if (outcome.status === 'recorded' && outcome.complete) await evaluationSink(app).finish(request.runId);
  return outcome;
}
