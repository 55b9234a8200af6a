import assert from 'node:assert/strict';
import {
  JiraBadRequestError,
  JiraConnectionError,
  JiraNotFoundError,
  JiraRateLimitError,
  JiraReadOnlyDirectoryError,
  JiraServerError,
  JiraTimeoutError,
  JiraUnauthorizedError,
} from '../../services/jira/index.js';
import { awkwardFixture, clientFor, simRequestCount, simUser, startSimulator } from './sim-support.js';

describe('Jira client errors against the simulator', function () {
  this.timeout(30_000);

  describe('answers Jira gives on purpose', () => {
    it('404 for an unknown user, with method, path and Jira’s message', async () => {
      const sim = await startSimulator({ fixture: awkwardFixture('dc11') });
      const client = clientFor(sim);
      try {
        const error = await client.getUser('no such user').then(
          () => assert.fail('expected a 404'),
          (e: unknown) => e,
        );
        assert.ok(error instanceof JiraNotFoundError);
        assert.equal(error.status, 404);
        assert.equal(error.method, 'GET');
        assert.equal(error.path, '/rest/api/2/user?username=no%20such%20user');
        assert.match(error.messages.join(), /does not exist/);
      } finally {
        await client.close();
        await sim.close();
      }
    });

    it('401 for a wrong token or password, without the secret in the error', async () => {
      const sim = await startSimulator({ fixture: awkwardFixture('dc11') });
      const wrongToken = clientFor(sim, { token: 'not-the-token' });
      const wrongPassword = clientFor(sim, { token: undefined, username: 'admin', password: 'hunter2' });
      try {
        for (const client of [wrongToken, wrongPassword]) {
          const error = await client.checkConnection().catch((e: unknown) => e);
          assert.ok(error instanceof JiraUnauthorizedError);
          assert.equal(error.status, 401);
          assert.doesNotMatch(`${error.message} ${error.path}`, /not-the-token|hunter2/);
        }
        // serverInfo answers anonymous callers, as Jira does; /myself is the one 401, not retried.
        assert.equal(wrongToken.requestCount, 2, 'a 401 is not retried');
      } finally {
        await wrongToken.close();
        await wrongPassword.close();
        await sim.close();
      }
    });

    it('400 with field errors for a bad change, and read-only directory for an LDAP user', async () => {
      const sim = await startSimulator({ fixture: awkwardFixture('dc10') });
      const client = clientFor(sim);
      try {
        const taken = await client
          .updateUser({ key: 'JIRAUSER10001' }, { name: 'admin' })
          .catch((e: unknown) => e);
        assert.ok(taken instanceof JiraBadRequestError && !(taken instanceof JiraReadOnlyDirectoryError));
        assert.equal(taken.status, 400);
        assert.match(taken.fieldErrors.name ?? '', /already exists/);

        const readOnly = await client.updateUser('ldap.bob', { active: false }).catch((e: unknown) => e);
        assert.ok(readOnly instanceof JiraReadOnlyDirectoryError);
        assert.equal(readOnly.method, 'PUT');
        assert.deepEqual(readOnly.messages, ['Cannot edit user, the user directory is read-only.']);
        assert.equal((await simUser(sim, 'ldap.bob'))?.active, true);
        assert.equal(client.requestCount, 2, '400s are not retried');
      } finally {
        await client.close();
        await sim.close();
      }
    });

    it('429 surfaces at once as JiraRateLimitError with Retry-After, never retried inside', async () => {
      const sim = await startSimulator({ fixture: awkwardFixture('dc11'), rateLimit: 2 });
      const client = clientFor(sim);
      try {
        let limited: JiraRateLimitError | undefined;
        let calls = 0;
        for (; calls < 20 && !limited; calls++) {
          await client.getUser('alice').catch((e: unknown) => {
            if (!(e instanceof JiraRateLimitError)) throw e;
            limited = e;
          });
        }
        assert.ok(limited, 'the bucket ran dry');
        assert.equal(limited.status, 429);
        assert.ok(limited.retryAfterMs >= 1_000, `retryAfterMs ${limited.retryAfterMs}`);
        assert.equal(limited.rateLimit.limit, 2);
        assert.equal(client.requestCount, calls, 'one attempt per call');
      } finally {
        await client.close();
        await sim.close();
      }
    });
  });

  describe('faults', () => {
    it('gives up after the configured retries when every request fails', async () => {
      const sim = await startSimulator({ fixture: awkwardFixture('dc11'), faultRate: 1 });
      const client = clientFor(sim, { retries: 2, timeoutMs: 300 });
      try {
        const kinds = new Set<string>();
        for (let i = 0; i < 6; i++) {
          const error = await client.getUser('alice').catch((e: unknown) => e);
          assert.ok(
            error instanceof JiraServerError ||
              error instanceof JiraConnectionError ||
              error instanceof JiraTimeoutError,
            String(error),
          );
          assert.equal(error.attempts, 3);
          kinds.add(error.constructor.name);
        }
        assert.equal(client.requestCount, 18);
        assert.ok(kinds.size >= 2, `several kinds of failure: ${[...kinds].join(', ')}`);
      } finally {
        await client.close();
        await sim.close();
      }
    });

    it('bounds the retries by total time', async () => {
      const sim = await startSimulator({ fixture: awkwardFixture('dc11'), faultRate: 1 });
      const client = clientFor(sim, {
        retries: 50,
        timeoutMs: 200,
        retryBaseDelayMs: 50,
        retryBudgetMs: 1_000,
      });
      try {
        const started = Date.now();
        await assert.rejects(client.getUser('alice'));
        assert.ok(Date.now() - started < 2_500, 'stopped near the budget');
        assert.ok(client.requestCount < 50);
      } finally {
        await client.close();
        await sim.close();
      }
    });

    it('succeeds through a moderate fault rate, changes included (lost answers are retried safely)', async () => {
      const sim = await startSimulator({ fixture: awkwardFixture('dc10'), faultRate: 0.3, seed: 3 });
      const client = clientFor(sim, { retries: 6, timeoutMs: 400 });
      try {
        const before = await simRequestCount(sim);
        for (let i = 0; i < 30; i++) assert.equal((await client.getUser('alice')).key, 'JIRAUSER10001');
        for (let i = 0; i < 10; i++) {
          const name = `member${String(i).padStart(3, '0')}`;
          await client.addToGroup(name, 'developers');
          await client.removeFromGroup(name, 'big-team');
        }
        await client.updateUser('alice', { name: 'alice.renamed' });
        assert.ok(client.requestCount > 51, `retries happened (${client.requestCount} requests)`);
        assert.equal((await simRequestCount(sim)) - before, client.requestCount);
        for (let i = 0; i < 10; i++) {
          const state = await simUser(sim, `member${String(i).padStart(3, '0')}`);
          assert.deepEqual(new Set(state?.groups), new Set(['developers', 'jira-software-users']));
        }
        assert.equal((await simUser(sim, 'alice.renamed'))?.key, 'JIRAUSER10001');
      } finally {
        await client.close();
        await sim.close();
      }
    });
  });
});
