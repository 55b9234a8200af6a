import type { ScheduleEntry } from '../config/schema.js';
import { jobIds } from '../queues/job-ids.js';
import { JOBS, QUEUES } from '../queues/names.js';
import type { QueueRegistry } from '../queues/registry.js';
import type { Logger } from './logger.js';

export const SCHEDULER_PREFIX = 'schedule-';

/**
 * Makes BullMQ's job schedulers match the configuration: one per `schedule` entry (cron with
 * its time zone), and none left over from entries that were removed.
 */
export async function syncSchedules(
  registry: QueueRegistry,
  entries: readonly ScheduleEntry[],
  logger: Logger,
) {
  const queue = registry.queue(QUEUES.runControl);
  const wanted = new Set(entries.map((entry) => `${SCHEDULER_PREFIX}${entry.name}`));
  for (const entry of entries) {
    await queue.upsertJobScheduler(
      `${SCHEDULER_PREFIX}${entry.name}`,
      { pattern: entry.cron, tz: entry.timezone },
      {
        name: JOBS.scheduledRun,
        data: { schedule: entry.name, mode: entry.mode, ...(entry.only ? { only: entry.only } : {}) },
      },
    );
  }
  for (const scheduler of await queue.getJobSchedulers()) {
    if (scheduler.key.startsWith(SCHEDULER_PREFIX) && !wanted.has(scheduler.key)) {
      await queue.removeJobScheduler(scheduler.key);
      logger.info({ schedule: scheduler.key }, 'removed a schedule no longer configured');
    }
  }
  if (entries.length > 0) logger.info({ schedules: entries.map((e) => e.name) }, 'schedules in place');
}

/** How often retention looks for plans to remove. */
export const PRUNE_EVERY_MS = 3600 * 1000;

/** The hourly retention job (runs.retainDays / runs.retainCount); upserting it again is harmless. */
export async function syncRetentionSchedule(registry: QueueRegistry): Promise<void> {
  await registry
    .queue(QUEUES.runControl)
    .upsertJobScheduler(
      jobIds.pruneRunsScheduler,
      { every: PRUNE_EVERY_MS },
      { name: JOBS.pruneRuns, data: {} },
    );
}
