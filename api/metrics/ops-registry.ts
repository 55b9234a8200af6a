import { Registry } from 'prom-client';
import type { Queue } from 'bullmq';
import { ALL_QUEUES } from '../../queues/names.js';
import { JiraNotConfiguredError, type App } from '../../runtime/app.js';
import { JOB_DURATION_BUCKETS } from '../../runtime/metrics/ops-metrics-store.js';
import type { ApplicationRole } from '../../services/jira/types.js';
import type { Run } from '../../services/runs/types.js';

/*
 * Everything /metrics shows is read at scrape time: queue counts from BullMQ, Jira requests and
 * job durations from the Redis counters the workers keep (runtime/metrics/), run counters and
 * directory breakers from the newest runs, licence seats from Jira. Nothing is kept in this
 * process, so any API process answers for all workers and a restart loses nothing.
 */

const JOB_STATES = [
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'waiting-children',
  'completed',
  'failed',
] as const;
/** Seats change slowly and each read is a Jira request: one read per this long at most. */
const SEATS_CACHE_MS = 60_000;
/** A seat read that takes longer is given up for this scrape. */
const SEATS_TIMEOUT_MS = 5_000;
/** How far back the newest dry run and apply run are looked for. */
const RUNS_LOOKED_AT = 50;

/** prom-client's shape of a metric's values (metricName for a histogram's _bucket/_sum/_count). */
type Values = Array<{ labels?: Record<string, string | number>; value: number; metricName?: string }>;

/** A metric whose values are computed per scrape; prom-client formats it like its own. */
function scraped(
  registry: Registry,
  name: string,
  help: string,
  type: 'counter' | 'gauge' | 'histogram',
  values: () => Promise<Values>,
): void {
  const metric = {
    name,
    help,
    type,
    aggregator: 'sum' as const,
    async get() {
      return { name, help, type, aggregator: 'sum', values: await values() };
    },
  };
  registry.registerMetric(metric as never);
}

