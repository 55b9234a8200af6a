import assert from 'node:assert/strict';
import { createApp } from '../../runtime/app.js';
import { silentLogger } from '../../runtime/logger.js';
import { pollLogins } from '../../services/restore/login-poll.js';
import { restoreLedger, pollDeps } from '../../workers/restore.js';
import { getSimStats } from '../support/sim-hooks.js';
import { simHook, startStack, type Stack } from '../support/stack.js';

/** The Jira requests the simulator saw on its REST routes. */
async function jiraRequests(stack: Stack): Promise<number> {
  const stats = await getSimStats(stack.sim.url);
  return Object.entries(stats.requests.byRoute)
    .filter(([route]) => route.includes(' /rest/'))
    .reduce((sum, [, byStatus]) => sum + Object.values(byStatus).reduce((a, b) => a + b, 0), 0);
}

/*
 * What one login poll costs Jira: one request per page of users for many reclaimed users, one
 * per user for a few (bench/restore-poll.ts measures the same at 100,000 users).
 */
describe('the login poll’s cost', function () {
  this.timeout(180_000);
  let stack: Stack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  async function pollWithReclaimed(profile: 'dc9' | 'dc11', users: number, reclaimed: number) {
    stack = await startStack({ sim: { users, profile }, scim: false, workers: false });
    const chosen: Array<{ key: string; name: string }> = [];
    for await (const page of stack.app.jira().listUsers()) {
      for (const user of page) if (user.active && chosen.length < reclaimed) chosen.push(user);
      if (chosen.length >= reclaimed) break;
    }
    for (const [i, user] of chosen.entries()) {
      const before = { key: user.key, name: user.name, active: true, groups: ['jira-software-users'] };
      await stack.app.audit.append({
        runId: 'r20261201T000000000Z-poll1',
        actionId: `act-poll-${i}`,
        actor: 'test',
        action: 'revoke-license',
        user,
        before,
        after: { ...before, groups: [] },
        outcome: 'done',
        changes: [{ op: 'remove-group', group: 'jira-software-users' }],
      });
    }
    const back = chosen.slice(0, 7);
    for (const user of back) await simHook(stack.sim, `/__sim/users/${encodeURIComponent(user.name)}/login`);
    // A fresh process: the version detection counts.
    const app = createApp(stack.config, 'producer', silentLogger());
    try {
      const before = await jiraRequests(stack);
      const summary = await pollLogins(pollDeps(app));
      const requests = (await jiraRequests(stack)) - before;
      const ledger = restoreLedger(app);
      for (const user of back) {
        const [request] = await ledger.ofUser(user.key);
        assert.equal(request?.kind, 'restore', `${user.name}'s restore was asked for`);
      }
      return { summary, requests };
    } finally {
      await app.close();
    }
  }

  it('reads many reclaimed users’ logins from the bulk listing: a request per 1,000 users (dc11)', async () => {
    const { summary, requests } = await pollWithReclaimed('dc11', 5_000, 500);
    assert.equal(summary.source, 'listing');
    assert.equal(summary.restoresQueued, 7);
    // serverInfo, the detection's sample page, and 5 pages of /user/list.
    assert.ok(requests <= 5 + 2, `${requests} Jira requests`);
  });

  it('reads them from Crowd’s user search on Jira 9', async () => {
    const { summary, requests } = await pollWithReclaimed('dc9', 5_000, 500);
    assert.equal(summary.source, 'crowd');
    assert.equal(summary.restoresQueued, 7);
    assert.ok(requests <= 5 + 4, `${requests} Jira requests`);
  });

  it('reads a few reclaimed users one by one', async () => {
    const { summary, requests } = await pollWithReclaimed('dc11', 5_000, 12);
    assert.equal(summary.source, 'per-user');
    assert.equal(summary.restoresQueued, 7);
    assert.ok(requests <= 12 + 2, `${requests} Jira requests`);
  });
});
