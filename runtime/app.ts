import { AsyncLocalStorage } from 'node:async_hooks';
import type { ReclaimConfig } from '../config/schema.js';
import { createRedis, stateKey, type ConnectionRole, type RedisClient } from '../queues/connection.js';
import { QueueRegistry } from '../queues/registry.js';
import { JiraDataCenterClient } from '../services/jira/client.js';
import type { JiraDirectory } from '../services/jira/jira-directory.js';
import { openRunDirectories } from '../services/pipeline/open-run-directories.js';
import { RunContextCache } from '../services/pipeline/run-context.js';
import type { RunDirectoryView } from '../services/pipeline/run-directory-view.js';
import { SharedRateLimiter } from '../services/ratelimit/shared-rate-limiter.js';
import { ApplyProgress } from '../services/apply/apply-progress.js';
import { AuditLog } from '../services/audit/audit-log.js';
import type { AdminAlerts } from '../services/notify/admin-alerts.js';
import { createMailer, type Mailer } from '../services/notify/mailer.js';
import { MailOutbox, queuedAdminAlerts } from '../services/notify/outbox.js';
import { mailOnRunFinished } from '../services/notify/run-finished.js';
import { MailTemplates } from '../services/notify/templates.js';
import { openRecords } from '../services/records/open-records.js';
import type { RecordsDb } from '../services/records/records-db.js';
import { FirstSeenStore } from '../services/runs/first-seen-store.js';
import { PlanStore } from '../services/runs/plan-store.js';
import { RunLifecycle, type LifecycleHooks } from '../services/runs/run-lifecycle.js';
import { RunStore } from '../services/runs/run-store.js';
import { BatchStore } from '../services/users/batch-store.js';
import type { Run } from '../services/runs/types.js';
import type { Logger } from './logger.js';
import { OpsMetricsStore } from './metrics/ops-metrics-store.js';

/** What the Jira client needs to know about the job it works for. */
export interface JiraRequestScope {
  /** The run whose "Jira requests" counter each HTTP attempt made inside the job adds to. */
  runId: string;
  /** For a long job such as a scan: a 429 is waited out in place instead of failing the job. */
  waitOnRateLimit?: boolean;
}

/**
 * The job a Jira request is made for. Each attempt is counted in Redis as it is sent, not at the
 * end of the job: a run that ends with its last job's request already counts it, and a worker
 * that dies mid-job has still counted what it sent.
 */
export const jiraRequestScope = new AsyncLocalStorage<JiraRequestScope>();

/** Everything a process role works with, built once from the configuration. */
export interface App {
  config: Readonly<ReclaimConfig>;
  logger: Logger;
  prefix: string;
  redis: RedisClient;
  /** What must last (runs, plans, the audit log, histories): PostgreSQL or the embedded store. */
  records: RecordsDb;
  registry: QueueRegistry;
  runs: RunStore;
  /** Every status change of a run goes through it. */
  lifecycle: RunLifecycle;
  plans: PlanStore;
  firstSeen: FirstSeenStore;
  audit: AuditLog;
  applyProgress: ApplyProgress;
  /** User-update batches: their rows and outcomes. */
  batches: BatchStore;
  contexts: RunContextCache;
  /** Alerts to the Jira admins (licence threshold, restore waiting for a seat): mail to notify.admins. */
  alerts: AdminAlerts;
  /** Queues mail (each message once); the notify workers send it. */
  outbox: MailOutbox;
  templates: MailTemplates;
  /** SMTP (notify.smtpUrl), or the log without it; opened on first use. */
  mailer(): Mailer;
  /** Jira requests and job durations, counted in Redis for every process's /metrics scrape. */
  metrics: OpsMetricsStore;
  /**
   * The Jira client; every HTTP attempt passes the ceiling shared by all workers and counts for
   * the run of the current `jiraRequestScope`. Throws when no Jira is configured.
   */
  jira(): JiraDirectory;
  openDirectories(run: Run): Promise<RunDirectoryView>;
  close(): Promise<void>;
}

export class JiraNotConfiguredError extends Error {
  constructor() {
    super(
      'no Jira is configured: set jira.url (or JIRA_URL) and jira.token (or JIRA_TOKEN / JIRA_USER + JIRA_PASSWORD)',
    );
    this.name = 'JiraNotConfiguredError';
  }
}

