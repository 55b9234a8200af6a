import type { Redis } from 'ioredis';
import type { ReclaimConfig } from '../../config/schema.js';
import { summarizeRun } from '../reports/run-summary.js';
import type { PlanStore } from './plan-store.js';
import { discardRunScratch } from './run-keyspace.js';
import { isFinal } from './run-status.js';
import type { RunStore } from './run-store.js';
import type { Run } from './types.js';

/*
 * Retention of plans. A nightly run over a million users leaves a plan of tens of megabytes;
 * kept for good, they fill Redis within weeks, and with `noeviction` BullMQ then stops. So the
 * plan (and any per-run key left behind) of a finished run goes once the run is older than
 * retainDays or not among the newest retainCount finished runs. A run in progress or awaiting
 * approval is never touched, whatever its age. The run's summary — record, counters, notes —
 * and the audit log stay: what was decided and done remains answerable; only the line-by-line
 * plan is gone, and the run says so.
 */

export type RetentionConfig = ReclaimConfig['runs'];

export interface PruneCandidate {
  id: string;
  status: Run['status'];
  createdAt: string;
  finishedAt?: string;
  /** Why retention takes its plan. */
  reason: string;
  /** Lines of its plan. */
  lines: number;
}

export interface PruneResult {
  dryRun: boolean;
  /** The runs whose plans were removed (or would be, with dryRun). */
  runs: PruneCandidate[];
  lines: number;
  /** Redis keys removed (0 with dryRun). */
  keys: number;
}

export interface PruneDependencies {
  redis: Redis;
  prefix: string;
  runs: RunStore;
  plans: PlanStore;
}

/** What a reader of a pruned plan is told instead of an empty plan. */
export function planPrunedMessage(run: Pick<Run, 'id' | 'planPrunedAt'>): string {
  return `the plan of run ${run.id} was pruned ${run.planPrunedAt} by retention (runs.retainDays / runs.retainCount); the run's summary and the audit log are kept`;
}

const DAY_MS = 24 * 3600 * 1000;
const LIST_PAGE = 100;

/** The finished runs, newest first, whose plans retention takes (already pruned ones left out). */
export async function findPrunableRuns(
  runs: RunStore,
  retention: RetentionConfig,
  now: Date = new Date(),
): Promise<PruneCandidate[]> {
  const candidates: PruneCandidate[] = [];
  const oldest = now.getTime() - retention.retainDays * DAY_MS;
  let finishedSeen = 0;
  let before: string | undefined;
  for (;;) {
    const page = await runs.list({ limit: LIST_PAGE, ...(before ? { before } : {}) });
    for (const run of page) {
      if (!isFinal(run.status)) continue;
      // A run pruned earlier still holds its place among the newest.
      const rank = finishedSeen++;
      if (run.planPrunedAt !== undefined) continue;
      const endedAt = Date.parse(run.finishedAt ?? run.createdAt);
      const reasons = [
        ...(endedAt < oldest ? [`older than ${retention.retainDays} days`] : []),
        ...(rank >= retention.retainCount
          ? [`not among the newest ${retention.retainCount} finished runs`]
          : []),
      ];
      if (reasons.length === 0) continue;
      candidates.push({
        id: run.id,
        status: run.status,
        createdAt: run.createdAt,
        ...(run.finishedAt ? { finishedAt: run.finishedAt } : {}),
        reason: reasons.join(', '),
        lines: run.counters.evaluated,
      });
    }
    if (page.length < LIST_PAGE) break;
    before = page.at(-1)!.id;
  }
  return candidates;
}

/** Removes the plans (and leftover per-run keys) of the runs retention takes; see the top. */
export async function pruneRuns(
  deps: PruneDependencies,
  retention: RetentionConfig,
  options: { dryRun?: boolean; now?: Date } = {},
): Promise<PruneResult> {
  const now = options.now ?? new Date();
  const candidates = await findPrunableRuns(deps.runs, retention, now);
  const result: PruneResult = { dryRun: options.dryRun === true, runs: [], lines: 0, keys: 0 };
  for (const candidate of candidates) {
    if (!result.dryRun) {
      // Marked first: a reader then says "pruned" rather than show a half-removed plan.
      const run = await deps.runs.get(candidate.id);
      if (!run) continue;
      // The one figure of the summary that needs the lines: worked out while they are here.
      const { licencesFreed } = await summarizeRun(deps.plans, run);
      await deps.runs.markPlanPruned(candidate.id, candidate.reason, licencesFreed, now);
      result.keys += await deps.plans.delete(candidate.id);
      result.keys += await discardRunScratch(deps.redis, deps.prefix, candidate.id);
    }
    result.runs.push(candidate);
    result.lines += candidate.lines;
  }
  return result;
}
