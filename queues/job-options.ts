import type { DefaultJobOptions } from 'bullmq';
import { QUEUES, type QueueName } from './names.js';

/*
 * Retention keeps Redis bounded: a finished job is kept long enough to be read in Bull Board,
 * then trimmed by age and count. Failed jobs are kept longer: they are what an operator looks for.
 */
const retention = {
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 14 * 24 * 3600, count: 50_000 },
} satisfies DefaultJobOptions;

/** Exponential backoff with jitter, so many workers retrying after one outage do not stampede. */
const backoff = { type: 'exponential', delay: 2_000, jitter: 0.5 } as const;

/** Actions change Jira: kept longer, so an operator can see every one in Bull Board. */
const actionOptions: DefaultJobOptions = {
  attempts: 10,
  backoff,
  removeOnComplete: { age: 7 * 24 * 3600, count: 100_000 },
  removeOnFail: { age: 30 * 24 * 3600, count: 100_000 },
};

/**
 * Mail waits out an SMTP outage: 5 s, 10 s, 20 s … doubling, 14 attempts in all — the last
 * retry comes about 11 hours after the first failure. Kept a week for Bull Board.
 */
const notifyOptions: DefaultJobOptions = {
  attempts: 14,
  backoff: { type: 'exponential', delay: 5_000, jitter: 0.3 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
  removeOnFail: { age: 30 * 24 * 3600, count: 10_000 },
};

export const JOB_OPTIONS: Record<QueueName, DefaultJobOptions> = {
  [QUEUES.scan]: { attempts: 5, backoff, ...retention },
  [QUEUES.evaluate]: { attempts: 8, backoff, ...retention, removeOnComplete: { age: 3600, count: 1_000 } },
  [QUEUES.runControl]: { attempts: 10, backoff, ...retention },
  [QUEUES.revokeLicense]: actionOptions,
  [QUEUES.removeGroups]: actionOptions,
  [QUEUES.addGroups]: actionOptions,
  [QUEUES.deactivate]: actionOptions,
  [QUEUES.rename]: actionOptions,
  [QUEUES.undo]: { attempts: 10, backoff, ...retention },
  [QUEUES.userUpdate]: actionOptions,
  // A restore waiting for a seat is delayed, not failed: its attempts are spent on errors only.
  [QUEUES.restore]: actionOptions,
  [QUEUES.notify]: notifyOptions,
};
