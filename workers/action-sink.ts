import { jobIds } from '../queues/job-ids.js';
import type { JobName } from '../queues/names.js';
import type { ActionStep } from '../queues/payloads.js';
import type { App } from '../runtime/app.js';
import type { ActionSink } from '../services/apply/start-apply.js';

/** Each step goes to the queue of its Jira operation, under a fixed id. */
export function actionSink(app: App): ActionSink {
  return {
    async enqueue(steps: ActionStep[]) {
      const byJob = new Map<JobName, ActionStep[]>();
      for (const step of steps) {
        const job = step.actions[step.index]!.type as JobName;
        byJob.set(job, [...(byJob.get(job) ?? []), step]);
      }
      for (const [job, group] of byJob) {
        await app.registry.addBulk(
          job,
          group.map((step) => ({ data: step, jobId: stepId(step) })),
        );
      }
    },
  };
}

export function stepId(step: ActionStep): string {
  return jobIds.actionStep(step.runId, step.user.key, step.index);
}
