import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { validateConfig } from '../../config/load.js';
import { bullPrefix, prefixPattern, runKey, stateKey } from '../../queues/connection.js';
import { QUEUES } from '../../queues/names.js';
import { RunWorkReader } from '../../queues/run-work.js';
import { createApp, type App } from '../../runtime/app.js';
import { launchRun } from '../../runtime/launch-run.js';
import { silentLogger } from '../../runtime/logger.js';
import { deletePrefixKeys } from '../../runtime/prefix-keys.js';
import { startWorkerRole, type RunningRole } from '../../runtime/process-roles.js';
import { startSimulator, type FixtureInput, type RunningSimulator } from '../../simulator/index.js';
import type { Run } from '../../services/runs/types.js';
import { AS_OF, EXPECTED, VERDICT_POLICY, verdictFixture } from '../pipeline/verdict-fixture.js';
import { createRecordsFor } from '../support/records.js';
import { requireRedisServer, startRedisCluster, type RunningCluster } from '../support/redis-cluster.js';
import { uniquePrefix } from '../support/redis.js';
import { planByName, simUser, stackConfig, waitForRun } from '../support/stack.js';

/*
 * Reclaim on a real Redis Cluster: 3 masters with one replica each, on loopback. A dry run and
 * an apply run end exactly as on one Redis, the keys spread over the masters, and an apply run
 * whose master is killed (SIGKILL) mid-run goes on on the promoted replica to the same end.
 */

const SOFTWARE = 'jira-software-users';
const GENERATED = 210;

/** Generated users, one pattern in six; each pattern is one of the named users' cases. */
const PATTERNS = [
  { like: 'alice', groups: [SOFTWARE, 'developers'], lastLoginTime: '2026-11-01T08:00:00Z' },
  { like: 'alice', groups: [SOFTWARE, 'developers'], lastLoginTime: '2026-11-01T08:00:00Z' },
  { like: 'bob', groups: [SOFTWARE, 'developers'], lastLoginTime: '2026-05-01T08:00:00Z' },
  { like: 'carol', groups: [SOFTWARE] },
  // Left: absent from the directory.
  { like: 'frank', groups: [SOFTWARE, 'developers', 'staff'], lastLoginTime: '2026-11-20T08:00:00Z' },
  { like: 'alice', groups: [SOFTWARE], lastLoginTime: '2026-11-28T00:00:00Z' },
] as const;

const generatedName = (i: number) => `cl-user-${String(i).padStart(3, '0')}`;

function clusterFixture(): FixtureInput {
  const base = verdictFixture();
  const users = Array.from({ length: GENERATED }, (_, i) => {
    const pattern = PATTERNS[i % PATTERNS.length]!;
    return {
      name: generatedName(i),
      key: `JIRAUSER${20000 + i}`,
      displayName: `Cluster User ${i}`,
      emailAddress: `cl-user-${i}@example.com`,
      active: true,
      directoryId: 1,
      groups: [...pattern.groups],
      ...('lastLoginTime' in pattern ? { lastLoginTime: pattern.lastLoginTime } : {}),
    };
  });
  const external = base.externalDirectory as {
    type: 'scim';
    users: Array<{ userName: string; active: boolean }>;
  };
  return {
    ...base,
    users: [...(base.users ?? []), ...users],
    externalDirectory: {
      ...external,
      users: [
        ...external.users,
        ...users
          .filter((_, i) => PATTERNS[i % PATTERNS.length]!.like !== 'frank')
          .map((user) => ({ userName: user.name, active: true })),
      ],
    },
  };
}

/** What the plan must hold: each named user as EXPECTED says, each generated one as its pattern's model. */
const EXPECTED_USERS = new Map<string, { verdict: string; actions: number }>([
  ...Object.entries(EXPECTED).map(
    ([name, e]) => [name, { verdict: e.verdict, actions: e.actions.length }] as const,
  ),
  ...Array.from({ length: GENERATED }, (_, i) => {
    const model = EXPECTED[PATTERNS[i % PATTERNS.length]!.like]!;
    return [generatedName(i), { verdict: model.verdict, actions: model.actions.length }] as const;
  }),
]);
const EXPECTED_ACTIONS = [...EXPECTED_USERS.values()].reduce((sum, e) => sum + e.actions, 0);
const EXPECTED_VERDICTS = [...EXPECTED_USERS.values()].reduce<Record<string, number>>((counts, e) => {
  counts[e.verdict] = (counts[e.verdict] ?? 0) + 1;
  return counts;
}, {});

const CONFIG = {
  policy: VERDICT_POLICY,
  directories: { maxAbsentPercent: 30 },
  brake: { maxActions: 1000, maxPercentOfUsers: 100 },
  worker: { shutdownTimeoutMs: 5_000, lockDurationMs: 5_000 },
};

