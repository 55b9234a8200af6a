import { runKey, type RedisClient } from '../../queues/connection.js';
import { VERDICTS } from '../policy/types.js';
import { bucketedSetKeys } from './bucketed-set.js';

/*
 * The one place that names the keys of a run. Every key goes through runKey, so all of them
 * share the run's hash tag: one Redis Cluster slot per run (runs spread over the masters), which
 * the multi-key Lua scripts need and which lets discardRunScratch remove a run's keys in one
 * command. The index of runs is the installation's (runs/keys.ts), in another slot: no script
 * touches it together with a run's keys.
 *
 * Each key has a class, which says how long it lives:
 *   record  — the run's summary (record, counters, notes): kept while the run is in flight;
 *             when it is over, RunStore moves it to the records store (PostgreSQL) and removes
 *             these keys and the run's index entry.
 *   plan    — the run's live plan (lines, verdict indexes, reason dictionary): written while
 *             users are evaluated, removed once the plan is archived in the records store
 *             (PlanStore.archive), or by retention (runs.retainDays / runs.retainCount).
 *   scratch — working data of a stage (users seen, deferred leavers, group members, apply
 *             bookkeeping): removed when the run ends (done, failed, cancelled), and each write
 *             gives it a TTL as a safety net, so nothing a crashed run leaves behind lives forever.
 */

export type RunKeyClass = 'record' | 'plan' | 'scratch';

/** How long a scratch key outlives its last write if the run never reaches its end. */
export const SCRATCH_TTL_SECONDS = 14 * 24 * 3600;
/**
 * The states before each action live as long as a failed action job is kept (30 days,
 * queues/job-options.ts): retried by hand in that time, the action must still find the state
 * before its first attempt, or the audit log (and so undo) would record a later one.
 */
export const ACTION_BEFORE_TTL_SECONDS = 30 * 24 * 3600;

/** Class record: in Redis while the run is in flight, then in the records store. */
export function runRecordKeys(prefix: string, runId: string) {
  return {
    record: runKey(prefix, runId),
    counters: runKey(prefix, runId, 'counters'),
    notes: runKey(prefix, runId, 'notes'),
  };
}

/** Class plan: removed once archived in the records store (or by retention). */
export function runPlanKeys(prefix: string, runId: string) {
  return {
    /**
     * Live form, while users are evaluated: one sorted set per verdict, in VERDICTS order, of
     * `user key NUL encoded line` members, all at score 0, so they sort by user key. One entry a
     * user holds the line and its place in the pages at once (plan-store.ts).
     */
    linesByVerdict: VERDICTS.map((verdict) => runKey(prefix, runId, 'plan', 'lines', verdict)),
    /** The plan's reason sentences, interned: id → [signal, rule, threshold?] (plan-dictionary.ts). */
    dictionary: runKey(prefix, runId, 'plan', 'reasons'),
    /**
     * The live form of earlier versions (a hash of lines, one sorted set of user keys per
     * verdict): never written any more, only removed with the plan.
     */
    legacy: [
      runKey(prefix, runId, 'plan', 'lines'),
      ...VERDICTS.map((verdict) => runKey(prefix, runId, 'plan', 'verdict', verdict)),
    ],
  };
}

/** Class scratch: removed when the run ends, TTL on every write. */
export function runScratchKeys(prefix: string, runId: string) {
  return {
    /** The scan's set of users listed so far: a bucketed set (bucketed-set.ts) under this base. */
    seenUsers: runKey(prefix, runId, 'seen-users'),
    /** Leavers held back until the directory is judged plausible. */
    deferred: runKey(prefix, runId, 'deferred'),
    licenceGroups: runKey(prefix, runId, 'licence-groups'),
    /** The (lower-cased) group names that have a members set: how discard finds them. */
    memberGroups: runKey(prefix, runId, 'member-groups'),
    /** A group's members: a bucketed set (bucketed-set.ts) under this base. */
    members: (group: string) => runKey(prefix, runId, 'members', group.toLowerCase()),
    applyState: runKey(prefix, runId, 'apply'),
    applyFinished: runKey(prefix, runId, 'apply', 'finished'),
    applyCounted: runKey(prefix, runId, 'apply', 'counted'),
    /** action id → the user's state before that action's first attempt. */
    applyBefore: runKey(prefix, runId, 'apply', 'before'),
    /** action id → the re-check's decision for the user's chain, kept for every retry. */
    applyRecheck: runKey(prefix, runId, 'apply', 'recheck'),
    /** Held-back leavers whose absence the per-user look-ups confirmed. */
    deferredConfirmed: runKey(prefix, runId, 'deferred-confirmed'),
    /** User key → that user's facts from Jira's database (jira.database). */
    databaseFacts: runKey(prefix, runId, 'database-facts'),
    /** The groups Jira's database says hold the administer permissions. */
    databaseAdminGroups: runKey(prefix, runId, 'database-admin-groups'),
    /** `username NUL group` for every direct membership Crowd's /group/membership lists. */
    crowdUserGroups: runKey(prefix, runId, 'crowd-user-groups'),
  };
}

/** The scratch keys whose names are fixed (members:<group>:… are found through memberGroups). */
function fixedScratchKeys(prefix: string, runId: string): string[] {
  const keys = runScratchKeys(prefix, runId);
  return [
    ...bucketedSetKeys(keys.seenUsers),
    // Where earlier versions kept the users seen (one SET): removed with the rest.
    runKey(prefix, runId, 'seen'),
    keys.deferred,
    keys.deferredConfirmed,
    keys.licenceGroups,
    keys.databaseFacts,
    keys.databaseAdminGroups,
    keys.crowdUserGroups,
    keys.applyState,
    keys.applyFinished,
    keys.applyCounted,
    keys.applyBefore,
    keys.applyRecheck,
  ];
}

/** Gives scratch keys their safety-net TTL; call it with (or after) each write. */
export async function expireScratch(redis: RedisClient, ...keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  const pipeline = redis.pipeline();
  for (const key of keys) pipeline.expire(key, SCRATCH_TTL_SECONDS);
  await pipeline.exec();
}

/**
 * Removes every scratch key of a run: what a run that ended (done, failed, cancelled) no longer
 * needs. Idempotent. The run's record and plan are untouched. Returns how many keys went.
 */
export async function discardRunScratch(redis: RedisClient, prefix: string, runId: string): Promise<number> {
  const keys = runScratchKeys(prefix, runId);
  const groups = await redis.smembers(keys.memberGroups);
  const all = [
    ...fixedScratchKeys(prefix, runId),
    // The base itself was the whole set in earlier versions.
    ...groups.flatMap((g) => [keys.members(g), ...bucketedSetKeys(keys.members(g))]),
    keys.memberGroups,
  ];
  return unlinkKeys(redis, all);
}

/**
 * Removes the keys (all of one run: one hash slot) in slices, so that a bucketed set's 16,385
 * keys or a run with very many groups never build one huge command. Returns how many went.
 */
export async function unlinkKeys(redis: RedisClient, keys: readonly string[]): Promise<number> {
  let removed = 0;
  for (let i = 0; i < keys.length; i += 500) removed += await redis.unlink(...keys.slice(i, i + 500));
  return removed;
}
