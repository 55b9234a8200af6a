/*
 * Dry-run throughput: a simulated Jira of N users (profile P), real Redis, W worker processes
 * (`reclaim worker`), one dry run. Prints users per second and Jira requests per 1,000 users;
 * the archive of the plan into the records store (the run's finishing step: plannedAt →
 * finishedAt of a dry run), the size of plan_lines, and Redis' used_memory before the run and
 * after it (the plan is archived, so Redis should be back where it was but for BullMQ's own
 * job retention).
 *
 *   npx tsx bench/dry-run.ts [--users 100000] [--profile dc11] [--workers 2] [--without-crowd]
 *                            [--database URL] [--shared-redis] [--warm-up] [--cpu-prof DIR]
 *
 * --cpu-prof DIR: the workers run under `node --cpu-prof` and write their profiles into DIR when
 * they stop (read them with `npx tsx bench/profile-top.ts DIR`).
 *
 * --warm-up: one dry run first, unmeasured, so that what any run leaves for good or up to a cap
 * (first-seen, BullMQ's capped event streams and job retention) is there before the measured run.
 *
 * used_memory is only meaningful on a Redis of its own, so the benchmark starts a throwaway
 * redis-server (--shared-redis: REDIS_URL or 127.0.0.1:6379 instead).
 *
 * On dc9, Reclaim reads last logins with the simulator's Jira User Server application
 * (`jira.crowd`) unless --without-crowd is given.
 * --database: the simulator writes its world into that PostgreSQL / MySQL / MariaDB database
 * (replacing Jira's tables there) and the run reads it as `jira.database`.
 */
import { parseArgs } from 'node:util';
import { prefixPattern, runKey } from '../queues/connection.js';
import { QUEUES } from '../queues/names.js';
import { launchRun } from '../runtime/launch-run.js';
import { ensureRedis, startThrowawayRedis } from '../runtime/local-redis.js';
import { deletePrefixKeys, settledUsedMemory } from '../runtime/prefix-keys.js';
import { DEFAULT_CROWD_APPLICATION, startSimulator } from '../simulator/index.js';
import { startBenchStack } from './support.js';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '100000' },
    profile: { type: 'string', default: 'dc11' },
    workers: { type: 'string', default: '2' },
    database: { type: 'string' },
    'without-crowd': { type: 'boolean', default: false },
    'shared-redis': { type: 'boolean', default: false },
    'warm-up': { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    timeline: { type: 'boolean', default: false },
  },
});
const users = Number(values.users);
const profile = values.profile as 'dc9' | 'dc10' | 'dc11';
const workerCount = Number(values.workers);

const redis = values['shared-redis'] ? await ensureRedis() : await startThrowawayRedis();
const prefix = `bench-${Date.now()}`;
const loadStart = Date.now();
const sim = await startSimulator({
  users,
  profile,
  ...(values.database ? { database: values.database } : {}),
});
console.log(`simulator: ${users} users (${profile}) in ${((Date.now() - loadStart) / 1000).toFixed(1)} s`);

const raw = {
  redis: { url: redis.url, prefix },
  jira: {
    url: sim.url,
    token: 'sim-token',
    requestsPerSecond: 10_000,
    ...(values.database ? { database: { url: values.database } } : {}),
    ...(profile === 'dc9' && !values['without-crowd']
      ? {
          crowd: {
            application: DEFAULT_CROWD_APPLICATION.name,
            password: DEFAULT_CROWD_APPLICATION.password,
          },
        }
      : {}),
  },
  directories: { sources: [{ type: 'scim', url: `${sim.url}/scim/v2`, token: 'sim-token' }] },
  policy: { existingUsersSeenSince: '2025-01-01' },
};
const { app, stopWorkers, removeConfig, workerPeakRss, workerCpuSeconds } = await startBenchStack(
  raw,
  workerCount,
  {
    ...(values['cpu-prof'] ? { cpuProfileDir: values['cpu-prof'] } : {}),
  },
);

