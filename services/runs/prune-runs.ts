import type { ReclaimConfig } from '../../config/schema.js';
import { summarizeRun } from '../reports/run-summary.js';
import type { PlanStore } from './plan-store.js';
import { SCRATCH_TTL_SECONDS, discardRunScratch } from './run-keyspace.js';
import { isFinal } from './run-status.js';
import type { RunStore } from './run-store.js';
import type { Run } from './types.js';
import type { RedisClient } from '../../queues/connection.js';

/*
 * Retention of plans. A nightly run over a million users leaves a plan of tens of megabytes;
 * kept for good, they fill Redis within weeks, and with `noeviction` BullMQ then stops. So the
 * plan (and any per-run key left behind) of a finished run goes once the run is older than
 * retainDays or not among the newest retainCount finished runs. A run in progress or awaiting
 * approval is never touched, whatever its age. The run's summary — record, counters, notes —
 * and the audit log stay: what was decided and done remains answerable; only the line-by-line
 * plan is gone, and the run says so. Plans are kept in the records store (plan_lines), so
 * pruning deletes rows there. The same pass drops any scratch key a late job wrote for a run
 * that ended recently (after the run's own discard), and archives the partial plan of a run
 * that ended before it was planned (failed, cancelled): it is still shown (`reclaim plan`, the
 * API) like any other until retention takes it, and no plan key outlives its run in Redis.
 */

export type RetentionConfig = Pick<ReclaimConfig['runs'], 'retainDays' | 'retainCount'>;

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
  /** Plan rows removed from the records store (0 with dryRun). */
  rows: number;
  /** Redis keys removed (0 with dryRun). */
  keys: number;
}

export interface PruneDependencies {
  redis: RedisClient;
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
  return (await walkFinishedRuns(runs, retention, now)).candidates;
}

/**
 * One walk over the runs, newest first: the prunable ones, and the ones that ended within a
 * scratch TTL (whose scratch keys, should a late job have written one, have not expired yet).
 */
async function walkFinishedRuns(
  runs: RunStore,
  retention: RetentionConfig,
  now: Date,
): Promise<{ candidates: PruneCandidate[]; recentlyEnded: Array<{ id: string; planPruned: boolean }> }> {
  const candidates: PruneCandidate[] = [];
  const recentlyEnded: Array<{ id: string; planPruned: boolean }> = [];
  const oldest = now.getTime() - retention.retainDays * DAY_MS;
  const scratchHorizon = now.getTime() - SCRATCH_TTL_SECONDS * 1000;
  let finishedSeen = 0;
  let before: string | undefined;
  for (;;) {
    const page = await runs.list({ limit: LIST_PAGE, ...(before ? { before } : {}) });
    for (const run of page) {
      if (!isFinal(run.status)) continue;
      // A run pruned earlier still holds its place among the newest.
      const rank = finishedSeen++;
      const endedAt = Date.parse(run.finishedAt ?? run.createdAt);
      if (endedAt >= scratchHorizon)
        recentlyEnded.push({ id: run.id, planPruned: run.planPrunedAt !== undefined });
      if (run.planPrunedAt !== undefined) continue;
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
  return { candidates, recentlyEnded };
}

/** Removes the plans (and leftover per-run keys) of the runs retention takes; see the top. */
export async function pruneRuns(
  deps: PruneDependencies,
  retention: RetentionConfig,
  options: { dryRun?: boolean; now?: Date } = {},
): Promise<PruneResult> {
  const now = options.now ?? new Date();
  const { candidates, recentlyEnded } = await walkFinishedRuns(deps.runs, retention, now);
  const result: PruneResult = { dryRun: options.dryRun === true, runs: [], lines: 0, rows: 0, keys: 0 };
  for (const candidate of candidates) {
    if (!result.dryRun) {
      const run = await deps.runs.get(candidate.id);
      if (!run) continue;
      // The one figure of the summary that needs the lines: worked out while they are here.
      const { licencesFreed } = await summarizeRun(deps.plans, run);
      // Marked before the removal: a reader then says "pruned", never shows half a plan.
      await deps.runs.markPlanPruned(candidate.id, candidate.reason, licencesFreed, now);
      const removed = await deps.plans.delete(candidate.id);
      result.rows += removed.rows;
      result.keys += removed.keys;
      result.keys += await discardRunScratch(deps.redis, deps.prefix, candidate.id);
    }
    result.runs.push(candidate);
    result.lines += candidate.lines;
  }
  if (!result.dryRun) {
    const pruned = new Set(result.runs.map((r) => r.id));
    for (const { id, planPruned } of recentlyEnded) {
      // A job still running when its run was cancelled may have written scratch after the discard.
      result.keys += await discardRunScratch(deps.redis, deps.prefix, id);
      // A run that failed or was cancelled while evaluating kept its plan in Redis.
      if (!planPruned && !pruned.has(id)) await deps.plans.archive(id);
    }
  }
  return result;
}
