/*
 * The run sweeper's cost: one consistent reading of everything queued for an evaluating run
 * (RunWorkReader.read) while the evaluate queue holds N jobs — the scan's high-water mark is
 * 20,000 by default. Prints the median and the slowest of R readings.
 *
 *   npx tsx bench/sweep-read.ts [--jobs 20000] [--readings 20]
 */
import { parseArgs } from 'node:util';
import { createRedis } from '../queues/connection.js';
import { jobIds } from '../queues/job-ids.js';
import { JOBS } from '../queues/names.js';
import { QueueRegistry } from '../queues/registry.js';
import { RunWorkReader } from '../queues/run-work.js';
import { ensureRedis } from '../runtime/local-redis.js';
import { deletePrefixKeys } from '../runtime/prefix-keys.js';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '20000' },
    readings: { type: 'string', default: '20' },
  },
});
const jobs = Number(values.jobs);
const readings = Number(values.readings);

const redis = await ensureRedis();
const prefix = `bench-sweep-${Date.now()}`;
const connection = createRedis(redis.url, 'worker');
const registry = new QueueRegistry(connection, prefix);
const runId = 'r20261201T000000000Z-bench1';
for (let start = 0; start < jobs; start += 1000) {
  const batch = Array.from({ length: Math.min(1000, jobs - start) }, (_, i) => {
    const key = `JIRAUSER${start + i}`;
    return {
      jobId: jobIds.evaluateUser(runId, key),
      data: {
        runId,
        user: { key, name: `user${start + i}`, active: true, groups: [] },
        firstSeen: null,
        directory: { status: 'not-configured' as const },
      },
    };
  });
  await registry.addBulk(JOBS.evaluateUser, batch);
}

const reader = new RunWorkReader(registry);
const times: number[] = [];
let pending = 0;
for (let i = 0; i < readings; i++) {
  const started = process.hrtime.bigint();
  pending = (await reader.read(runId)).pendingEvaluations;
  times.push(Number(process.hrtime.bigint() - started) / 1e6);
}
times.sort((a, b) => a - b);
console.log(
  `${jobs} evaluate jobs waiting, ${pending} of them the run's: one reading takes ${times[Math.floor(times.length / 2)]!.toFixed(1)} ms (median of ${readings}), ${times.at(-1)!.toFixed(1)} ms at worst`,
);

await registry.close();
await connection.quit();
await deletePrefixKeys(redis.url, prefix);
await redis.stop();
