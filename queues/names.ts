/*
 * The one list of queues and job names. One queue per kind of work so that a limit on one
 * (Jira's per-endpoint rate limit, a slow directory) pauses only that kind of work.
 */

export const QUEUES = {
  scan: 'scan',
  evaluate: 'evaluate',
  /** Housekeeping for a run: finishing it once every user is evaluated. */
  runControl: 'run-control',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export const JOBS = {
  scanRun: 'scan-run',
  evaluateUser: 'evaluate-user',
  finishRun: 'finish-run',
  scheduledRun: 'scheduled-run',
} as const;

export type JobName = (typeof JOBS)[keyof typeof JOBS];

/** Which queue carries each job name. */
export const JOB_QUEUE: Record<JobName, QueueName> = {
  [JOBS.scanRun]: QUEUES.scan,
  [JOBS.evaluateUser]: QUEUES.evaluate,
  [JOBS.finishRun]: QUEUES.runControl,
  [JOBS.scheduledRun]: QUEUES.runControl,
};

export const ALL_QUEUES: QueueName[] = Object.values(QUEUES);

export function isQueueName(value: string): value is QueueName {
  return (ALL_QUEUES as string[]).includes(value);
}
