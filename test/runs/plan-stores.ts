import { Redis } from 'ioredis';
import { configSchema } from '../../config/schema.js';
import { runKey, type RedisClient } from '../../queues/connection.js';
import type { RecordsDb } from '../../services/records/records-db.js';
import { PlanStore } from '../../services/runs/plan-store.js';
import { RunLifecycle } from '../../services/runs/run-lifecycle.js';
import { RunStore } from '../../services/runs/run-store.js';
import type { Run } from '../../services/runs/types.js';
import { openTestRecords } from '../support/records.js';
import { testRedisUrl } from '../support/redis.js';

/*
 * The stores a plan test works with: Redis under the file's prefix, a records database of the
 * file's own, the run store (a plan line needs its run's record) and the plan store.
 */

export interface PlanStores {
  redis: Redis;
  records: RecordsDb;
  runs: RunStore;
  lifecycle: RunLifecycle;
  plans: PlanStore;
  /** A new run, taking plan lines (evaluating unless told to stay scanning). */
  newRun(options?: { scanning?: boolean; mode?: Run['mode'] }): Promise<Run>;
  /** Moves an evaluating run to planned and archives its plan, as finish-run does. */
  planAndArchive(runId: string): Promise<void>;
  /** Every Redis key of the run's plan that is still there (scanned by name). */
  planKeysLeft(runId: string): Promise<string[]>;
  close(): Promise<void>;
}

const policy = configSchema.parse({}).policy;

export async function openPlanStores(prefix: string): Promise<PlanStores> {
  const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
  const records = await openTestRecords('plans');
  const runs = new RunStore(redis, prefix, records.db);
  const lifecycle = new RunLifecycle(runs);
  const plans = new PlanStore(redis, prefix, records.db, runs);
  return {
    redis,
    records: records.db,
    runs,
    lifecycle,
    plans,
    async newRun(options = {}) {
      const run = await runs.create({
        mode: options.mode ?? 'dry-run',
        trigger: { type: 'cli', by: 'test' },
        policy,
      });
      if (!options.scanning) await lifecycle.startEvaluating(run.id);
      return (await runs.get(run.id))!;
    },
    async planAndArchive(runId) {
      await lifecycle.markPlanned(runId);
      await plans.archive(runId);
    },
    planKeysLeft: (runId) => keysMatching(redis, `${runKey(prefix, runId, 'plan')}:*`),
    async close() {
      await records.close();
      await redis.quit();
    },
  };
}

export async function keysMatching(redis: RedisClient, pattern: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  return found.sort();
}
