import assert from 'node:assert/strict';
import { validateConfig } from '../../config/load.js';
import { createApp, type App } from '../../runtime/app.js';
import { freePort } from '../../runtime/local-redis.js';
import { silentLogger } from '../../runtime/logger.js';
import type { Run } from '../../services/runs/types.js';
import { startSimulator, type RunningSimulator } from '../../simulator/index.js';
import {
  killAll,
  spawnReclaim,
  startWorkerProcess,
  writeConfigFile,
  type ReclaimProcess,
} from '../support/child.js';
import { createRecordsFor } from '../support/records.js';
import { uniquePrefix } from '../support/redis.js';
import { planByName, stackConfig, waitForRun } from '../support/stack.js';
import { OwnRedis } from '../support/own-redis.js';
import { changesAppliedTwice, planApplied, READ_ONLY_DIRECTORIES } from './support/plan-state.js';
import { accountState, simMutationLog, simUsersByKey } from './support/sim-state.js';

/*
 * Deliver 2 of the reliability issue: Reclaim's own Redis, with the append-only file synced
 * every second as in production, restarted twice while a run scans and evaluates and once while
 * it applies. The workers, the API and the waiting CLI reconnect by themselves; while Redis is
 * down the API answers 503 (readiness and the /api routes), quickly, and keeps running; a
 * worker told to stop while Redis is unreachable is gone within shutdownTimeoutMs + 5 s. The
 * run ends done, with Jira as its plan says, one audit entry per action and nothing applied
 * twice.
 */

const USERS = 1_000;
const TOKEN = 'outage-suite-operator-token';
const SHUTDOWN_TIMEOUT_MS = 2_000;
/** How long each outage lasts: longer than any quick retry, shorter than a job's lock. */
const OUTAGE_MS = 3_000;
/** A request the API answers while Redis is down must be answered within this. */
const ANSWER_WITHIN_MS = 8_000;

/** Progress on stdout with RELIABILITY_DEBUG=1, to see where a slow run spends its time. */
const step = (what: string) => {
  if (process.env.RELIABILITY_DEBUG) console.log(`      ${new Date().toISOString()} ${what}`);
};