export function opsMetricsRegistry(app: App): Registry {
  const registry = new Registry();
  const snapshot = memoPerScrape(() => app.metrics.read());
  const newestRuns = memoPerScrape(() => newestRunPerMode(app));
  const seats = seatsReader(app);

  scraped(
    registry,
    'reclaim_jobs',
    'Jobs per queue and state (BullMQ counts at scrape time).',
    'gauge',
    async () => {
      const values: Values = [];
      await Promise.all(
        ALL_QUEUES.map(async (queue) => {
          const counts = await (app.registry.queue(queue) as Queue).getJobCounts(...JOB_STATES);
          for (const state of JOB_STATES)
            values.push({ labels: { queue, state }, value: counts[state] ?? 0 });
        }),
      );
      return values;
    },
  );

  scraped(
    registry,
    'reclaim_job_duration_seconds',
    'How long job attempts ran per queue and outcome, recorded by the workers.',
    'histogram',
    async () =>
      (await snapshot()).jobDurations.flatMap((h) => {
        const labels = { queue: h.queue, outcome: h.outcome };
        return [
          ...[...JOB_DURATION_BUCKETS, '+Inf'].map((le, i) => ({
            metricName: 'reclaim_job_duration_seconds_bucket',
            labels: { ...labels, le },
            value: h.buckets[i] ?? 0,
          })),
          { metricName: 'reclaim_job_duration_seconds_sum', labels, value: h.sum },
          { metricName: 'reclaim_job_duration_seconds_count', labels, value: h.count },
        ];
      }),
  );

  scraped(
    registry,
    'reclaim_jira_requests_total',
    'HTTP attempts to Jira by route template and status (`error`: no response).',
    'counter',
    async () =>
      (await snapshot()).jiraRequests.map((r) => ({
        labels: { route: r.route, status: r.status },
        value: r.count,
      })),
  );
  scraped(
    registry,
    'reclaim_jira_rate_limited_total',
    'Jira answers of 429 Too Many Requests.',
    'counter',
    async () => [{ value: (await snapshot()).jiraRateLimited }],
  );
  scraped(
    registry,
    'reclaim_jira_retries_total',
    'Jira requests tried again after a transient failure.',
    'counter',
    async () => [{ value: (await snapshot()).jiraRetries }],
  );

  scraped(
    registry,
    'reclaim_run_users',
    'Users per verdict in the newest run of each mode.',
    'gauge',
    async () =>
      (await newestRuns()).flatMap((run) =>
        Object.entries(run.counters.byVerdict).map(([verdict, value]) => ({
          labels: { mode: run.mode, run_id: run.id, verdict },
          value,
        })),
      ),
  );
  scraped(
    registry,
    'reclaim_run_actions',
    'Actions per outcome (planned, done, failed, skipped, not-possible) in the newest run of each mode.',
    'gauge',
    async () =>
      (await newestRuns()).flatMap((run) => {
        const c = run.counters;
        const planned = Object.values(c.byAction).reduce((sum, n) => sum + n, 0);
        const outcomes = {
          planned,
          done: c.actionsDone,
          failed: c.actionsFailed,
          skipped: c.actionsSkipped,
          'not-possible': c.actionsNotPossible,
        };
        return Object.entries(outcomes).map(([outcome, value]) => ({
          labels: { mode: run.mode, run_id: run.id, outcome },
          value,
        }));
      }),
  );
  scraped(
    registry,
    'reclaim_directory_trusted',
    "Each directory source's breaker in the newest run that asked it: 1 trusted, 0 tripped (not believed).",
    'gauge',
    async () => {
      const runs = await newestRuns();
      const seen = new Map<string, Values[number]>();
      for (const run of [...runs].sort((a, b) => b.createdAt.localeCompare(a.createdAt))) {
        for (const dir of run.directories ?? []) {
          if (!seen.has(dir.source))
            seen.set(dir.source, {
              labels: { source: dir.source, run_id: run.id },
              value: dir.trusted ? 1 : 0,
            });
        }
      }
      return [...seen.values()];
    },
  );

  scraped(
    registry,
    'reclaim_licence_seats',
    "Jira's licence seats per application: used and total (absent when Jira does not say, or has no limit).",
    'gauge',
    async () =>
      (await seats()).flatMap((role) => [
        ...(role.userCount === undefined
          ? []
          : [{ labels: { application: role.key, kind: 'used' }, value: role.userCount }]),
        ...(role.hasUnlimitedSeats || role.numberOfSeats === undefined || role.numberOfSeats < 0
          ? []
          : [{ labels: { application: role.key, kind: 'total' }, value: role.numberOfSeats }]),
      ]),
  );

  return registry;
}

/** One read shared by the metrics of one scrape (they are collected concurrently). */
function memoPerScrape<T>(read: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    if (!pending) {
      pending = read();
      void pending.then(
        () => setImmediate(() => (pending = undefined)),
        () => (pending = undefined),
      );
    }
    return pending;
  };
}

async function newestRunPerMode(app: App): Promise<Run[]> {
  const runs = await app.runs.list({ limit: RUNS_LOOKED_AT });
  const newest = new Map<string, Run>();
  for (const run of runs) if (!newest.has(run.mode)) newest.set(run.mode, run);
  return [...newest.values()];
}

/** Seat counts from Jira, cached once read; unknown (no Jira, Jira failing) leaves the series out. */
function seatsReader(app: App): () => Promise<ApplicationRole[]> {
  let cached: { at: number; roles: ApplicationRole[] } | undefined;
  return async () => {
    if (cached && Date.now() - cached.at < SEATS_CACHE_MS) return cached.roles;
    try {
      // A slow Jira must not hold the scrape past Prometheus' own timeout.
      cached = { at: Date.now(), roles: await withinMs(app.jira().applicationRoles(), SEATS_TIMEOUT_MS) };
    } catch (error) {
      // No Jira configured on this process: seats are simply unknown, not worth a warning.
      if (!(error instanceof JiraNotConfiguredError))
        app.logger.warn(
          { err: error instanceof Error ? error.message : String(error) },
          'licence seats unknown',
        );
      // Not cached: a 429 or a blip is asked again at the next scrape (one request per scrape).
      return [];
    }
    return cached.roles;
  };
}

function withinMs<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Jira within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
