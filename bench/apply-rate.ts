/*
 * Apply near Jira's rate limit: a simulated Jira of N users (dc11) that answers at most
 * `--limit` requests per second (a token bucket: 429 beyond it), Reclaim's own ceiling
 * (`jira.requestsPerSecond`) set to the same figure, W worker processes, one apply run with the
 * brake open. Prints how much of the limit the apply phase used — the Jira requests answered
 * while the run was `applying`, per second, as a share of the limit — the 429s received, and
 * the actions done and failed.
 *
 *   npx tsx bench/apply-rate.ts [--users 3000] [--limit 50] [--workers 2] [--latency 5]
 *                               [--cpu-prof DIR] [--timeline]
 *
 * The plan is made first (a dry run's worth of requests, not counted); the measured phase
 * starts when the run turns `applying` and ends when it is `done`.
 */
import { parseArgs } from 'node:util';
import { launchRun } from '../runtime/launch-run.js';
import { startThrowawayRedis } from '../runtime/local-redis.js';
import { deletePrefixKeys } from '../runtime/prefix-keys.js';
import { startSimulator } from '../simulator/index.js';
import { startBenchStack } from './support.js';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '3000' },
    limit: { type: 'string', default: '50' },
    workers: { type: 'string', default: '2' },
    latency: { type: 'string', default: '5' },
    'cpu-prof': { type: 'string' },
    timeline: { type: 'boolean', default: false },
  },
});
const users = Number(values.users);
const limit = Number(values.limit);

interface SimStats {
  total: number;
  byRoute: Record<string, Record<string, number>>;
  perSecond: Record<string, number>;
}

const redis = await startThrowawayRedis();
const prefix = `bench-apply-${Date.now()}`;
const sim = await startSimulator({
  users,
  profile: 'dc11',
  rateLimit: limit,
  latencyMs: Number(values.latency),
});
const stats = async () =>
  ((await (await fetch(`${sim.url}/__sim/stats`)).json()) as { requests: SimStats }).requests;
const raw = {
  redis: { url: redis.url, prefix },
  jira: { url: sim.url, token: 'sim-token', requestsPerSecond: limit },
  directories: { sources: [{ type: 'scim', url: `${sim.url}/scim/v2`, token: 'sim-token' }] },
  policy: { existingUsersSeenSince: '2025-01-01' },
  brake: { maxActions: users * 10, maxPercentOfUsers: 100 },
};
const { app, stopWorkers, removeConfig } = await startBenchStack(raw, Number(values.workers), {
  ...(values['cpu-prof'] ? { cpuProfileDir: values['cpu-prof'] } : {}),
});
await app.records.ready();

const launchedAt = Date.now();
const created = await launchRun(app, { mode: 'apply', trigger: { type: 'cli', by: 'bench' } });
let run;
let applyingAt = 0;
let atApplying: SimStats | undefined;
for (;;) {
  run = (await app.runs.get(created.id))!;
  if (!applyingAt && run.status === 'applying') {
    applyingAt = Date.now();
    atApplying = await stats();
  }
  if (['done', 'failed', 'cancelled', 'awaiting-approval'].includes(run.status)) break;
  await new Promise((resolve) => setTimeout(resolve, 100));
}
const doneAt = Date.now();
const after = await stats();
const jiraCount = (s: SimStats, status?: (code: string) => boolean) =>
  Object.entries(s.byRoute)
    .filter(([route]) => route.includes(' /rest/'))
    .reduce(
      (sum, [, byStatus]) =>
        sum +
        Object.entries(byStatus)
          .filter(([code]) => !status || status(code))
          .reduce((a, [, n]) => a + n, 0),
      0,
    );
const seconds = (doneAt - applyingAt) / 1000;
console.log(`plan made in ${((applyingAt - launchedAt) / 1000).toFixed(1)} s (not measured)`);
const answered = jiraCount(after, (c) => c !== '429') - jiraCount(atApplying!, (c) => c !== '429');
const limited = jiraCount(after, (c) => c === '429') - jiraCount(atApplying!, (c) => c === '429');
const { counters } = run;
console.log(`run ${run.id}: ${run.status}${run.statusReason ? ` (${run.statusReason})` : ''}`);
console.log(`verdicts: ${JSON.stringify(counters.byVerdict)}`);
console.log(
  `actions: ${counters.actionsDone} done, ${counters.actionsSkipped} skipped, ${counters.actionsNotPossible} not possible, ${counters.actionsFailed} failed`,
);
const byRoute = Object.entries(after.byRoute)
  .filter(([route]) => route.includes(' /rest/'))
  .map(([route, byStatus]) => {
    const before = atApplying!.byRoute[route] ?? {};
    const n = Object.entries(byStatus).reduce((a, [code, k]) => a + k - (before[code] ?? 0), 0);
    return [route, n] as const;
  })
  .filter(([, n]) => n > 0)
  .sort((a, b) => b[1] - a[1]);
console.log(`apply phase Jira requests by route: ${byRoute.map(([r, n]) => `${r} ${n}`).join(', ')}`);
console.log(
  `apply phase: ${seconds.toFixed(1)} s, ${answered} Jira requests answered (${(answered / seconds).toFixed(1)}/s) → ${((answered / seconds / limit) * 100).toFixed(0)} % of the ${limit} req/s limit; ${limited} answered 429; ${((counters.actionsDone + counters.actionsSkipped + counters.actionsNotPossible) / seconds).toFixed(1)} actions/s`,
);
// The busiest whole seconds of the phase, to see whether the window stays full.
const perSecond = Object.entries(after.perSecond)
  .map(([second, n]) => [Number(second), n - (atApplying!.perSecond[second] ?? 0)] as const)
  .filter(([second]) => second * 1000 >= applyingAt + 1000 && (second + 1) * 1000 <= doneAt - 1000)
  .map(([, n]) => n);
if (values.timeline) console.log(`requests per second, in order: ${perSecond.join(' ')}`);
if (perSecond.length > 0) {
  const sorted = [...perSecond].sort((a, b) => a - b);
  console.log(
    `requests per whole second of the phase (with 429s): min ${sorted[0]}, median ${sorted[Math.floor(sorted.length / 2)]}, max ${sorted.at(-1)}`,
  );
}

await stopWorkers();
await app.close();
await sim.close();
await deletePrefixKeys(redis.url, prefix);
await redis.stop();
await removeConfig();