const settledUsed = () => settledUsedMemory(app.redis);
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
await app.records.ready();
if (values['warm-up']) {
  const warmUp = await launchRun(app, { mode: 'dry-run', trigger: { type: 'cli', by: 'bench' } });
  for (;;) {
    const status = (await app.runs.get(warmUp.id))!.status;
    if (['done', 'failed', 'cancelled'].includes(status)) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  console.log(`warm-up run ${warmUp.id} over`);
}
const usedBefore = await settledUsed();

const started = Date.now();
const created = await launchRun(app, { mode: 'dry-run', trigger: { type: 'cli', by: 'bench' } });
let run;
let scannedAt = 0;
let shownAt = 0;
for (;;) {
  run = (await app.runs.get(created.id))!;
  if (!scannedAt && run.counters.scanComplete) scannedAt = Date.now();
  // --timeline: where the run's time goes, once a second (listing, evaluating, finishing).
  if (values.timeline && Date.now() - shownAt >= 1000) {
    shownAt = Date.now();
    const waiting = await app.registry.queue(QUEUES.evaluate).getWaitingCount();
    console.log(
      `  ${((shownAt - started) / 1000).toFixed(1).padStart(6)} s  ${run.status.padEnd(10)} scanned ${run.counters.scanned}  evaluated ${run.counters.evaluated}  waiting ${waiting}`,
    );
  }
  if (['done', 'failed', 'cancelled'].includes(run.status)) break;
  await new Promise((resolve) => setTimeout(resolve, 200));
}
const seconds = (Date.now() - started) / 1000;
const scanSeconds = (scannedAt - started) / 1000;
const stats = (await (await fetch(`${sim.url}/__sim/stats`)).json()) as {
  requests: { byRoute: Record<string, Record<string, number>> };
};
// Jira's routes only: the simulator serves the SCIM directory too.
const jiraSeen = Object.entries(stats.requests.byRoute)
  .filter(([route]) => route.includes(' /rest/'))
  .reduce((sum, [, byStatus]) => sum + Object.values(byStatus).reduce((a, b) => a + b, 0), 0);

console.log(`run ${run.id}: ${run.status}; ${run.counters.evaluated} users evaluated`);
console.log(
  `dry run: ${seconds.toFixed(1)} s → ${Math.round(run.counters.evaluated / seconds)} users/s (scan listed everyone after ${scanSeconds.toFixed(1)} s)`,
);
console.log(
  `Jira requests: ${run.counters.jiraRequests} counted by the run, ${jiraSeen} seen by the simulated Jira → ${((jiraSeen / users) * 1000).toFixed(1)} per 1,000 users`,
);
console.log(`verdicts: ${JSON.stringify(run.counters.byVerdict)}`);
const byRoute = Object.entries(stats.requests.byRoute)
  .filter(([route]) => route.includes(' /rest/'))
  .map(([route, byStatus]) => [route, Object.values(byStatus).reduce((a, b) => a + b, 0)] as const)
  .sort((a, b) => b[1] - a[1]);
console.log(`Jira requests by route: ${byRoute.map(([route, n]) => `${route} ${n}`).join(', ')}`);

if (run.plannedAt && run.finishedAt) {
  const archiveSeconds = (Date.parse(run.finishedAt) - Date.parse(run.plannedAt)) / 1000;
  console.log(`finishing step (archive of the plan into the records store): ${archiveSeconds.toFixed(1)} s`);
}
const { rows: sizes } = await app.records.query<{ rows: number; bytes: number }>(
  `SELECT (SELECT count(*)::int FROM plan_lines WHERE run_id = $1) AS rows,
     pg_total_relation_size('plan_lines')::float8 AS bytes`,
  [run.id],
);
console.log(
  `plan_lines: ${sizes[0]!.rows} rows, ${mib(sizes[0]!.bytes)} with its indexes (${Math.round(sizes[0]!.bytes / Math.max(1, sizes[0]!.rows))} bytes per row)`,
);
const usedAfter = await settledUsed();
console.log(
  `Redis used_memory: ${mib(usedBefore)} before the run, ${mib(usedAfter)} after it (${(((usedAfter - usedBefore) / usedBefore) * 100).toFixed(1)} %)`,
);
const peakInfo = await app.redis.info('memory');
const peak = /^used_memory_peak:(\d+)/m.exec(peakInfo);
if (peak) console.log(`Redis used_memory_peak: ${mib(Number(peak[1]))} (the server's peak since it started)`);
// What stays in Redis after the run, largest first: none of it is the plan.
const left: Array<[string, number]> = [];
let cursor = '0';
do {
  const [next, keys] = await app.redis.scan(cursor, 'MATCH', prefixPattern(prefix), 'COUNT', 1000);
  cursor = next;
  for (const key of keys) {
    left.push([key, Number((await app.redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) ?? 0)]);
  }
} while (cursor !== '0');
left.sort((a, b) => b[1] - a[1]);
console.log(
  `left in Redis: ${left.length} keys, ${mib(left.reduce((sum, [, bytes]) => sum + bytes, 0))}; plan keys of the run: ${left.filter(([key]) => key.startsWith(`${runKey(prefix, run.id, 'plan')}:`)).length}; largest: ${left
    .slice(0, 5)
    .map(([key, bytes]) => `${key.slice(prefix.length + 3)} ${mib(bytes)}`)
    .join(', ')}`,
);

console.log(
  `worker peak RSS: ${workerPeakRss()
    .map((bytes) => (bytes === null ? 'unknown' : mib(bytes)))
    .join(', ')}`,
);

const cpu = workerCpuSeconds();
const redisCpu = /^used_cpu_sys:([\d.]+)[\s\S]*^used_cpu_user:([\d.]+)/m.exec(await app.redis.info('cpu'));
console.log(
  `CPU time: workers ${cpu.map((s) => (s === null ? 'unknown' : `${s.toFixed(1)} s`)).join(', ')}` +
    (redisCpu ? `; Redis ${(Number(redisCpu[1]) + Number(redisCpu[2])).toFixed(1)} s` : '') +
    ` (since they started; ${((cpu.reduce<number>((a, b) => a + (b ?? 0), 0) / users) * 1e6).toFixed(0)} µs of worker CPU per user)`,
);

await stopWorkers();
await app.close();
await sim.close();
await deletePrefixKeys(redis.url, prefix);
await redis.stop();
await removeConfig();
