/*
 * Dry-run throughput: a simulated Jira of N users (profile P), real Redis, W worker processes
 * (`reclaim worker`), one dry run. Prints users per second and Jira requests per 1,000 users.
 *
 *   npx tsx bench/dry-run.ts [--users 100000] [--profile dc11] [--workers 2] [--without-crowd]
 *                            [--database URL]
 *
 * On dc9, Reclaim reads last logins with the simulator's Jira User Server application
 * (`jira.crowd`) unless --without-crowd is given.
 * --database: the simulator writes its world into that PostgreSQL / MySQL / MariaDB database
 * (replacing Jira's tables there) and the run reads it as `jira.database`.
 */
import { parseArgs } from 'node:util';
import { launchRun } from '../runtime/launch-run.js';
import { ensureRedis } from '../runtime/local-redis.js';
import { deletePrefixKeys } from '../runtime/prefix-keys.js';
import { DEFAULT_CROWD_APPLICATION, startSimulator } from '../simulator/index.js';
import { startBenchStack } from './support.js';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '100000' },
    profile: { type: 'string', default: 'dc11' },
    workers: { type: 'string', default: '2' },
    database: { type: 'string' },
    'without-crowd': { type: 'boolean', default: false },
  },
});
const users = Number(values.users);
const profile = values.profile as 'dc9' | 'dc10' | 'dc11';
const workerCount = Number(values.workers);

const redis = await ensureRedis();
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
const { app, stopWorkers, removeConfig } = await startBenchStack(raw, workerCount);

const started = Date.now();
const created = await launchRun(app, { mode: 'dry-run', trigger: { type: 'cli', by: 'bench' } });
let run;
let scannedAt = 0;
for (;;) {
  run = (await app.runs.get(created.id))!;
  if (!scannedAt && run.counters.scanComplete) scannedAt = Date.now();
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

await stopWorkers();
await app.close();
await sim.close();
await deletePrefixKeys(redis.url, prefix);
await redis.stop();
await removeConfig();
