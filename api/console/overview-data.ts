import type { App } from '../../runtime/app.js';
import { QUEUES } from '../../queues/names.js';
import { SCHEDULER_PREFIX } from '../../runtime/schedules.js';
import { VERDICTS, type Verdict } from '../../services/policy/types.js';
import { daysSinceLogin, latestReportableRun } from '../../services/reports/inactive-report.js';
import { licenceReport, type CurrentSeats } from '../../services/reports/licence-report.js';
import type { DirectoryStatus, Run } from '../../services/runs/types.js';

/*
 * What the overview shows, read straight from the stores: the seats and their history, the
 * newest final plan by verdict and by days since last login, the licences freed and given back
 * over time (the audit log), the schedules' next runs and the capabilities switched on.
 */

export const SEATS_DAYS = 90;

/** Days since the last login, as the overview groups them; `upTo` inclusive. */
export const LOGIN_BUCKETS = [
  { label: '0–30 days', upTo: 30 },
  { label: '31–90 days', upTo: 90 },
  { label: '91–180 days', upTo: 180 },
  { label: '181–365 days', upTo: 365 },
  { label: '> 365 days', upTo: Infinity },
] as const;
export const NEVER_BUCKET = 'never logged in';
/** A last login Jira could not tell: not "never" (unknown is not absent). */
export const UNKNOWN_BUCKET = 'unknown';

export interface SeatsSeries {
  application: string;
  current: CurrentSeats | undefined;
  /** Epoch seconds, used, seats (null: unlimited). */
  points: Array<[number, number, number | null]>;
}

export interface FreedPoint {
  /** Epoch seconds of the day (UTC). */
  day: number;
  freed: number;
  restored: number;
}

export interface Overview {
  seats: SeatsSeries[];
  lastRun: Run | null;
  byVerdict: Array<{ verdict: Verdict; count: number }>;
  byLogin: Array<{ label: string; count: number }>;
  /** Cumulative, one point per day something happened. */
  freed: FreedPoint[];
  freedTotal: number;
  restoredTotal: number;
  schedules: Array<{ name: string; cron: string; timezone: string; mode: string; next: string | null }>;
  capabilities: {
    restoreOnLogin: boolean;
    grantOnLogin: string[];
    brake: { maxActions: number; maxPercentOfUsers: number };
    directories: Array<{ source: string; state: DirectoryStatus | undefined }>;
  };
}

/** A final plan does not change: its login buckets are worked out once per run. */
const bucketCache = new Map<string, Array<{ label: string; count: number }>>();
/** The freed-over-time series, until the audit log grows. */
let freedCache: { entries: number; points: FreedPoint[] } | undefined;

export async function loadOverview(app: App): Promise<Overview> {
  const [report, lastRun, freed, schedules] = await Promise.all([
    licenceReport(app.records, { days: SEATS_DAYS }),
    latestReportableRun(app.runs),
    freedOverTime(app),
    nextSchedules(app),
  ]);
  const applications = [
    ...new Set([...report.current.map((r) => r.application), ...report.history.map((r) => r.application)]),
  ].sort();
  const seats = applications.map((application) => ({
    application,
    current: report.current.find((r) => r.application === application),
    points: report.history
      .filter((r) => r.application === application)
      .map((r): [number, number, number | null] => [Date.parse(r.at) / 1000, r.used, r.seats]),
  }));
  const last = freed[freed.length - 1];
  return {
    seats,
    lastRun,
    byVerdict: lastRun
      ? VERDICTS.map((verdict) => ({ verdict, count: lastRun.counters.byVerdict[verdict] ?? 0 })).filter(
          (v) => v.count > 0,
        )
      : [],
    byLogin: lastRun ? await loginBuckets(app, lastRun) : [],
    freed,
    freedTotal: last?.freed ?? 0,
    restoredTotal: last?.restored ?? 0,
    schedules,
    capabilities: {
      restoreOnLogin: app.config.restore.onLogin,
      grantOnLogin: [...app.config.restore.grantOnLogin],
      brake: { ...app.config.brake },
      directories: directoriesOf(app, lastRun),
    },
  };
}

/** Every user of the run's plan, by days since their last login as of the run's asOf. */
export async function loginBuckets(app: App, run: Run): Promise<Array<{ label: string; count: number }>> {
  const cached = bucketCache.get(run.id);
  if (cached) return cached;
  const counts = new Map<string, number>(
    [...LOGIN_BUCKETS.map((b) => b.label), NEVER_BUCKET, UNKNOWN_BUCKET].map((label) => [label, 0]),
  );
  const asOf = new Date(run.asOf);
  for await (const line of app.plans.stream(run.id)) {
    const label =
      line.lastLoginStatus === 'unknown'
        ? UNKNOWN_BUCKET
        : line.lastLoginStatus === 'never' || line.lastLogin === null
          ? NEVER_BUCKET
          : LOGIN_BUCKETS.find((b) => Math.max(0, daysSinceLogin(line, asOf) ?? 0) <= b.upTo)!.label;
    counts.set(label, counts.get(label)! + 1);
  }
  const buckets = [...counts].map(([label, count]) => ({ label, count }));
  if (bucketCache.size > 20) bucketCache.clear();
  bucketCache.set(run.id, buckets);
  return buckets;
}

/**
 * Licences Reclaim took back (revoke-license done) and gave back (restores done), added up
 * day by day from the audit log. An undone revoke counts as given back.
 */
async function freedOverTime(app: App): Promise<FreedPoint[]> {
  const entries = await app.audit.count();
  if (freedCache?.entries === entries) return freedCache.points;
  const byDay = new Map<number, { freed: number; restored: number }>();
  for await (const entry of app.audit.stream()) {
    if (entry.outcome !== 'done') continue;
    const freed = entry.action === 'revoke-license' ? 1 : 0;
    const restored = entry.action === 'restore' || entry.action === 'undo:revoke-license' ? 1 : 0;
    if (freed + restored === 0) continue;
    const day = Math.floor(Date.parse(entry.at) / 86_400_000) * 86_400;
    const sums = byDay.get(day) ?? { freed: 0, restored: 0 };
    sums.freed += freed;
    sums.restored += restored;
    byDay.set(day, sums);
  }
  let freed = 0;
  let restored = 0;
  const points = [...byDay]
    .sort(([a], [b]) => a - b)
    .map(([day, sums]) => {
      freed += sums.freed;
      restored += sums.restored;
      return { day, freed, restored };
    });
  freedCache = { entries, points };
  return points;
}

async function nextSchedules(app: App): Promise<Overview['schedules']> {
  if (app.config.schedule.length === 0) return [];
  const schedulers = await app.registry.queue(QUEUES.runControl).getJobSchedulers();
  return app.config.schedule.map((entry) => {
    const next = schedulers.find((s) => s.key === `${SCHEDULER_PREFIX}${entry.name}`)?.next;
    return {
      name: entry.name,
      cron: entry.cron,
      timezone: entry.timezone,
      mode: entry.mode,
      next: next === undefined ? null : new Date(next).toISOString(),
    };
  });
}

/**
 * The directory sources with the breaker's verdict on each as the newest run saw it; before any
 * run, the configured sources with no verdict yet.
 */
function directoriesOf(app: App, run: Run | null): Overview['capabilities']['directories'] {
  if (run?.directories?.length) return run.directories.map((state) => ({ source: state.source, state }));
  return app.config.directories.sources.map((source) => ({ source: source.type, state: undefined }));
}
