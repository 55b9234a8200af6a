import type { Job } from 'bullmq';
import { JOBS, QUEUES } from '../queues/names.js';
import { parsePayload } from '../queues/payloads.js';
import type { App } from '../runtime/app.js';
import { deliverMail } from '../services/notify/deliver.js';
import { recordFinalFailure } from './final-failure.js';
import { asJobOutcome } from './job-errors.js';

/** `send-mail`: one message, sent once (its job id is the message id); retried through an SMTP outage. */
export async function processSendMail(job: Job, app: App, signal: AbortSignal) {
  const message = parsePayload(JOBS.sendMail, job.data);
  const outcome = await asJobOutcome(
    job,
    app.registry.queue(QUEUES.notify),
    signal,
    () =>
      deliverMail(
        {
          notify: app.config.notify,
          templates: app.templates,
          runs: app.runs,
          plans: app.plans,
          audit: app.audit,
          redis: app.redis,
          prefix: app.prefix,
          mailer: app.mailer(),
          logger: app.logger,
        },
        job.id!,
        message,
      ),
    { onFinalFailure: (error) => recordFinalFailure(app, job, error.message) },
  );
  return { outcome };
}
