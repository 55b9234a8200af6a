import { createHash } from 'node:crypto';

/*
 * Deterministic job ids: adding the same work twice (a scan page re-read after a crash, two
 * schedulers firing) yields the same id, and BullMQ keeps only the first. BullMQ ids must not
 * contain ":" and must not be all digits, so user keys (free text in Jira) are hashed.
 */

function digest(value: string): string {
  return createHash('sha256').update(value).digest('base64url').slice(0, 22);
}

export const jobIds = {
  scanRun: (runId: string) => `scan-${runId}`,
  evaluateUser: (runId: string, userKey: string) => `eval-${runId}-${digest(userKey)}`,
  finishRun: (runId: string) => `finish-${runId}`,
  startApply: (runId: string) => `apply-${runId}`,
  /** The job scheduler of retention (one per Redis prefix, however many workers upsert it). */
  pruneRunsScheduler: 'retention-prune',
  /** One step of a user's chain of actions; also the action's id in the audit log. */
  actionStep: (runId: string, userKey: string, index: number) => `act-${runId}-${digest(userKey)}-${index}`,
  undoAction: (actionId: string) => `undo-${actionId}`,
  undoRun: (runId: string) => `undo-run-${runId}`,
  /** One row of a user-update batch (rows are numbered from 1 in the order received). */
  updateUser: (batchId: string, row: number) => `uu-${batchId}-${row}`,
  /** An undo of a batch; each request its own job (stamp), like a run's undo. */
  undoBatch: (batchId: string, stamp: string) => `undo-batch-${batchId}-${stamp}`,
  /** The job scheduler of the run sweeper (one, however many workers upsert it). */
  runSweeper: 'run-sweeper',
  /**
   * The restore a login asks for: one per user and reclaiming run, however many times (poll,
   * webhook, both) the login is reported.
   */
  restoreOnLogin: (userKey: string, runId: string) => `rst-${digest(`${userKey}\n${runId}`)}`,
  /** A restore asked for by an operator: each request its own (stamp). */
  restoreOnDemand: (userKey: string, stamp: string) => `rst-${digest(userKey)}-${stamp}`,
  /** A grant on login: one per user, application and login. */
  grantOnLogin: (user: string, application: string, loginMs: number) =>
    `grant-${digest(`${user}\n${application}`)}-${loginMs}`,
  /** The job scheduler of the login poll. */
  restorePoll: 'restore-poll',
  /** The run summary mail of one run (sent once, whoever ends the run and however often). */
  mailRunSummary: (runId: string) => `mail-run-summary-${runId}`,
  /** An alert to the admins: the alert's own id makes it one message. */
  mailAlert: (alertId: string) => `mail-alert-${safePart(alertId)}`,
  /** A user's warning: one per warning (the user and the day it was given). */
  mailWarning: (userKey: string, warnedAt: string) => `mail-warning-${digest(userKey)}-${safePart(warnedAt)}`,
  /** The notice to a user who left the company, once per run that took their access. */
  mailOffboarded: (runId: string, userKey: string) => `mail-offboarded-${runId}-${digest(userKey)}`,
  /** The job scheduler of the licence monitor. */
  licenseCheckScheduler: 'license-check',
};

/** A caller's id as a job id part: kept when it is plain, hashed when it holds ":" or other signs. */
function safePart(value: string): string {
  return /^[A-Za-z0-9_.-]{1,80}$/.test(value) ? value : digest(value);
}

const DIGEST = '[A-Za-z0-9_-]{22}';

/** Matches the ids of one run's evaluate jobs, and only that run's (run ids may hold "-"). */
export function evaluationIdsOf(runId: string): RegExp {
  return new RegExp(`^eval-${runId}-${DIGEST}$`);
}

/** Matches the ids of one run's action steps. */
export function stepIdsOf(runId: string): RegExp {
  return new RegExp(`^act-${runId}-${DIGEST}-\\d+$`);
}
