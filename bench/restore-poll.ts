/*
 * The login poll's cost: a simulated Jira of N users, R of them reclaimed (R revoke-license
 * entries in the audit log), L of those logged in again. One poll from a fresh process (version
 * detection included) reads their last logins and queues the L restores; prints the Jira
 * requests the simulator saw, the source the poll chose and how long it took, then a second poll.
 *
 *   npx tsx bench/restore-poll.ts [--users 100000] [--reclaimed 10000] [--logins 100] [--profile dc11]
 */
import { parseArgs } from 'node:util';
import { validateConfig } from '../config/load.js';
import { createApp, type App } from '../runtime/app.js';
import { ensureRedis } from '../runtime/local-redis.js';
import { silentLogger } from '../runtime/logger.js';
import { deletePrefixKeys } from '../runtime/prefix-keys.js';
import { pollLogins } from '../services/restore/login-poll.js';
import { DEFAULT_CROWD_APPLICATION, startSimulator } from '../simulator/index.js';
import { createThrowawayDatabase } from '../test/support/sql-databases.js';
import { pollDeps } from '../workers/restore.js';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '100000' },
    reclaimed: { type: 'string', default: '10000' },
    logins: { type: 'string', default: '100' },
    profile: { type: 'string', default: 'dc11' },
  },
});
const users = Number(values.users);
const reclaimed = Number(values.reclaimed);
const logins = Number(values.logins);
const profile = values.profile as 'dc9' | 'dc10' | 'dc11';

const redis = await ensureRedis();
const prefix = `bench-restore-${Date.now()}`;
const records = await createThrowawayDatabase(
  process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  'bench',
);
const sim = await startSimulator({ users, profile });
const config = validateConfig({
  redis: { url: redis.url, prefix },
  records: { url: records.url },
  jira: {
    url: sim.url,
    token: 'sim-token',
    requestsPerSecond: 10_000,
    ...(profile === 'dc9'
      ? {
          crowd: {
            application: DEFAULT_CROWD_APPLICATION.name,
            password: DEFAULT_CROWD_APPLICATION.password,
          },
        }
      : {}),
  },
});

async function jiraRequests(): Promise<number> {
  const stats = (await (await fetch(`${sim.url}/__sim/stats`)).json()) as {
    requests: { byRoute: Record<string, Record<string, number>> };
  };
  return Object.entries(stats.requests.byRoute)
    .filter(([route]) => route.includes(' /rest/'))
    .reduce((sum, [, byStatus]) => sum + Object.values(byStatus).reduce((a, b) => a + b, 0), 0);
}

// The reclaimed users: the first R active users of the listing, each with a revoke-license entry.
const setup = createApp(config, 'producer', silentLogger());
const chosen: Array<{ key: string; name: string }> = [];
for await (const page of setup.jira().listUsers()) {
  for (const user of page) if (user.active && chosen.length < reclaimed) chosen.push(user);
  if (chosen.length >= reclaimed) break;
}
const appendStart = Date.now();
for (const [i, user] of chosen.entries()) {
  const snapshot = { key: user.key, name: user.name, active: true, groups: ['jira-software-users'] };
  await setup.audit.append({
    runId: 'r20261201T000000000Z-bench1',
    actionId: `act-bench-${i}`,
    actor: 'bench',
    action: 'revoke-license',
    user,
    before: snapshot,
    after: { ...snapshot, groups: [] },
    outcome: 'done',
    changes: [{ op: 'remove-group', group: 'jira-software-users' }],
  });
}
console.log(
  `audit log: ${chosen.length} reclaims appended in ${((Date.now() - appendStart) / 1000).toFixed(1)} s`,
);
for (const user of chosen.slice(0, logins)) {
  await fetch(`${sim.url}/__sim/users/${encodeURIComponent(user.name)}/login`, { method: 'POST' });
}
await setup.close();

async function poll(app: App, label: string): Promise<void> {
  const before = await jiraRequests();
  const started = Date.now();
  const summary = await pollLogins(pollDeps(app));
  const seconds = (Date.now() - started) / 1000;
  const requests = (await jiraRequests()) - before;
  console.log(
    `${label}: ${requests} Jira requests, ${seconds.toFixed(1)} s, source ${summary.source}; ` +
      `${summary.watched} watched, ${summary.loggedInAgain} logged in again, ${summary.restoresQueued} restores queued`,
  );
}

// A fresh process: the version detection is part of the cost.
const first = createApp(config, 'producer', silentLogger());
await poll(first, `poll over ${users} users (${profile}), ${chosen.length} reclaimed`);
await first.close();
const second = createApp(config, 'producer', silentLogger());
await poll(second, 'the next poll (watch list already in step with the audit log)');
await second.close();

await sim.close();
await deletePrefixKeys(redis.url, prefix);
await redis.stop();
await records.drop();
