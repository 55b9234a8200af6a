import assert from 'node:assert/strict';
import { validateConfig } from '../../config/load.js';
import { jobIds } from '../../queues/job-ids.js';
import { QUEUES } from '../../queues/names.js';
import { createApp, type App } from '../../runtime/app.js';
import { launchRun } from '../../runtime/launch-run.js';
import { silentLogger } from '../../runtime/logger.js';
import { deletePrefixKeys } from '../../runtime/prefix-keys.js';
import { startSimulator, type RunningSimulator } from '../../simulator/index.js';
import { killAll, startWorkerProcess, writeConfigFile, type ReclaimProcess } from '../support/child.js';
import { createRecordsFor } from '../support/records.js';
import { testRedisUrl, uniquePrefix } from '../support/redis.js';
import { stackConfig, waitForRun } from '../support/stack.js';

/*
 * A job whose worker dies more often than BullMQ's `maxStalledCount` is failed by BullMQ
 * without its processor running again. The run must still end: failed, with the reason.
 */
describe('a scan whose worker keeps dying', function () {
  this.timeout(180_000);
  let sim: RunningSimulator | undefined;
  let app: App | undefined;
  let prefix: string | undefined;
  let config: { file: string; remove(): void } | undefined;
  const workers: ReclaimProcess[] = [];
  let records: { drop(): Promise<void> } | undefined;

  after(async () => {
    await killAll(workers);
    await app?.close();
    await sim?.close();
    config?.remove();
    if (prefix) await deletePrefixKeys(testRedisUrl(), prefix);
    await records?.drop();
  });

  it('fails the run with "stalled more than allowable limit" instead of leaving it scanning', async () => {
    prefix = uniquePrefix('stalled-job');
    records = await createRecordsFor(prefix);
    // A long scan: 40 pages at 200 ms each, so every worker dies in the middle of it.
    sim = await startSimulator({ users: 2_000, profile: 'dc11', latencyMs: 200 });
    const raw = stackConfig(sim, prefix, {
      jira: { pageSize: 50 },
      worker: { lockDurationMs: 2_000, shutdownTimeoutMs: 200 },
      // The sweeper would find the failed job too, but only in ten minutes: this is the
      // workers' own `failed` event at work.
      runs: { sweepEveryMinutes: 10 },
    });
    config = writeConfigFile(raw);
    app = createApp(validateConfig(raw), 'producer', silentLogger());
    const startWorker = () => startWorkerProcess(config!.file, workers);
    const scanJob = async () => (await app!.registry.queue(QUEUES.scan).getJob(jobIds.scanRun(run.id)))!;

    const run = await launchRun(app, { mode: 'dry-run', trigger: { type: 'cli' } });
    // maxStalledCount is 2: the third death is one too many.
    for (let death = 1; death <= 3; death++) {
      const worker = await startWorker();
      const deadline = Date.now() + 60_000;
      while (
        (await scanJob()).attemptsStarted < death ||
        (await app.runs.get(run.id))!.counters.scanned === 0
      ) {
        if (Date.now() > deadline)
          throw new Error(`worker ${death} never took the scan:\n${worker.output()}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      worker.child.kill('SIGKILL');
      await worker.exited;
      assert.equal((await app.runs.get(run.id))!.status, 'scanning');
    }

    await startWorker();
    const failed = await waitForRun(app, run.id, 60_000);
    assert.equal(failed.status, 'failed');
    assert.equal(failed.statusReason, 'scan failed: job stalled more than allowable limit');
    assert.equal(await (await scanJob()).getState(), 'failed');
  });
});
