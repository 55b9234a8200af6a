import assert from 'node:assert/strict';
import { startSimulator, type RunningSimulator } from '../../simulator/index.js';
import { BASIC_ADMIN, call, get, type UserState } from './sim-client.js';

const referenceTime = new Date('2026-11-01T00:00:00Z');

describe('simulator: authentication, rate limiting, latency and faults', () => {
  describe('authentication', () => {
    let sim: RunningSimulator;
    before(async () => {
      sim = await startSimulator({ users: 50, referenceTime, token: 'secret-pat' });
    });
    after(() => sim.close());

    it('answers 401 with the envelope without valid credentials', async () => {
      for (const authorization of [
        '',
        'Bearer wrong',
        `Basic ${Buffer.from('admin:nope').toString('base64')}`,
      ]) {
        const refused = await get<{ errorMessages: string[]; errors: object }>(
          sim.url,
          '/rest/api/2/myself',
          {
            authorization,
          },
        );
        assert.equal(refused.status, 401);
        assert.ok(refused.body.errorMessages.length > 0);
        assert.deepEqual(refused.body.errors, {});
      }
    });

    it('accepts the configured token and Basic admin/admin; test hooks need neither', async () => {
      assert.equal(
        (await get(sim.url, '/rest/api/2/myself', { authorization: 'Bearer secret-pat' })).status,
        200,
      );
      assert.equal((await get(sim.url, '/rest/api/2/myself', BASIC_ADMIN)).status, 200);
      assert.equal((await get(sim.url, '/__sim/stats', { authorization: '' })).status, 200);
    });

    it('confirms the caller administers Jira', async () => {
      const permissions = await get<{
        permissions: { ADMINISTER: { key: string; havePermission: boolean } };
      }>(sim.url, '/rest/api/2/mypermissions?permissions=ADMINISTER', BASIC_ADMIN);
      assert.equal(permissions.body.permissions.ADMINISTER.key, 'ADMINISTER');
      assert.equal(permissions.body.permissions.ADMINISTER.havePermission, true);
    });
  });

  describe('rate limiting', () => {
    let sim: RunningSimulator;
    before(async () => {
      sim = await startSimulator({ users: 50, referenceTime, rateLimit: 5 });
    });
    after(() => sim.close());

    it('sends the X-RateLimit headers and 429 with Retry-After once the bucket is empty', async () => {
      const answers = await Promise.all(
        Array.from({ length: 12 }, () => get(sim.url, '/rest/api/2/serverInfo')),
      );
      for (const answer of answers) {
        assert.equal(answer.headers.get('x-ratelimit-limit'), '5');
        assert.equal(answer.headers.get('x-ratelimit-fillrate'), '5');
        assert.equal(answer.headers.get('x-ratelimit-interval-seconds'), '1');
        assert.ok(answer.headers.get('x-ratelimit-remaining') !== null);
      }
      const limited = answers.filter((answer) => answer.status === 429);
      assert.ok(limited.length >= 5, `${limited.length} of 12 limited`);
      const first = limited[0] as (typeof limited)[number];
      assert.ok(Number(first.headers.get('retry-after')) >= 1);
      assert.ok(Array.isArray((first.body as { errorMessages: unknown }).errorMessages));

      const stats = await get<{ requests: { byRoute: Record<string, Record<string, number>> } }>(
        sim.url,
        '/__sim/stats',
      );
      assert.equal(stats.body.requests.byRoute['GET /rest/api/2/serverInfo']?.['429'], limited.length);

      await new Promise((resolve) => setTimeout(resolve, 1100));
      assert.equal((await get(sim.url, '/rest/api/2/serverInfo')).status, 200);
    });

    it('never limits the test hooks', async () => {
      const answers = await Promise.all(Array.from({ length: 20 }, () => get(sim.url, '/__sim/stats')));
      assert.ok(answers.every((answer) => answer.status === 200));
    });
  });

  describe('latency', () => {
    let sim: RunningSimulator;
    before(async () => {
      sim = await startSimulator({ users: 50, referenceTime, latencyMs: 100 });
    });
    after(() => sim.close());

    it('delays REST answers by half to one and a half times the latency', async () => {
      const started = performance.now();
      assert.equal((await get(sim.url, '/rest/api/2/serverInfo')).status, 200);
      const elapsed = performance.now() - started;
      assert.ok(elapsed >= 45 && elapsed < 400, `took ${elapsed} ms`);
    });
  });

  describe('faults', () => {
    let sim: RunningSimulator;
    before(async () => {
      sim = await startSimulator({ users: 200, referenceTime, faultRate: 1, seed: 7 });
    });
    after(() => sim.close());

    type Outcome = 'error' | 'reset' | 'slow';

    async function attempt(method: string, path: string, body?: unknown): Promise<Outcome> {
      const started = performance.now();
      try {
        const answer = await call(sim.url, method, path, { body });
        if (answer.status >= 500) return 'error';
        assert.ok(
          performance.now() - started >= 2900,
          `a fault-free answer (${answer.status}) at fault rate 1`,
        );
        return 'slow';
      } catch {
        return 'reset';
      }
    }

    it('fails every REST request: 5xx envelopes, reset connections or 3 s delays', async () => {
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, () => attempt('GET', '/rest/api/2/serverInfo')),
      );
      assert.ok(outcomes.includes('error'));
      assert.ok(outcomes.includes('reset'));
      assert.ok(outcomes.includes('slow'));
      assert.equal((await get(sim.url, '/__sim/stats')).status, 200);
    });

    it('applies half of the failed changes although the client saw a failure', async () => {
      await call(sim.url, 'POST', '/__sim/reset');
      // The REST API itself is faulted: take the members from the test hooks.
      const members: string[] = [];
      for (const name of await knownUserNames()) {
        const state = await get<UserState>(sim.url, `/__sim/state/users/${name}`);
        if (state.body.groups.includes('jira-software-users')) members.push(name);
        if (members.length === 24) break;
      }
      const outcomes = await Promise.all(
        members.map((name) =>
          attempt(
            'DELETE',
            `/rest/api/2/group/user?groupname=jira-software-users&username=${encodeURIComponent(name)}`,
          ),
        ),
      );
      const failed = outcomes.filter((outcome) => outcome !== 'slow').length;
      const slow = outcomes.length - failed;
      const stats = await get<{ mutations: { total: number } }>(sim.url, '/__sim/stats');
      assert.ok(failed >= 4, `${failed} failed`);
      // Slow answers arrive late but intact; every second failure happened after the change.
      assert.equal(stats.body.mutations.total, slow + Math.floor(failed / 2));
    });
  });
});

/** Names of the synthetic enterprise, from an unfaulted simulator with the same seed. */
async function knownUserNames(): Promise<string[]> {
  const twin = await startSimulator({ users: 200, referenceTime, seed: 7 });
  try {
    const list = await get<{ values: { name: string }[] }>(twin.url, '/rest/api/2/user/list');
    return list.body.values.map((user) => user.name);
  } finally {
    await twin.close();
  }
}
