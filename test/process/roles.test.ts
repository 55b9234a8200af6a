import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { stateKey } from '../../queues/connection.js';
import { deletePrefixKeys } from '../../runtime/prefix-keys.js';
import { startSimulator } from '../../simulator/index.js';
import { spawnReclaim, writeConfigFile } from '../support/child.js';
import { testRedisUrl, uniquePrefix } from '../support/redis.js';

/** `reclaim start` and `reclaim sim` as an ops engineer runs them. */
describe('the process roles from the command line', function () {
  this.timeout(60_000);

  it('`reclaim start` serves the API with probes, runs a dry run on the embedded records store, and stops cleanly on SIGTERM', async () => {
    const prefix = uniquePrefix('start');
    const sim = await startSimulator({ users: 60 });
    const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
    // No records.url: the embedded store (PGlite), in a directory of the test's own.
    const dataDir = join(mkdtempSync(join(tmpdir(), 'reclaim-start-records-')), 'records');
    const config = writeConfigFile({
      redis: { url: testRedisUrl(), prefix },
      records: { dataDir },
      jira: { url: sim.url, token: 'sim-token', requestsPerSecond: 2000 },
      api: { port: 0, tokens: [{ name: 'ops', token: 'ops-token-0123456789', role: 'operator' }] },
    });
    try {
      const start = spawnReclaim(['start', '--config', config.file], { REDIS_URL: '' });
      await start.waitFor(/Reclaim API at (http:\/\/[\d.:]+)/);
      const url = /Reclaim API at (http:\/\/[\d.:]+)/.exec(start.output())![1]!;
      assert.equal((await fetch(`${url}/healthz`)).status, 200);
      assert.equal((await fetch(`${url}/readyz`)).status, 200);
      assert.equal((await fetch(`${url}/api/runs`)).status, 401);
      const runs = await fetch(`${url}/api/runs`, {
        headers: { Authorization: 'Bearer ops-token-0123456789' },
      });
      assert.deepEqual(await runs.json(), { runs: [], next: null });

      const auth = { Authorization: 'Bearer ops-token-0123456789', 'Content-Type': 'application/json' };
      const created = await fetch(`${url}/api/runs`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ mode: 'dry-run' }),
      });
      assert.equal(created.status, 202);
      const { id } = (await created.json()) as { id: string };
      const deadline = Date.now() + 40_000;
      let run: { status: string; counters: { evaluated: number }; statusReason?: string };
      for (;;) {
        run = (await (await fetch(`${url}/api/runs/${id}`, { headers: auth })).json()) as typeof run;
        if (['done', 'failed', 'cancelled'].includes(run.status)) break;
        if (Date.now() > deadline) throw new Error(`run ${id} still ${run.status}:\n${start.output()}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      assert.equal(run.status, 'done', run.statusReason);
      assert.equal(run.counters.evaluated, 60);
      // Over: the run left Redis, and the embedded store lists it.
      assert.equal(
        await redis.exists(stateKey(prefix, 'run', id), stateKey(prefix, 'run', id, 'counters')),
        0,
      );
      const listed = (await (await fetch(`${url}/api/runs`, { headers: auth })).json()) as {
        runs: Array<{ id: string; counters: { evaluated: number } }>;
      };
      assert.deepEqual(
        listed.runs.map((r) => [r.id, r.counters.evaluated]),
        [[id, 60]],
      );
      assert.ok(existsSync(join(dataDir, 'PG_VERSION')), 'the embedded store was created in records.dataDir');
      assert.ok(existsSync(join(dataDir, 'reclaim.lock')), 'and is held by the process');
      start.child.kill('SIGTERM');
      const exit = await start.exited;
      assert.equal(exit.code, 0, start.output());
      assert.match(start.output(), /stopped cleanly/);
      assert.ok(!existsSync(join(dataDir, 'reclaim.lock')), 'the store was closed');
    } finally {
      config.remove();
      rmSync(join(dataDir, '..'), { recursive: true, force: true });
      await sim.close();
      await redis.quit();
      await deletePrefixKeys(testRedisUrl(), prefix);
    }
  });

  it('`reclaim sim` serves a simulated Jira, and refuses a profile it does not know', async () => {
    const sim = spawnReclaim(['sim', '--users', '200', '--profile', 'dc9', '--port', '0']);
    await sim.waitFor(/Jira simulator \(dc9, 200 users\) at (http:\/\/[\d.:]+)/);
    const url = /at (http:\/\/[\d.:]+)/.exec(sim.output())![1]!;
    const info = await fetch(`${url}/rest/api/2/serverInfo`, {
      headers: { Authorization: 'Bearer sim-token' },
    });
    assert.equal(((await info.json()) as { version: string }).version, '9.12.15');
    sim.child.kill('SIGTERM');
    assert.equal((await sim.exited).code, 0);

    const wrong = spawnReclaim(['sim', '--profile', 'dc12']);
    assert.equal((await wrong.exited).code, 1);
    assert.match(wrong.output(), /--profile: expected dc9, dc10 or dc11, got "dc12"/);
  });
});