interface Probe {
  route: string;
  status: number | 'no answer';
  ms: number;
}

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('Redis outage: restarted twice during a run and once during its apply', function () {
  this.timeout(240_000);
  let redis: OwnRedis | undefined;
  let sim: RunningSimulator | undefined;
  let reader: App | undefined;
  let config: { file: string; remove(): void } | undefined;
  let records: { drop(): Promise<void> } | undefined;
  const children: ReclaimProcess[] = [];

  after(async () => {
    await killAll(children);
    await reader?.close();
    await sim?.close();
    config?.remove();
    await redis?.remove();
    await records?.drop();
  });

  it('reconnects everything by itself, answers 503 meanwhile, and ends the run exact', async () => {
    redis = await OwnRedis.start({ appendfsync: 'everysec' });
    // 40 pages of 25 users at ~50 ms: a scan long enough for two restarts.
    sim = await startSimulator({ users: USERS, seed: 21, latencyMs: 50 });
    const prefix = uniquePrefix('redis-outage');
    records = await createRecordsFor(prefix);
    const apiPort = await freePort();
    const raw = stackConfig(sim, prefix, {
      redis: { url: redis.url },
      jira: { pageSize: 25 },
      policy: { rename: { enabled: true } },
      directories: { maxAbsentPercent: 20 },
      brake: { maxActions: 1_000_000, maxPercentOfUsers: 100 },
      // A lock longer than an outage: the jobs in hand are not taken for stalled meanwhile.
      worker: { lockDurationMs: 10_000, shutdownTimeoutMs: SHUTDOWN_TIMEOUT_MS },
      api: { port: apiPort, tokens: [{ name: 'ops', token: TOKEN, role: 'operator' }] },
    });
    config = writeConfigFile(raw);
    // The test reads the run through a connection that waits through restarts.
    reader = createApp(validateConfig(raw), 'waiter', silentLogger());
    const initial = await simUsersByKey(sim.url);

    const startWorker = () => startWorkerProcess(config!.file, children);
    const first = await startWorker();
    const second = await startWorker();
    const api = spawnReclaim(['api', '--config', config.file], { REDIS_URL: '' });
    children.push(api);
    await api.waitFor(/Reclaim API at/);
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const cli = spawnReclaim(['--config', config.file, 'scan', '--apply', '--wait'], { REDIS_URL: '' });
    children.push(cli);
    await cli.waitFor(/started run (\S+)/);
    const runId = /started run (\S+)/.exec(cli.output())![1]!;
    step(`run ${runId} started`);
    const current = async (): Promise<Run> => (await reader!.runs.get(runId))!;

    const probes: Probe[] = [];
    const probe = async (method: string, path: string, body?: unknown): Promise<Probe> => {
      const startedAt = Date.now();
      let status: Probe['status'];
      try {
        const response = await fetch(`${apiUrl}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${TOKEN}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
        });
        await response.arrayBuffer();
        status = response.status;
      } catch {
        status = 'no answer';
      }
      return { route: `${method} ${path}`, status, ms: Date.now() - startedAt };
    };
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/readyz'],
      ['GET', '/api/runs'],
      ['GET', `/api/runs/${runId}`],
      ['GET', `/api/runs/${runId}/plan`],
      ['POST', '/api/runs', { mode: 'dry-run' }],
    ];

    /** Redis away for OUTAGE_MS; the API probed meanwhile; then everything must come back. */
    const outage = async (duringDown?: () => Promise<void>) => {
      step('redis down');
      await redis!.down();
      const back = Date.now() + OUTAGE_MS;
      const during = duringDown?.();
      while (Date.now() < back) {
        for (const [method, path, body] of routes) probes.push(await probe(method, path, body));
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      await during;
      step(`probed ${probes.length}; redis up`);
      assert.equal(api.child.exitCode, null, `the API is still running:\n${api.output()}`);
      await redis!.up();
      // Nobody restarts anything: the API is ready again by itself.
      await until('the API ready again', 20_000, async () => (await probe('GET', '/readyz')).status === 200);
      step('API ready again');
      const again = await probe('GET', `/api/runs/${runId}`);
      assert.equal(again.status, 200, 'the API reads the run again');
    };

    const scannedAtRestart: number[] = [];
    await until('the scan under way', 60_000, async () => (await current()).counters.scanned >= 100);
    scannedAtRestart.push((await current()).counters.scanned);
    await outage();
    await until('the scan going on', 60_000, async () => {
      const { counters } = await current();
      return counters.scanned >= scannedAtRestart[0]! + 100;
    });
    const beforeSecond = await current();
    assert.ok(
      ['scanning', 'evaluating'].includes(beforeSecond.status),
      `the second restart comes before the run is planned (${beforeSecond.status})`,
    );
    scannedAtRestart.push(beforeSecond.counters.scanned);
    await outage();

    await until('the apply under way', 120_000, async () => {
      const run = await current();
      if (run.status === 'done') throw new Error('the run was done before the apply could be interrupted');
      return run.status === 'applying' && run.counters.actionsDone >= 20;
    });
    const doneAtRestart = (await current()).counters.actionsDone;
    step(`applying, ${doneAtRestart} done`);
    // The third restart: meanwhile one worker is told to stop, with Redis unreachable.
    let stopMs = 0;
    let replacement: Promise<ReclaimProcess> | undefined;
    await outage(async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const asked = Date.now();
      first.child.kill('SIGTERM');
      await first.exited;
      stopMs = Date.now() - asked;
      // Its replacement starts while Redis is still away, and waits for it.
      replacement = startWorker();
    });
    assert.ok(
      stopMs <= SHUTDOWN_TIMEOUT_MS + 5_000,
      `the worker stopped in ${stopMs} ms, more than shutdownTimeoutMs + 5 s:\n${first.output()}`,
    );
    await replacement;

    step('waiting for the run');
    const done = await waitForRun(reader, runId, 180_000);
    assert.equal(done.status, 'done', done.statusReason);
    const cliExit = await cli.exited;
    assert.equal(cliExit.code, 0, cli.output());
    assert.match(cli.output(), /Redis unavailable \(.*\), retrying/);
    assert.match(cli.output(), /Redis reachable again/);
    assert.match(cli.output(), new RegExp(`Run ${runId} — apply, done`));
    assert.equal(second.child.exitCode, null, 'the worker that was left alone rode out every restart');

    // While Redis was down: 503 from every route, always answered, quickly; nothing else.
    const downProbes = probes.length;
    assert.ok(downProbes >= 3 * routes.length, `${downProbes} probes while Redis was down`);
    const wrong = probes.filter((p) => p.status !== 503);
    assert.deepEqual(wrong, [], 'answers other than 503 while Redis was down');
    const slowest = Math.max(...probes.map((p) => p.ms));
    // A POST refused while Redis was down started no run.
    const { runs } = (await (
      await fetch(`${apiUrl}/api/runs`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).json()) as { runs: Array<{ id: string }> };
    const runIds = runs.map((run) => run.id);
    assert.deepEqual(runIds, [runId], 'the only run is the one the CLI started');

    // The run is exact: Jira as planned, one audit entry per action, nothing applied twice.
    const plan = await planByName(reader, runId);
    const after = await simUsersByKey(sim.url);
    let planned = 0;
    for (const [key, user] of initial) {
      const line = [...plan.values()].find((l) => l.key === key);
      planned += line?.actions.length ?? 0;
      const wanted = line
        ? planApplied(accountState(user), line, READ_ONLY_DIRECTORIES.has(user.directoryId)).state
        : accountState(user);
      assert.deepEqual(accountState(after.get(key)!), wanted, `${user.name} after the apply`);
    }
    assert.equal(done.counters.actionsDone + done.counters.actionsNotPossible, planned);
    const audited = new Map<string, number>();
    for await (const entry of reader.audit.stream({ runId })) {
      audited.set(entry.actionId, (audited.get(entry.actionId) ?? 0) + 1);
    }
    assert.equal(audited.size, planned, 'one audit entry per planned action');
    assert.deepEqual(
      [...audited].filter(([, n]) => n !== 1),
      [],
      'actions audited twice',
    );
    assert.deepEqual(changesAppliedTwice(await simMutationLog(sim.url)), [], 'changes Jira applied twice');
    const verification = await reader.audit.verify();
    assert.equal(verification.ok, true, JSON.stringify(verification));

    console.log(
      `      redis outage: ${redis.stops} restarts (${OUTAGE_MS / 1000} s each; scanned ${scannedAtRestart.join(', ')} ` +
        `of ${USERS}; ${doneAtRestart} actions done at the third); ${downProbes} API requests while down, all 503, ` +
        `slowest ${slowest} ms; SIGTERM with Redis down: exit in ${stopMs} ms; ${planned} actions, ` +
        `audit ${audited.size} entries, duplicates 0`,
    );
  });
});
