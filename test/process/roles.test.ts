import assert from 'node:assert/strict';
import { deletePrefixKeys } from '../../runtime/prefix-keys.js';
import { spawnReclaim, writeConfigFile } from '../support/child.js';
import { testRedisUrl, uniquePrefix } from '../support/redis.js';

/** `reclaim start` and `reclaim sim` as an ops engineer runs them. */
describe('the process roles from the command line', function () {
  this.timeout(60_000);

  it('`reclaim start` serves the API with probes and stops cleanly on SIGTERM', async () => {
    const prefix = uniquePrefix('start');
    const config = writeConfigFile({
      redis: { url: testRedisUrl(), prefix },
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
      start.child.kill('SIGTERM');
      const exit = await start.exited;
      assert.equal(exit.code, 0, start.output());
      assert.match(start.output(), /stopped cleanly/);
    } finally {
      config.remove();
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