async function jiraState(sim: RunningSimulator): Promise<Record<string, unknown>> {
  const state: Record<string, unknown> = {};
  const names = [...EXPECTED_USERS.keys()].flatMap((name) => [name, `${name}_inactive_20261129`]);
  await Promise.all(
    names.map(async (name) => {
      const user = await simUser(sim, name).catch(() => undefined);
      if (user) state[user.key] = { name: user.name, active: user.active, groups: [...user.groups].sort() };
    }),
  );
  return Object.fromEntries(Object.entries(state).sort(([a], [b]) => (a < b ? -1 : 1)));
}

async function auditCount(app: App, runId: string): Promise<number> {
  let entries = 0;
  for await (const _entry of app.audit.stream({ runId })) entries += 1;
  return entries;
}

/** waitForRun, saying where the run stood when it did not end in time. */
async function settled(app: App, runId: string, timeoutMs: number): Promise<Run> {
  try {
    return await waitForRun(app, runId, timeoutMs);
  } catch (error) {
    const run = await app.runs.get(runId);
    const apply = {
      finished: await app.applyProgress.finishedUsers(runId),
      total: await app.applyProgress.total(runId),
    };
    const work = await new RunWorkReader(app.registry).read(runId).catch((e: unknown) => String(e));
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}; counters ${JSON.stringify(run?.counters)}, ` +
        `apply ${JSON.stringify(apply)}, queued ${JSON.stringify(work)}`,
      { cause: error },
    );
  }
}

function actionsTaken(run: Run): number {
  const c = run.counters;
  return c.actionsDone + c.actionsNotPossible + c.actionsSkipped + c.actionsFailed;
}

describe('on a Redis Cluster (3 masters, 1 replica each)', function () {
  this.timeout(90_000);
  let cluster: RunningCluster | undefined;
  let records: { drop(): Promise<void> } | undefined;
  let prefix: string;
  const sims: RunningSimulator[] = [];
  const apps: App[] = [];
  let workers: RunningRole | undefined;
  /** Jira as the clean apply run left it: what the apply run with a failover must reach too. */
  let appliedState: Record<string, unknown> | undefined;

  const configFor = (sim: RunningSimulator) =>
    validateConfig(stackConfig(sim, prefix, { ...CONFIG, redis: { cluster: cluster!.nodes } }));

  /** A producer-side app (what the API and the CLI use) and workers in this process, on `sim`. */
  async function start(sim: RunningSimulator): Promise<App> {
    await workers?.stop();
    const config = configFor(sim);
    // A waiter's connection rides out the failover like the workers' do.
    const app = createApp(config, 'waiter', silentLogger());
    apps.push(app);
    workers = await startWorkerRole(config, silentLogger());
    return app;
  }

  before(async function () {
    requireRedisServer(this);
    cluster = await startRedisCluster(3, 1);
    // A prefix whose installation-wide keys and evaluate queue are on different masters: the
    // hash tags spread them whatever the prefix, this only rules out a chance meeting.
    const masterRange = (slot: number) => Math.floor(slot / 5462);
    const probe = new Redis({ host: '127.0.0.1', port: cluster.nodes[0]!.port });
    try {
      do prefix = uniquePrefix('cluster');
      while (
        masterRange(Number(await probe.cluster('KEYSLOT', stateKey(prefix, 'x')))) ===
        masterRange(Number(await probe.cluster('KEYSLOT', bullPrefix(prefix, QUEUES.evaluate))))
      );
    } finally {
      probe.disconnect();
    }
    records = await createRecordsFor(prefix);
  });

  after(async () => {
    await workers?.stop();
    for (const app of apps) await app.close();
    for (const sim of sims) await sim.close();
    await records?.drop();
    await cluster?.stop();
  });

  it('runs a dry run to the exact plan, with keys on more than one master', async () => {
    const sim = await startSimulator({ fixture: clusterFixture() });
    sims.push(sim);
    const app = await start(sim);
    const launched = await launchRun(app, {
      mode: 'dry-run',
      asOf: AS_OF,
      trigger: { type: 'cli', by: 'test' },
    });
    const run = await settled(app, launched.id, 60_000);
    assert.equal(run.status, 'done', run.statusReason);
    assert.equal(run.counters.evaluated, EXPECTED_USERS.size);
    for (const [verdict, count] of Object.entries(EXPECTED_VERDICTS)) {
      assert.equal(run.counters.byVerdict[verdict as keyof Run['counters']['byVerdict']], count, verdict);
    }
    const plan = await planByName(app, run.id);
    assert.equal(plan.size, EXPECTED_USERS.size);
    for (const [name, expected] of EXPECTED_USERS) {
      const line = plan.get(name);
      assert.ok(line, `${name} is in the plan`);
      assert.deepEqual({ verdict: line.verdict, actions: line.actions.length }, expected, name);
    }

    // The run sweeper's reading of the queues (no transaction spans slots) and its listing of
    // the runs in flight (the index and each run in other slots).
    assert.deepEqual(await new RunWorkReader(app.registry).read(run.id), {
      scan: { state: 'completed' },
      finishRun: { state: 'completed' },
      startApply: { state: 'absent' },
      pendingEvaluations: 0,
      pendingSteps: 0,
    });
    assert.deepEqual(await app.runs.listUnfinished(), []);

    // The installation's keys, the queues and the run are on their own slots, over the masters.
    const perMaster = await keysPerMaster(cluster!, prefix);
    assert.ok(
      perMaster.filter((keys) => keys > 0).length >= 2,
      `keys on at least two masters (${perMaster.join(', ')})`,
    );
  });

  it('runs an apply run: every planned action once, each with its audit entry', async () => {
    const sim = await startSimulator({ fixture: clusterFixture() });
    sims.push(sim);
    const app = await start(sim);
    const launched = await launchRun(app, {
      mode: 'apply',
      asOf: AS_OF,
      trigger: { type: 'cli', by: 'test' },
    });
    const run = await settled(app, launched.id, 60_000);
    assert.equal(run.status, 'done', run.statusReason);
    // ken's directory is read-only: his deactivate and rename are not possible, as on one Redis.
    assert.equal(run.counters.actionsDone + run.counters.actionsNotPossible, EXPECTED_ACTIONS);
    assert.equal(run.counters.actionsNotPossible, 2);
    assert.equal(actionsTaken(run), EXPECTED_ACTIONS);
    assert.equal(await auditCount(app, run.id), EXPECTED_ACTIONS);
    appliedState = await jiraState(sim);
    // Someone who left is renamed, deactivated and out of the licence group.
    const leaver = await simUser(sim, `${generatedName(4)}_inactive_20261129`);
    assert.equal(leaver.active, false);
    assert.equal(leaver.groups.includes(SOFTWARE), false);
  });

  it('goes on through the failover of the master holding the run, and ends the same', async function () {
    if (!appliedState) this.skip();
    const sim = await startSimulator({ fixture: clusterFixture(), latencyMs: 15 });
    sims.push(sim);
    const app = await start(sim);
    const launched = await launchRun(app, {
      mode: 'apply',
      asOf: AS_OF,
      trigger: { type: 'cli', by: 'test' },
    });
    for (let done = 0; done < 40; done = (await app.runs.get(launched.id))!.counters.actionsDone) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const probe = new Redis({ host: '127.0.0.1', port: cluster!.nodes[0]!.port });
    const slot = Number(await probe.cluster('KEYSLOT', runKey(prefix, launched.id))).valueOf();
    probe.disconnect();
    const master = await cluster!.masterOf(slot);
    await cluster!.killAndFailOver(master);
    assert.equal(
      (await app.runs.get(launched.id))!.status,
      'applying',
      'the master died in the middle of the apply',
    );

    const run = await settled(app, launched.id, 60_000);
    assert.equal(run.status, 'done', run.statusReason);
    assert.equal(actionsTaken(run), EXPECTED_ACTIONS, 'every action counted once');
    assert.equal(run.counters.actionsFailed, 0);
    assert.equal(await auditCount(app, run.id), EXPECTED_ACTIONS, 'one audit entry per action');
    assert.deepEqual(await jiraState(sim), appliedState, 'Jira ends as after the clean apply run');
    assert.equal((await app.audit.verify()).ok, true);
  });

  it('removes every key of the prefix from every master', async () => {
    await workers?.stop();
    workers = undefined;
    const before = await keysPerMaster(cluster!, prefix);
    assert.ok(before.some((keys) => keys > 0));
    const removed = await deletePrefixKeys({ url: 'redis://unused', cluster: cluster!.nodes }, prefix);
    // Not exactly the count above: keys with a TTL may go by themselves in between.
    assert.ok(removed > 0, `removed ${removed} of ${before.join(' + ')} keys`);
    assert.deepEqual(
      await keysPerMaster(cluster!, prefix),
      before.map(() => 0),
    );
  });
});

/** How many keys of the prefix each master holds (SCAN on each). */
async function keysPerMaster(cluster: RunningCluster, prefix: string): Promise<number[]> {
  const counts: number[] = [];
  for (const master of await cluster.masters()) {
    const redis = new Redis({ host: '127.0.0.1', port: master.port });
    try {
      let keys = 0;
      let cursor = '0';
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', prefixPattern(prefix), 'COUNT', 1000);
        cursor = next;
        keys += found.length;
      } while (cursor !== '0');
      counts.push(keys);
    } finally {
      redis.disconnect();
    }
  }
  return counts;
}
