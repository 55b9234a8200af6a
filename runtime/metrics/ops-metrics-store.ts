import { stateKey, type RedisClient } from '../../queues/connection.js';
import type { JiraResponseEvent } from '../../services/jira/http.js';
import { jiraRouteTemplate } from '../../services/jira/route-template.js';

/*
 * Metrics that happen in worker processes (Jira requests, job durations), kept as counters in
 * Redis so that one scrape of the API's /metrics sees every worker on every machine, a worker
 * that restarted keeps its history, and no worker needs a port of its own. The API reads them
 * at scrape time (see api/metrics/).
 */

/** Upper bounds (seconds) of the job-duration buckets; +Inf is implicit. */
export const JOB_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

const SEP = '\u001f';

/**
 * How long counts are summed in memory before they are written: short enough that a scrape
 * right after a run sees its jobs and requests, long enough that one write covers many.
 */
const METRICS_FLUSH_MS = 25;

export interface JiraRequestCount {
  route: string;
  status: string;
  count: number;
}

export interface JobDurationHistogram {
  queue: string;
  outcome: string;
  /** Cumulative count per bucket of JOB_DURATION_BUCKETS, then +Inf. */
  buckets: number[];
  sum: number;
  count: number;
}

export interface OpsMetricsSnapshot {
  jiraRequests: JiraRequestCount[];
  jiraRetries: number;
  jiraRateLimited: number;
  jobDurations: JobDurationHistogram[];
}

export class OpsMetricsStore {
  private readonly jiraKey: string;
  private readonly jiraTotalsKey: string;
  private readonly jobsKey: string;
  /** Counts per hash field (Jira routes, job histogram buckets) and duration sums, not yet written. */
  private readonly pendingCounts = new Map<string, Map<string, number>>();
  private readonly pendingSums = new Map<string, number>();
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    /** Told when a write fails: metrics never fail the work they describe. */
    private readonly onError: (error: unknown) => void = () => {},
  ) {
    this.jiraKey = stateKey(prefix, 'metrics', 'jira-requests');
    this.jiraTotalsKey = stateKey(prefix, 'metrics', 'jira-totals');
    this.jobsKey = stateKey(prefix, 'metrics', 'job-durations');
  }

  /**
   * One HTTP attempt to Jira and how it ended; fire and forget. Summed in memory and written
   * with the job counts (METRICS_FLUSH_MS): a transaction per request cost more CPU than the
   * request's own handling.
   */
  recordJiraResponse(event: JiraResponseEvent): void {
    this.count(this.jiraKey, `${jiraRouteTemplate(event.method, event.path)}${SEP}${event.status}`);
    if (event.attempt > 1) this.count(this.jiraTotalsKey, 'retries');
    if (event.status === 429) this.count(this.jiraTotalsKey, 'rate-limited');
  }

  /**
   * One job that ran to an end (completed or failed) on a queue; fire and forget. Jobs end by
   * the thousand per second: their counts are summed here and written together a moment later,
   * one transaction for many jobs instead of one each.
   */
  recordJobDuration(queue: string, outcome: 'completed' | 'failed', seconds: number): void {
    const series = `${queue}${SEP}${outcome}`;
    const bucket = JOB_DURATION_BUCKETS.findIndex((bound) => seconds <= bound);
    this.count(this.jobsKey, `${series}${SEP}${bucket === -1 ? 'inf' : bucket}`);
    const sumField = `${series}${SEP}sum`;
    this.pendingSums.set(sumField, (this.pendingSums.get(sumField) ?? 0) + seconds);
  }

  private count(key: string, field: string): void {
    let counts = this.pendingCounts.get(key);
    if (!counts) this.pendingCounts.set(key, (counts = new Map()));
    counts.set(field, (counts.get(field) ?? 0) + 1);
    this.flushTimer ??= setTimeout(() => void this.flush(), METRICS_FLUSH_MS).unref();
  }

  /** Writes the counts summed since the last write; the app calls it before it closes. */
  async flush(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.pendingCounts.size === 0) return;
    const multi = this.redis.multi();
    for (const [key, counts] of this.pendingCounts)
      for (const [field, count] of counts) multi.hincrby(key, field, count);
    for (const [field, sum] of this.pendingSums) multi.hincrbyfloat(this.jobsKey, field, sum);
    this.pendingCounts.clear();
    this.pendingSums.clear();
    await multi.exec().catch(this.onError);
  }

  async read(): Promise<OpsMetricsSnapshot> {
    const [jira, totals, jobs] = await Promise.all([
      this.redis.hgetall(this.jiraKey),
      this.redis.hgetall(this.jiraTotalsKey),
      this.redis.hgetall(this.jobsKey),
    ]);
    const jiraRequests = Object.entries(jira).map(([field, count]) => {
      const [route = '', status = ''] = field.split(SEP);
      return { route, status, count: Number(count) };
    });
    return {
      jiraRequests,
      jiraRetries: Number(totals.retries ?? 0),
      jiraRateLimited: Number(totals['rate-limited'] ?? 0),
      jobDurations: histograms(jobs),
    };
  }
}

function histograms(fields: Record<string, string>): JobDurationHistogram[] {
  const bySeries = new Map<string, { perBucket: number[]; sum: number }>();
  for (const [field, value] of Object.entries(fields)) {
    const [queue = '', outcome = '', part = ''] = field.split(SEP);
    const key = `${queue}${SEP}${outcome}`;
    let series = bySeries.get(key);
    if (!series) {
      series = { perBucket: new Array<number>(JOB_DURATION_BUCKETS.length + 1).fill(0), sum: 0 };
      bySeries.set(key, series);
    }
    if (part === 'sum') series.sum = Number(value);
    else series.perBucket[part === 'inf' ? JOB_DURATION_BUCKETS.length : Number(part)]! += Number(value);
  }
  return [...bySeries].map(([key, { perBucket, sum }]) => {
    const [queue = '', outcome = ''] = key.split(SEP);
    let running = 0;
    const buckets = perBucket.map((n) => (running += n));
    return { queue, outcome, buckets, sum, count: running };
  });
}