export function createApp(
  config: Readonly<ReclaimConfig>,
  role: ConnectionRole,
  logger: Logger,
  hooks: Pick<LifecycleHooks, 'discardScratch'> = {},
): App {
  const prefix = config.redis.prefix;
  const redis = createRedis(config.redis, role, `reclaim-${role}`);
  redis.on('error', (error) => logger.warn({ err: error.message }, 'redis connection error'));
  const records = openRecords(config.records);
  const registry = new QueueRegistry(redis, prefix);
  const runs = new RunStore(redis, prefix, records, {
    onRecordsError: (runId, error) =>
      logger.warn(
        { runId, err: error instanceof Error ? error.message : String(error) },
        'run record not written to the records store yet; it is written again later',
      ),
  });
  const plans = new PlanStore(redis, prefix, records, runs);
  // A log an earlier version kept in Redis is copied into the records store at the first use.
  const audit = new AuditLog(records, { importFrom: { redis, prefix } });
  const outbox = new MailOutbox(registry);
  const lifecycle = new RunLifecycle(runs, {
    discardScratch: (runId) => runs.discardScratch(runId),
    ...hooks,
    onFinished: (runId) =>
      mailOnRunFinished({ notify: config.notify, runs, plans, audit, outbox }, runId).catch(
        (error: unknown) =>
          logger.warn(
            { runId, err: error instanceof Error ? error.message : String(error) },
            'could not queue the mail of a run that ended',
          ),
      ),
    onCleanupError: (runId, error) =>
      logger.warn(
        { runId, err: error instanceof Error ? error.message : String(error) },
        'run clean-up failed',
      ),
  });
  const firstSeen = new FirstSeenStore(records, redis, prefix);
  const metrics = new OpsMetricsStore(redis, prefix, (error) =>
    logger.debug({ err: error instanceof Error ? error.message : String(error) }, 'metrics write failed'),
  );
  let jira: JiraDirectory | undefined;
  let mailer: Mailer | undefined;

  return {
    config,
    logger,
    prefix,
    redis,
    records,
    registry,
    runs,
    lifecycle,
    plans,
    firstSeen,
    audit,
    applyProgress: new ApplyProgress(redis, prefix),
    batches: new BatchStore(records),
    contexts: new RunContextCache(redis, prefix, runs, firstSeen),
    metrics,
    alerts: queuedAdminAlerts(outbox),
    outbox,
    templates: new MailTemplates(config.notify.templates),
    mailer() {
      mailer ??= createMailer(config.notify.smtpUrl, config.notify.from, logger);
      return mailer;
    },
    jira() {
      jira ??= createJira(config, redis, prefix, runs, metrics);
      return jira;
    },
    openDirectories: (run) => openRunDirectories(config.directories, run, logger, { redis, prefix }),
    async close() {
      await registry.close();
      // Jobs that ended while the workers closed are counted before the connection goes.
      await metrics.flush();
      await jira?.close();
      mailer?.close();
      await records.close();
      // QUIT waits for a connection that may never come back (a worker's connection retries
      // for ever): with Redis away there is nothing to say goodbye to.
      if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
      else redis.disconnect();
    },
  };
}

function createJira(
  config: Readonly<ReclaimConfig>,
  redis: RedisClient,
  prefix: string,
  runs: RunStore,
  metrics: OpsMetricsStore,
): JiraDirectory {
  const { jira } = config;
  if (!jira.url || (!jira.token && !jira.username)) throw new JiraNotConfiguredError();
  const limiter = new SharedRateLimiter(redis, stateKey(prefix, 'jira-rate'), jira.requestsPerSecond);
  return new JiraDataCenterClient({
    baseUrl: jira.url,
    ...(jira.token ? { token: jira.token } : { username: jira.username!, password: jira.password! }),
    timeoutMs: jira.timeoutMs,
    retries: jira.retries,
    pageSize: jira.pageSize,
    ...(jira.crowd ? { crowd: { username: jira.crowd.application, password: jira.crowd.password } } : {}),
    // Per attempt, not per call: a retry, a detection probe or a Crowd lookup is a request
    // Jira receives like any other.
    beforeAttempt: async () => {
      await limiter.acquire();
      const scope = jiraRequestScope.getStore();
      if (scope) await runs.addJiraRequests(scope.runId, 1);
    },
    onResponse: (event) => metrics.recordJiraResponse(event),
    waitOnRateLimit: () => jiraRequestScope.getStore()?.waitOnRateLimit === true,
  });
}
