import assert from 'node:assert/strict';
import { validateConfig } from '../../config/load.js';
import { createApp, type App } from '../../runtime/app.js';
import { launchRun } from '../../runtime/launch-run.js';
import { silentLogger } from '../../runtime/logger.js';
import { deletePrefixKeys } from '../../runtime/prefix-keys.js';
import { startSimulator, type RunningSimulator } from '../../simulator/index.js';
import { killAll, spawnReclaim, writeConfigFile, type ReclaimProcess } from '../support/child.js';
import { createRecordsFor } from '../support/records.js';
import { testRedisUrl, uniquePrefix } from '../support/redis.js';
import { stackConfig, waitForRun } from '../support/stack.js';

/*
 * `reclaim worker` as a real process: it processes jobs, stops cleanly on SIGTERM without
 * losing the job it was working on, and a SIGKILL in the middle of a scan loses nothing either.
 */
describe('the worker process', function () {
  this.timeout(120_000);
  let sim: RunningSimulator;
  let app: App;
  let prefix: string;
  let config: { file: string; remove(): void };
  const workers: ReclaimProcess[] = [];

  const startWorker = async () => {
    const worker = spawnReclaim(['worker', '--config', config.file], { REDIS_URL: '' });
    workers.push(worker);
    await worker.waitFor(/workers started/);
    return worker;
  };

  let records: { drop(): Promise<void> } | undefined;

  afterEach(async () => {
    await killAll(workers);
    await app?.close();
    await sim?.close();
    config?.remove();
    if (prefix) await deletePrefixKeys(testRedisUrl(), prefix);
    await records?.drop();
    records = undefined;
  });

  const setUp = async (users: number, latencyMs: number, pageSize: number) => {
    prefix = uniquePrefix('worker-process');
    records = await createRecordsFor(prefix);
    sim = await startSimulator({ users, profile: 'dc11', latencyMs });
    const raw = stackConfig(sim, prefix, {
      jira: { pageSize },
      worker: { shutdownTimeoutMs: 200, lockDurationMs: 3_000 },
    });
    config = writeConfigFile(raw);
    app = createApp(validateConfig(raw), 'producer', silentLogger());
  };

  it('processes a run, and on SIGTERM during a long scan exits 0 and hands the job back', async () => {
    await setUp(1_000, 100, 50);
    const worker = await startWorker();
    const run = await launchRun(app, { mode: 'dry-run', trigger: { type: 'cli' } });
    // Wait until the scan is well under way, then ask the worker to stop.
    for (let scanned = 0; scanned < 300; scanned = (await app.runs.get(run.id))!.counters.scanned) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    worker.child.kill('SIGTERM');
    const exit = await worker.exited;
    assert.equal(exit.code, 0, worker.output());
    assert.match(worker.output(), /handing them back/);
    assert.match(worker.output(), /stopped cleanly/);
    const scanJob = await app.registry.queue('scan').getJob(`scan-${run.id}`);
    assert.equal(await scanJob!.getState(), 'waiting', 'the scan job went back to waiting');
    assert.equal(scanJob!.attemptsMade, 0, 'handing back spends no attempt');

    await startWorker();
    const done = await waitForRun(app, run.id, 90_000);
    assert.equal(done.status, 'done');
    assert.equal(done.counters.total, 1_000);
    assert.equal(done.counters.evaluated, 1_000);
  });

  it('survives a SIGKILL in the middle of a 20,000-user scan: every user is in the plan exactly once', async () => {
    await setUp(20_000, 5, 1000);
    const first = await startWorker();
    const run = await launchRun(app, { mode: 'dry-run', trigger: { type: 'cli' } });
    for (let scanned = 0; scanned < 5_000; scanned = (await app.runs.get(run.id))!.counters.scanned) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    first.child.kill('SIGKILL');
    await first.exited;
    const interrupted = (await app.runs.get(run.id))!;
    assert.ok(interrupted.counters.scanned < 20_000, 'the kill came in the middle of the scan');

    await startWorker();
    const done = await waitForRun(app, run.id, 100_000);
    assert.equal(done.status, 'done', done.statusReason);
    assert.equal(done.counters.total, 20_000);
    assert.equal(done.counters.evaluated, 20_000);
    assert.equal(done.counters.scanned, 20_000, 'the retried scan counts each user once');
    const keys = new Set<string>();
    for await (const line of app.plans.stream(run.id)) {
      assert.ok(!keys.has(line.key), `${line.key} twice in the plan`);
      keys.add(line.key);
    }
    assert.equal(keys.size, 20_000);
    const verdicts = Object.values(done.counters.byVerdict).reduce((sum, n) => sum + n, 0);
    assert.equal(verdicts, 20_000, 'verdict counters count every user once');
  });
});
