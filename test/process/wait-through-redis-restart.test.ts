import assert from 'node:assert/strict';
import { validateConfig } from '../../config/load.js';
import { createApp, type App } from '../../runtime/app.js';
import { silentLogger } from '../../runtime/logger.js';
import { startSimulator, type RunningSimulator } from '../../simulator/index.js';
import { killAll, spawnReclaim, writeConfigFile, type ReclaimProcess } from '../support/child.js';
import { createRecordsFor } from '../support/records.js';
import { uniquePrefix } from '../support/redis.js';
import { stackConfig } from '../support/stack.js';
import { OwnRedis } from '../support/own-redis.js';

describe('reclaim scan --wait and runs ID --wait through a Redis restart', function () {
  this.timeout(180_000);
  let redis: OwnRedis | undefined;
  let sim: RunningSimulator | undefined;
  let config: { file: string; remove(): void } | undefined;
  let reader: App | undefined;
  const children: ReclaimProcess[] = [];
  let records: { drop(): Promise<void> } | undefined;

  after(async () => {
    await killAll(children);
    await reader?.close();
    await sim?.close();
    config?.remove();
    await redis?.remove();
    await records?.drop();
  });

  it('says Redis is unavailable, keeps waiting, and prints the summary once the run is done', async () => {
    // An append-only file so that a restart keeps every key.
    redis = await OwnRedis.start({ appendfsync: 'always' });
    // Long enough to restart Redis in the middle: 40 pages of 100 ms.
    sim = await startSimulator({ users: 4_000, profile: 'dc11', latencyMs: 100 });
    const prefix = uniquePrefix('redis-restart');
    records = await createRecordsFor(prefix);
    const raw = stackConfig(sim, prefix, {
      redis: { url: redis.url },
      jira: { pageSize: 100 },
      worker: { lockDurationMs: 2_000, shutdownTimeoutMs: 200 },
    });
    config = writeConfigFile(raw);
    // The test reads the run through a connection that reconnects too.
    reader = createApp(validateConfig(raw), 'waiter', silentLogger());

    const worker = spawnReclaim(['worker', '--config', config.file], { REDIS_URL: '' });
    children.push(worker);
    await worker.waitFor(/workers started/);
    const scan = spawnReclaim(['--config', config.file, 'scan', '--wait'], { REDIS_URL: '' });
    children.push(scan);
    await scan.waitFor(/started run (\S+)/);
    const runId = /started run (\S+)/.exec(scan.output())![1]!;
    // A second person follows the same run.
    const follow = spawnReclaim(['--config', config.file, 'runs', runId, '--wait'], { REDIS_URL: '' });
    children.push(follow);
    for (let scanned = 0; scanned < 500; scanned = (await reader.runs.get(runId))?.counters.scanned ?? 0) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    await redis.down();
    await scan.waitFor(/Redis unavailable \(.*\), retrying/, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    assert.equal(scan.child.exitCode, null, `the waiting CLI is still there:\n${scan.output()}`);
    await redis.up();

    const exit = await scan.exited;
    assert.equal(exit.code, 0, scan.output());
    assert.match(scan.output(), /Redis reachable again/);
    assert.doesNotMatch(scan.output(), /Connection is closed/);
    assert.match(scan.output(), new RegExp(`Run ${runId} — dry-run, done`));
    assert.match(scan.output(), /users scanned 4,000 of 4,000 · evaluated 4,000/);
    assert.match(scan.output(), /verdicts: /);

    const followed = await follow.exited;
    assert.equal(followed.code, 0, follow.output());
    assert.match(follow.output(), /Redis unavailable \(.*\), retrying/);
    assert.match(follow.output(), new RegExp(`Run ${runId} — dry-run, done`));
    assert.match(follow.output(), /users scanned 4,000 of 4,000 · evaluated 4,000/);
  });
});
