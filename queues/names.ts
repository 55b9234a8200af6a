/*
 * The one list of queues and job names. One queue per kind of work, and one per Jira
 * operation of the apply stage, so that a limit on one (Jira's per-endpoint rate limit, a
 * slow directory) pauses only that kind of work.
 */

export const QUEUES = {
  scan: 'scan',
  evaluate: 'evaluate',
  /** Housekeeping: finishing a run, starting its apply stage, scheduled runs, retention. */
  runControl: 'run-control',
  revokeLicense: 'revoke-license',
  removeGroups: 'remove-groups',
  addGroups: 'add-groups',
  deactivate: 'deactivate',
  rename: 'rename',
  undo: 'undo',
  /** One row of a user update (the users API, a bulk update): an operator's edit of one user. */
  userUpdate: 'user-update',
  /** Giving back what a reclaim took (on login or on request) and granting licences on login. */
  restore: 'restore',
  /** Mail: run summaries, alerts to the admins, warnings and notices to users. */
  notify: 'notify',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export const JOBS = {
  scanRun: 'scan-run',
  evaluateUser: 'evaluate-user',
  finishRun: 'finish-run',
  scheduledRun: 'scheduled-run',
  startApply: 'start-apply',
  /** Retention: removes the plans of old finished runs (a job scheduler, hourly). */
  pruneRuns: 'prune-runs',
  revokeLicense: 'revoke-license',
  removeGroups: 'remove-groups',
  addGroups: 'add-groups',
  deactivate: 'deactivate',
  rename: 'rename',
  undoAction: 'undo-action',
  undoRun: 'undo-run',
  /** Scheduled: finishes or fails the runs whose work is gone. */
  sweepRuns: 'sweep-runs',
  updateUser: 'update-user',
  /** Reverses every change of one user-update batch. */
  undoBatch: 'undo-batch',
  /** Gives one user back what their last reclaim took (audited as `restore`). */
  restoreUser: 'restore-user',
  /** Gives a user who logged in without a licence its application's default group (`grant`). */
  grantLicense: 'grant-license',
  /** Scheduled: reads the reclaimed users' last logins and queues their restores. */
  pollLogins: 'poll-logins',
  /** One mail message; its job id is the message's, so it is sent once. */
  sendMail: 'send-mail',
  /** Scheduled: records each managed application's seats and alerts on the threshold. */
  licenseCheck: 'license-check',
} as const;

export type JobName = (typeof JOBS)[keyof typeof JOBS];

/** Which queue carries each job name. */
export const JOB_QUEUE: Record<JobName, QueueName> = {
  [JOBS.scanRun]: QUEUES.scan,
  [JOBS.evaluateUser]: QUEUES.evaluate,
  [JOBS.finishRun]: QUEUES.runControl,
  [JOBS.scheduledRun]: QUEUES.runControl,
  [JOBS.startApply]: QUEUES.runControl,
  [JOBS.pruneRuns]: QUEUES.runControl,
  [JOBS.revokeLicense]: QUEUES.revokeLicense,
  [JOBS.removeGroups]: QUEUES.removeGroups,
  [JOBS.addGroups]: QUEUES.addGroups,
  [JOBS.deactivate]: QUEUES.deactivate,
  [JOBS.rename]: QUEUES.rename,
  [JOBS.undoAction]: QUEUES.undo,
  [JOBS.undoRun]: QUEUES.undo,
  [JOBS.sweepRuns]: QUEUES.runControl,
  [JOBS.updateUser]: QUEUES.userUpdate,
  [JOBS.undoBatch]: QUEUES.undo,
  [JOBS.restoreUser]: QUEUES.restore,
  [JOBS.grantLicense]: QUEUES.restore,
  [JOBS.pollLogins]: QUEUES.restore,
  [JOBS.sendMail]: QUEUES.notify,
  [JOBS.licenseCheck]: QUEUES.runControl,
};

/** The action queues: each job makes Jira calls of one kind. */
export const ACTION_QUEUES: QueueName[] = [
  QUEUES.revokeLicense,
  QUEUES.removeGroups,
  QUEUES.addGroups,
  QUEUES.deactivate,
  QUEUES.rename,
];

export const ALL_QUEUES: QueueName[] = Object.values(QUEUES);

export function isQueueName(value: string): value is QueueName {
  return (ALL_QUEUES as string[]).includes(value);
}
