import { JOBS, type JobName } from '../queues/names.js';
import type { App } from '../runtime/app.js';
import { processAction } from './action.js';
import { processEvaluate } from './evaluate.js';
import type { Processor } from './host.js';
import { processLicenseCheck } from './license-check.js';
import { processSendMail } from './notify.js';
import { processFinishRun, processPruneRuns, processScheduledRun, processStartApply } from './run-control.js';
import { processPollLogins, processRestore } from './restore.js';
import { processScan } from './scan.js';
import { processSweepRuns } from './sweep-runs.js';
import { processUndo } from './undo.js';
import { processUndoBatch } from './undo-batch.js';
import { processUserUpdate } from './user-update.js';

/** The processor of every job name: start-up refuses to run with one missing. */
export const PROCESSORS: Record<JobName, Processor<App>> = {
  [JOBS.scanRun]: processScan,
  [JOBS.evaluateUser]: processEvaluate,
  [JOBS.finishRun]: processFinishRun,
  [JOBS.scheduledRun]: processScheduledRun,
  [JOBS.startApply]: processStartApply,
  [JOBS.pruneRuns]: processPruneRuns,
  [JOBS.revokeLicense]: processAction,
  [JOBS.removeGroups]: processAction,
  [JOBS.addGroups]: processAction,
  [JOBS.deactivate]: processAction,
  [JOBS.rename]: processAction,
  [JOBS.undoAction]: processUndo,
  [JOBS.undoRun]: processUndo,
  [JOBS.sweepRuns]: processSweepRuns,
  [JOBS.updateUser]: processUserUpdate,
  [JOBS.undoBatch]: processUndoBatch,
  [JOBS.restoreUser]: processRestore,
  [JOBS.grantLicense]: processRestore,
  [JOBS.pollLogins]: processPollLogins,
  [JOBS.sendMail]: processSendMail,
  [JOBS.licenseCheck]: processLicenseCheck,
};
