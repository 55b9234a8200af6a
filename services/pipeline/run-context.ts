import { recordedAdminGroups } from '../jira-database/recorded-admin-groups.js';
import type { PolicyContext } from '../policy/types.js';
import type { FirstSeenStore } from '../runs/first-seen-store.js';
import { runScratchKeys } from '../runs/run-keyspace.js';
import type { RunStore } from '../runs/run-store.js';
import type { Run } from '../runs/types.js';
import type { RedisClient } from '../../queues/connection.js';

/** What every evaluation of a run needs, read once per run and process rather than per user. */
export interface RunContext {
  run: Run;
  policyContext: PolicyContext;
}

/** The licence groups a run's scan found, kept for its evaluations. */
export function licenceGroupsKey(prefix: string, runId: string): string {
  return runScratchKeys(prefix, runId).licenceGroups;
}

/**
 * A short-lived cache: a run's policy and asOf never change, its status does (a cancel must
 * reach the evaluations within a moment), so entries live `ttlMs`.
 */
export class RunContextCache {
  private readonly entries = new Map<string, { context: Promise<RunContext | null>; until: number }>();

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly runs: RunStore,
    private readonly firstSeen: FirstSeenStore,
    private readonly ttlMs = 2_000,
  ) {}

  get(runId: string): Promise<RunContext | null> {
    const now = Date.now();
    const entry = this.entries.get(runId);
    if (entry && entry.until > now) return entry.context;
    const context = this.load(runId);
    this.entries.set(runId, { context, until: now + this.ttlMs });
    context.catch(() => this.entries.delete(runId));
    if (this.entries.size > 100) this.entries.delete(this.entries.keys().next().value!);
    return context;
  }

  private async load(runId: string): Promise<RunContext | null> {
    const [run, licenceGroups, firstScanAt] = await Promise.all([
      this.runs.get(runId),
      this.redis.smembers(licenceGroupsKey(this.prefix, runId)),
      this.firstSeen.firstScanAt(),
    ]);
    if (!run) return null;
    // The administer-permission groups Jira's database named (jira.database), if it was read.
    const adminGroups = recordedAdminGroups(run.jira);
    return {
      run,
      policyContext: {
        asOf: new Date(run.asOf),
        licenceGroups: new Set(licenceGroups),
        ...(run.only ? { only: run.only } : {}),
        ...(firstScanAt ? { firstScanAt } : {}),
        // The scan records the account it works with before it hands out any evaluation.
        ...(run.jira?.account ? { ownAccount: run.jira.account } : {}),
        ...(adminGroups.length > 0 ? { adminGroups } : {}),
      },
    };
  }
}
