import type { Job } from 'bullmq';
import { jobIds } from '../queues/job-ids.js';
import { JOBS, QUEUES } from '../queues/names.js';
import type { QueueRegistry } from '../queues/registry.js';
import type { App } from '../runtime/app.js';
import { LicenceHistory } from '../services/licences/licence-history.js';
import { checkLicences, type LicenceCheckResult } from '../services/licences/licence-monitor.js';

/**
 * The licence monitor as a job scheduler on the run-control queue, every
 * license.checkEveryMinutes: it fires once per interval however many workers run, the first
 * time one interval after start.
 */
export async function scheduleLicenceCheck(registry: QueueRegistry, everyMinutes: number): Promise<void> {
  const every = everyMinutes * 60_000;
  const queue = registry.queue(QUEUES.runControl);
  // Already in place with this interval: left alone, so that workers starting again and again
  // do not push the next check further out each time.
  if ((await queue.getJobScheduler(jobIds.licenseCheckScheduler))?.every === every) return;
  await queue.upsertJobScheduler(
    jobIds.licenseCheckScheduler,
    { every, startDate: Date.now() + every },
    {
      name: JOBS.licenseCheck,
      data: {},
      // The next check comes soon anyway: a few retries, the last few kept for Bull Board.
      opts: { attempts: 3, removeOnComplete: { count: 50 }, removeOnFail: { count: 50 } },
    },
  );
}

export function licenceCheck(app: App): Promise<LicenceCheckResult> {
  return checkLicences({
    applicationRoles: () => app.jira().applicationRoles(),
    applications: app.config.jira.applications,
    license: app.config.license,
    history: new LicenceHistory(app.records),
    alerts: app.alerts,
    redis: app.redis,
    prefix: app.prefix,
  });
}

/** `license-check`: records each managed application's seats and alerts on the threshold. */
export async function processLicenseCheck(_job: Job, app: App) {
  if (!app.config.jira.url) return { skipped: 'no Jira configured' };
  const result = await licenceCheck(app);
  if (result.missing.length > 0)
    app.logger.warn({ missing: result.missing }, 'managed application(s) without seat counts in this Jira');
  return {
    readings: result.readings.length,
    alerted: result.alerted,
    missing: result.missing,
    pruned: result.pruned,
  };
}
