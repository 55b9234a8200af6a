import { ACTION_QUEUES, JOB_QUEUE, JOBS, type JobName } from '../queues/names.js';
import { parsePayload } from '../queues/payloads.js';
import type { App } from '../runtime/app.js';
import { recordStepFailure } from '../services/apply/run-action-step.js';
import { recordEvaluationFailure } from '../services/pipeline/evaluate-user.js';
import { evaluationSink } from './evaluation-sink.js';
import { recordRestoreFailure } from './restore.js';
import { recordUserUpdateFailure } from './user-update.js';

/** The parts of a BullMQ job this needs (a Job, or what the sweeper read of a failed one). */
export interface FailedJob {
  id?: string | undefined;
  name: string;
  data: unknown;
}

/** The jobs of the action queues: one step of a user's chain each. */
const ACTION_JOBS = (Object.keys(JOB_QUEUE) as JobName[]).filter((job) =>
  ACTION_QUEUES.includes(JOB_QUEUE[job]),
);

/**
 * A job failed for good: what its run keeps of it. Called from the processor's last attempt,
 * from the worker's `failed` event (which also fires for a job BullMQ failed without running
 * it, e.g. "job stalled more than allowable limit") and from the run sweeper for failed jobs
 * whose event was lost — so it is idempotent: a run already over is left alone, a user's
 * failure is written and counted once.
 */
export async function recordFinalFailure(app: App, job: FailedJob, reason: string): Promise<void> {
  const name = job.name as JobName;
  switch (name) {
    case JOBS.scanRun: {
      const { runId } = parsePayload(JOBS.scanRun, job.data);
      await app.lifecycle.fail(runId, `scan failed: ${reason}`);
      return;
    }
    case JOBS.finishRun: {
      const { runId } = parsePayload(JOBS.finishRun, job.data);
      await app.lifecycle.fail(runId, `finishing the run failed: ${reason}`);
      return;
    }
    case JOBS.startApply: {
      const { runId } = parsePayload(JOBS.startApply, job.data);
      await app.lifecycle.fail(runId, `starting the apply stage failed: ${reason}`);
      return;
    }
    case JOBS.evaluateUser: {
      const request = parsePayload(JOBS.evaluateUser, job.data);
      // A user who has a line already (the last attempt wrote it) keeps it; re-recording the
      // same line changes nothing and says whether the plan is complete.
      const existing = await app.plans.get(request.runId, request.user.key);
      const { complete } = existing
        ? await app.plans.record(request.runId, existing)
        : await recordEvaluationFailure(app.plans, request, reason);
      if (complete) await evaluationSink(app).finish(request.runId);
      return;
    }
    case JOBS.updateUser:
      await recordUserUpdateFailure(app, job, reason);
      return;
    case JOBS.restoreUser:
    case JOBS.grantLicense:
      await recordRestoreFailure(app, job, reason);
      return;
    case JOBS.undoRun: {
      const { runId, actor } = parsePayload(JOBS.undoRun, job.data);
      await noteOnRun(app, runId, `undo by ${actor} failed: ${reason}; asking again is safe`);
      return;
    }
    case JOBS.undoAction: {
      const { actionId, actor } = parsePayload(JOBS.undoAction, job.data);
      const entry = await app.audit.findByAction(actionId);
      if (entry)
        await noteOnRun(
          app,
          entry.runId,
          `undo of action ${actionId} by ${actor} failed: ${reason}; asking again is safe`,
        );
      return;
    }
    case JOBS.sendMail: {
      const message = parsePayload(JOBS.sendMail, job.data);
      // A warning or a notice belongs to a run as much as its summary does: the run says so.
      if (message.kind === 'run-summary')
        await noteOnRun(app, message.runId, `the run summary mail could not be sent: ${reason}`);
      else if (message.kind === 'warning' || message.kind === 'offboarded')
        await noteOnRun(
          app,
          message.runId,
          `the ${message.kind === 'warning' ? 'warning' : 'offboarding notice'} mail to ${message.user.name} could not be sent: ${reason}`,
        );
      else app.logger.error({ messageId: job.id, kind: message.kind, reason }, 'a mail could not be sent');
      return;
    }
    default:
      if (ACTION_JOBS.includes(name) && job.id) {
        const step = parsePayload(name as 'revoke-license', job.data);
        await recordStepFailure(
          {
            jira: app.jira(),
            audit: app.audit,
            runs: app.runs,
            lifecycle: app.lifecycle,
            progress: app.applyProgress,
          },
          step,
          job.id,
          reason,
        );
      }
    // Scheduled runs, the sweep, retention and batch undo belong to no run: Bull Board shows them.
  }
}

/** A note on the run an undo was for, once however often the failure is reported. */
async function noteOnRun(app: App, runId: string, note: string): Promise<void> {
  const run = await app.runs.get(runId);
  if (run && !run.notes.includes(note)) await app.runs.addNote(runId, note);
}
