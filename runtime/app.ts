import { AsyncLocalStorage } from 'node:async_hooks';
import type { Redis } from 'ioredis';
import type { ReclaimConfig } from '../config/schema.js';
import { createRedis, stateKey, type ConnectionRole } from '../queues/connection.js';
import { QueueRegistry } from '../queues/registry.js';
import { JiraDataCenterClient } from '../services/jira/client.js';
import type { JiraDirectory } from '../services/jira/jira-directory.js';
import { openRunDirectories } from '../services/pipeline/open-run-directories.js';
import { RunContextCache } from '../services/pipeline/run-context.js';
import type { RunDirectoryView } from '../services/pipeline/run-directory-view.js';
import { rateLimitedJira } from '../services/ratelimit/rate-limited-jira.js';
import { SharedRateLimiter } from '../services/ratelimit/shared-rate-limiter.js';
import { ApplyProgress } from '../services/apply/apply-progress.js';
import { AuditLog } from '../services/audit/audit-log.js';
import { FirstSeenStore } from '../services/runs/first-seen-store.js';
import { PlanStore } from '../services/runs/plan-store.js';
import { RunStore } from '../services/runs/run-store.js';
import type { Run } from '../services/runs/types.js';
import type { Logger } from './logger.js';

/**
 * The Jira requests made inside one job: counted, so they can be added to its run's counters,
 * and, for a long job such as a scan, whether a 429 is waited out in place.
 */
export const jiraRequestScope = new AsyncLocalStorage<{ count: number; waitOnRateLimit?: boolean }>();

/** Everything a process role works with, built once from the configuration. */
export interface App {
  config: Readonly<ReclaimConfig>;
  logger: Logger;
  prefix: string;
  redis: Redis;
  registry: QueueRegistry;
  runs: RunStore;
  plans: PlanStore;
  firstSeen: FirstSeenStore;
  audit: AuditLog;
  applyProgress: ApplyProgress;
  contexts: RunContextCache;
  /** The Jira client, rate limited across all workers; throws when no Jira is configured. */
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

export function createApp(config: Readonly<ReclaimConfig>, role: ConnectionRole, logger: Logger): App {
  const prefix = config.redis.prefix;
  const redis = createRedis(config.redis.url, role, `reclaim-${role}`);
  redis.on('error', (error) => logger.warn({ err: error.message }, 'redis connection error'));
  const registry = new QueueRegistry(redis, prefix);
  const runs = new RunStore(redis, prefix);
  const plans = new PlanStore(redis, prefix);
  const firstSeen = new FirstSeenStore(redis, prefix);
  let jira: JiraDirectory | undefined;

  return {
    config,
    logger,
    prefix,
    redis,
    registry,
    runs,
    plans,
    firstSeen,
    audit: new AuditLog(redis, prefix),
    applyProgress: new ApplyProgress(redis, prefix),
    contexts: new RunContextCache(redis, prefix, runs, firstSeen),
    jira() {
      jira ??= createJira(config, redis, prefix);
      return jira;
    },
    openDirectories: (run) => openRunDirectories(config.directories, run, logger, { redis, prefix }),
    async close() {
      await registry.close();
      await jira?.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

function createJira(config: Readonly<ReclaimConfig>, redis: Redis, prefix: string): JiraDirectory {
  const { jira } = config;
  if (!jira.url || (!jira.token && !jira.username)) throw new JiraNotConfiguredError();
  const client = new JiraDataCenterClient({
    baseUrl: jira.url,
    ...(jira.token ? { token: jira.token } : { username: jira.username!, password: jira.password! }),
    timeoutMs: jira.timeoutMs,
    retries: jira.retries,
    pageSize: jira.pageSize,
    ...(jira.crowd ? { crowd: { username: jira.crowd.application, password: jira.crowd.password } } : {}),
    onRequest: () => {
      const scope = jiraRequestScope.getStore();
      if (scope) scope.count += 1;
    },
    waitOnRateLimit: () => jiraRequestScope.getStore()?.waitOnRateLimit === true,
  });
  const limiter = new SharedRateLimiter(redis, stateKey(prefix, 'jira-rate'), jira.requestsPerSecond);
  return rateLimitedJira(client, limiter);
}
