import assert from 'node:assert/strict';
import { jobIds } from '../../queues/job-ids.js';
import { JOBS } from '../../queues/names.js';
import type { SimStats } from '../support/sim-hooks.js';
import { runToEnd, simStats, startStack, type Stack } from '../support/stack.js';
import { AS_OF, VERDICT_POLICY, verdictFixture } from './verdict-fixture.js';

/*
 * The run's "Jira requests" against what the simulated Jira received, and the ceiling of
 * requests per second against the seconds the requests arrived in. Without a directory source:
 * the simulator also serves SCIM, and only Jira's requests are the run's "Jira requests".
 * Jira 9, so that last logins take Crowd calls too.
 */

const CONFIG = {
  policy: VERDICT_POLICY,
  brake: { maxActions: 1000, maxPercentOfUsers: 100 },
  jira: { crowd: { application: 'reclaim', password: 'reclaim-secret' } },
};

/** Requests the simulator saw between two readings of its statistics, by route and status. */
function delta(before: SimStats, after: SimStats) {
  const byRoute: Record<string, Record<string, number>> = {};
  for (const [route, statuses] of Object.entries(after.requests.byRoute)) {
    for (const [status, n] of Object.entries(statuses)) {
      const more = n - (before.requests.byRoute[route]?.[status] ?? 0);
      if (more > 0) (byRoute[route] ??= {})[status] = more;
    }
  }
  const count = (match: (route: string, status: string) => boolean) =>
    Object.entries(byRoute).reduce(
      (sum, [route, statuses]) =>
        sum + Object.entries(statuses).reduce((s, [status, n]) => s + (match(route, status) ? n : 0), 0),
      0,
    );
  return { total: after.requests.total - before.requests.total, byRoute, count };
}

const failed = (_route: string, status: string) => status === 'reset' || status.startsWith('5');

describe('the run\'s "Jira requests"', function () {
  this.timeout(120_000);
  let stack: Stack;
  afterEach(() => stack?.close());

  it('equal the requests Jira received, with retries, detection and Crowd calls, for a dry run, an apply run and its undo', async () => {
    stack = await startStack({
      // Last logins come in bulk, so the dry run is a few dozen requests: enough faults to hit some.
      sim: { fixture: verdictFixture('dc9'), faultRate: 0.3, seed: 11 },
      scim: false,
      // A slow answer (one of the faults) times out and is retried, rather than waited for.
      config: { ...CONFIG, jira: { ...CONFIG.jira, timeoutMs: 1_000 } },
    });
    const start = await simStats(stack.sim);

    const dry = await runToEnd(stack, { asOf: AS_OF });
    assert.equal(dry.status, 'done', dry.statusReason);
    const afterDry = await simStats(stack.sim);
    const dryRequests = delta(start, afterDry);
    assert.equal(dry.counters.jiraRequests, dryRequests.total, JSON.stringify(dryRequests.byRoute));
    assert.ok(dryRequests.byRoute['GET /rest/api/2/serverInfo'], 'the version detection is in the count');
    assert.ok(dryRequests.byRoute['GET /rest/usermanagement/1/search'], 'the Crowd calls are in the count');
    assert.ok(
      dryRequests.count(failed) > 0,
      `some requests failed and were retried: ${JSON.stringify(dryRequests.byRoute)}`,
    );

    const apply = await runToEnd(stack, { mode: 'apply', asOf: AS_OF });
    assert.equal(apply.status, 'done', apply.statusReason);
    assert.ok(apply.counters.actionsDone > 0);
    const afterApply = await simStats(stack.sim);
    const applyRequests = delta(afterDry, afterApply);
    assert.equal(apply.counters.jiraRequests, applyRequests.total, JSON.stringify(applyRequests.byRoute));
    assert.ok(applyRequests.count((route) => /^(POST|PUT|DELETE) /.test(route)) > 0, 'changes were made');

    await stack.app.registry.add(JOBS.undoRun, { runId: apply.id, actor: 'test' }, jobIds.undoRun(apply.id));
    const undoJob = (await stack.app.registry.queue('undo').getJob(jobIds.undoRun(apply.id)))!;
    for (let i = 0; i < 300 && !(await undoJob.isCompleted()); i++)
      await new Promise((r) => setTimeout(r, 100));
    assert.ok(await undoJob.isCompleted(), `undo did not complete: ${await undoJob.getState()}`);
    const undoRequests = delta(afterApply, await simStats(stack.sim));
    assert.ok(undoRequests.total > 0);
    const afterUndo = (await stack.app.runs.get(apply.id))!;
    assert.equal(afterUndo.counters.jiraRequests - apply.counters.jiraRequests, undoRequests.total);
  });

  it('stay under jira.requestsPerSecond in every second Jira received them', async () => {
    stack = await startStack({
      // An older Crowd (no /group/membership): the policy groups are listed one by one, which
      // gives this small fixture enough requests to show the ceiling.
      sim: { fixture: verdictFixture('dc9'), crowdGroupMemberships: false },
      scim: false,
      config: { ...CONFIG, jira: { ...CONFIG.jira, requestsPerSecond: 5 } },
    });
    const run = await runToEnd(stack, { asOf: AS_OF });
    assert.equal(run.status, 'done', run.statusReason);
    const { requests } = await simStats(stack.sim);
    // Enough requests that, unthrottled, they would all arrive within one second.
    assert.ok(requests.total > 10, `only ${requests.total} requests`);
    assert.equal(run.counters.jiraRequests, requests.total);
    const busiest = Math.max(...Object.values(requests.perSecond));
    assert.ok(busiest <= 5, `a second held ${busiest} requests: ${JSON.stringify(requests.perSecond)}`);
  });
});
