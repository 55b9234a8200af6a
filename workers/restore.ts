import { DelayedError, type Job } from 'bullmq';
import { jobIds } from '../queues/job-ids.js';
import { JOBS, QUEUES } from '../queues/names.js';
import { parsePayload } from '../queues/payloads.js';
import type { QueueRegistry } from '../queues/registry.js';
import type { App } from '../runtime/app.js';
import {
  grantLicense,
  restoreUser,
  type GiveBackDeps,
  type GiveBackOutcome,
} from '../services/restore/give-back.js';
import { pollLogins, type PollDeps, type PollSummary } from '../services/restore/login-poll.js';
import type { LoginDeps } from '../services/restore/note-login.js';
import { RestoreLedger } from '../services/restore/restore-ledger.js';
import type { FailedJob } from './final-failure.js';
import { asJobOutcome } from './job-errors.js';

const ledgers = new WeakMap<App, RestoreLedger>();

/** The restore ledger of the app's records store. */
export function restoreLedger(app: App): RestoreLedger {
  let ledger = ledgers.get(app);
  if (!ledger) ledgers.set(app, (ledger = new RestoreLedger(app.records)));
  return ledger;
}

export function giveBackDeps(app: App): GiveBackDeps {
  return {
    jira: app.jira(),
    audit: app.audit,
    ledger: restoreLedger(app),
    redis: app.redis,
    prefix: app.prefix,
    alerts: app.alerts,
  };
}

export function loginDeps(app: App): LoginDeps {
  return { config: app.config, registry: app.registry, ledger: restoreLedger(app), audit: app.audit };
}

export function pollDeps(app: App): PollDeps {
  return {
    ...loginDeps(app),
    jira: app.jira(),
    database: app.config.jira.database,
    pageSize: app.config.jira.pageSize,
    logger: app.logger,
  };
}

/**
 * `restore-user` and `grant-license`. Without a free seat the job is moved back to delayed
 * (no attempt spent) and looks again after `restore.seatRetrySeconds`.
 */
export async function processRestore(job: Job, app: App, signal: AbortSignal, token?: string) {
  const deps = giveBackDeps(app);
  const ledger = deps.ledger;
  const outcome: GiveBackOutcome = await asJobOutcome(
    job,
    app.registry.queue(QUEUES.restore),
    signal,
    () => {
      if (job.name === JOBS.grantLicense) {
        return grantLicense(
          deps,
          parsePayload(JOBS.grantLicense, job.data),
          job.id!,
          new Date(job.timestamp),
        );
      }
      return restoreUser(deps, parsePayload(JOBS.restoreUser, job.data));
    },
    { onFinalFailure: (error) => ledger.setState(job.id!, 'failed', { reason: error.message }) },
  );
  if (outcome.status === 'waiting') {
    app.logger.info({ jobId: job.id, applications: outcome.applications }, 'restore waits for a free seat');
    await job.moveToDelayed(Date.now() + app.config.restore.seatRetrySeconds * 1000, token);
    throw new DelayedError();
  }
  return {
    state: outcome.state,
    ...(outcome.entry ? { auditId: outcome.entry.id } : {}),
    ...(outcome.reason ? { reason: outcome.reason } : {}),
  };
}

/** A restore or grant that failed for good without its processor seeing it: its ledger row says so. */
export async function recordRestoreFailure(app: App, job: FailedJob, reason: string): Promise<void> {
  if (job.id) await restoreLedger(app).setState(job.id, 'failed', { reason });
}

/** `poll-logins`: one poll of the watched users' last logins. */
export async function processPollLogins(job: Job, app: App, signal: AbortSignal): Promise<PollSummary> {
  const summary = await asJobOutcome(job, app.registry.queue(QUEUES.restore), signal, () =>
    pollLogins(pollDeps(app)),
  );
  if (summary.loggedInAgain > 0 || summary.grantsQueued > 0) app.logger.info(summary, 'login poll');
  return summary;
}

const MINUTE_MS = 60_000;

/**
 * The login poll as a BullMQ job scheduler on the restore queue (every `restore.pollMinutes`,
 * once however many workers run), while restore on login or grant on login is on.
 */
export async function scheduleLoginPoll(registry: QueueRegistry, config: App['config']): Promise<void> {
  const queue = registry.queue(QUEUES.restore);
  if (!config.restore.onLogin && config.restore.grantOnLogin.length === 0) {
    await queue.removeJobScheduler(jobIds.restorePoll);
    return;
  }
  await queue.upsertJobScheduler(
    jobIds.restorePoll,
    { every: Math.max(1_000, Math.round(config.restore.pollMinutes * MINUTE_MS)) },
    {
      name: JOBS.pollLogins,
      data: {},
      // The next poll comes soon anyway: no retries, and only the last few kept for Bull Board.
      opts: { attempts: 1, removeOnComplete: { count: 50 }, removeOnFail: { count: 50 } },
    },
  );
}
