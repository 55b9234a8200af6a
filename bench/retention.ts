/*
 * Redis stays bounded over many runs: a simulated Jira of N users, real Redis, W worker
 * processes (`reclaim worker`), R dry runs one after the other with runs.retainCount K, and the
 * prune (what the hourly job does) after each. Prints Redis' used_memory and the memory of this
 * benchmark's own keys after each run, and the plan's bytes per user per retained run.
 *
 * used_memory is only meaningful on a Redis of its own, so the benchmark starts a throwaway
 * redis-server (--shared-redis: REDIS_URL or 127.0.0.1:6379 instead).
 *
 *   npx tsx bench/retention.ts [--users 30000] [--runs 10] [--retain 3] [--workers 2] [--shared-redis]
 */
import { parseArgs } from 'node:util';
import { launchRun } from '../runtime/launch-run.js';
import { ensureRedis, startThrowawayRedis } from '../runtime/local-redis.js';
import {
  deletePrefixKeys,
  prefixMemoryUsage,
  settledUsedMemory,
  usedMemory,
} from '../runtime/prefix-keys.js';
import { pruneRuns } from '../services/runs/prune-runs.js';
import { runPlanKeys } from '../services/runs/run-keyspace.js';
import { waitForRun } from '../services/runs/wait-for-run.js';
import { startSimulator } from '../simulator/index.js';
import { startBenchStack } from './support.js';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '30000' },
    runs: { type: 'string', default: '10' },
    retain: { type: 'string', default: '3' },
    workers: { type: 'string', default: '2' },
    'shared-redis': { type: 'boolean', default: false },
  },
});
const users = Number(values.users);
const runCount = Number(values.runs);
const retainCount = Number(values.retain);
const workerCount = Number(values.workers);

const redis = values['shared-redis'] ? await ensureRedis() : await startThrowawayRedis();
const prefix = `bench-retention-${Date.now()}`;
const sim = await startSimulator({ users, profile: 'dc11' });
const raw = {
  redis: { url: redis.url, prefix },
  jira: { url: sim.url, token: 'sim-token', requestsPerSecond: 10_000 },
  directories: { sources: [{ type: 'scim', url: `${sim.url}/scim/v2`, token: 'sim-token' }] },
  policy: { existingUsersSeenSince: '2025-01-01' },
  runs: { retainCount },
};
const { app, stopWorkers, removeConfig } = await startBenchStack(raw, workerCount);

const settledUsed = () => settledUsedMemory(app.redis, 5_000);

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
console.log(
  `${runCount} dry runs of ${users} users, runs.retainCount ${retainCount}, ${workerCount} workers`,
);
console.log(`Redis: ${redis.started ? 'a throwaway redis-server of its own' : redis.url}`);
console.log(`used_memory before: ${mib(await usedMemory(app.redis))}`);
const used: number[] = [];
const own: number[] = [];
const ids: string[] = [];
for (let i = 1; i <= runCount; i++) {
  const started = Date.now();
  const created = await launchRun(app, { mode: 'dry-run', trigger: { type: 'cli', by: 'bench' } });
  const run = await waitForRun(app.runs, created.id, { timeoutMs: 30 * 60_000, pollMs: 500 });
  if (run.status !== 'done') throw new Error(`run ${run.id} is ${run.status}: ${run.statusReason}`);
  ids.push(run.id);
  const pruned = await pruneRuns(
    { redis: app.redis, prefix, runs: app.runs, plans: app.plans },
    app.config.runs,
  );
  used.push(await settledUsed());
  own.push((await prefixMemoryUsage(app.redis, prefix)).bytes);
  console.log(
    `run ${String(i).padStart(2)} ${run.id}: ${((Date.now() - started) / 1000).toFixed(1)} s, pruned ${pruned.runs.length} plan(s); used_memory ${mib(used.at(-1)!)}, this benchmark's keys ${mib(own.at(-1)!)}`,
  );
}

let planBytes = 0;
const retained = ids.slice(-retainCount);
for (const id of retained) {
  const keys = runPlanKeys(prefix, id);
  for (const key of [...keys.linesByVerdict, keys.dictionary, ...keys.legacy]) {
    planBytes += Number((await app.redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) ?? 0);
  }
}
const third = Math.min(3, runCount) - 1;
const change = (series: number[]) =>
  `${(((series.at(-1)! - series[third]!) / series[third]!) * 100).toFixed(1)} %`;
console.log(
  `after run ${runCount} vs after run ${third + 1}: used_memory ${change(used)}, own keys ${change(own)}`,
);
console.log(
  `plan: ${(planBytes / (users * retained.length)).toFixed(1)} bytes per user per retained run (${retained.length} retained)`,
);

await stopWorkers();
await app.close();
await sim.close();
await deletePrefixKeys(redis.url, prefix);
await redis.stop();
await removeConfig();
