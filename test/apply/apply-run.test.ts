import assert from 'node:assert/strict';
import { jobIds } from '../../queues/job-ids.js';
import { JOBS } from '../../queues/names.js';
import { approveRun } from '../../services/pipeline/finish-run.js';
import { queueApply } from '../../workers/run-control.js';
import { AS_OF, EXPECTED, VERDICT_POLICY, verdictFixture } from '../pipeline/verdict-fixture.js';
import { runToEnd, simStats, simUser, startStack, waitForRun, type Stack } from '../support/stack.js';

const NAMES = Object.keys(EXPECTED);
const TRACKING = 'jira-inactive-users';
const OPEN_BRAKE = { maxActions: 1000, maxPercentOfUsers: 100 };

type SimUser = Awaited<ReturnType<typeof simUser>>;

/** Every fixture user as the simulated Jira holds it now (under the name or the renamed one). */
async function snapshot(stack: Stack): Promise<Map<string, SimUser>> {
  const users = new Map<string, SimUser>();
  for (const name of NAMES.flatMap((n) => [n, `${n}_inactive_20261129`])) {
    const user = await simUser(stack.sim, name).catch(() => undefined);
    if (user) users.set(user.key, user);
  }
  return users;
}

/** Jira's state by user key, without the mutation counts. */
async function stateByKey(stack: Stack) {
  const state = new Map<string, { name: string; active: boolean; groups: string[] }>();
  for (const [key, user] of await snapshot(stack)) {
    state.set(key, { name: user.name, active: user.active, groups: [...user.groups].sort() });
  }
  return state;
}

describe('an apply run', function () {
  this.timeout(120_000);
  let stack: Stack;
  afterEach(() => stack?.close());

  const start = (sim: object = {}, brake: object = OPEN_BRAKE) =>
    startStack({
      sim: { fixture: verdictFixture(), ...sim },
      config: { policy: VERDICT_POLICY, directories: { maxAbsentPercent: 20 }, brake },
    });

  it('leaves Jira in exactly the planned state, audits every action, and undo brings everyone back', async () => {
    stack = await start();
    const before = await stateByKey(stack);
    const run = await runToEnd(stack, { mode: 'apply', asOf: AS_OF });
    assert.equal(run.status, 'done', run.statusReason);

    const user = (name: string) => simUser(stack.sim, name);
    const bob = await user('bob');
    assert.deepEqual(bob.groups.sort(), ['developers', TRACKING]);
    assert.equal(bob.active, true);
    assert.deepEqual((await user('carol')).groups.sort(), [TRACKING]);
    assert.deepEqual((await user('judy')).groups.sort(), ['developers', TRACKING]);
    assert.deepEqual((await user('zoë o’neil+test')).groups.sort(), [TRACKING]);
    const frank = await user('frank_inactive_20261129');
    assert.deepEqual([frank.active, frank.groups.sort()], [false, [TRACKING, 'staff']]);
    const grace = await user('grace_inactive_20261129');
    assert.deepEqual([grace.active, grace.groups.sort()], [false, [TRACKING]]);
    // A leaver in the read-only LDAP directory: groups taken, but Jira refuses the rest.
    const ken = await user('ken');
    assert.deepEqual([ken.active, ken.groups.sort()], [true, [TRACKING]]);
    for (const name of ['alice', 'dave', 'erin', 'svc-bot', 'heidi', 'mallory', 'nina']) {
      assert.equal((await user(name)).mutations, 0, `${name} was not to be touched`);
    }

    const audited = [];
    for await (const entry of stack.app.audit.stream({ runId: run.id })) audited.push(entry);
    const planned = Object.values(EXPECTED).reduce((sum, e) => sum + e.actions.length, 0);
    assert.equal(audited.length, planned, 'one audit entry per planned action');
    const kenRefused = audited.filter((e) => e.user.name === 'ken' && e.outcome === 'not-possible');
    assert.deepEqual(kenRefused.map((e) => e.action).sort(), ['deactivate', 'rename']);
    assert.match(kenRefused[0]!.reason ?? '', /read-only/);
    const final = (await stack.app.runs.get(run.id))!;
    assert.equal(final.counters.actionsNotPossible, 2);
    assert.equal(final.counters.actionsFailed, 0);
    assert.equal(final.counters.actionsDone, planned - 2);
    assert.equal((await stack.app.audit.verify()).ok, true);

    // Undo the whole run.
    await stack.app.registry.add(JOBS.undoRun, { runId: run.id, actor: 'test' }, jobIds.undoRun(run.id));
    const undoJob = await stack.app.registry.queue('undo').getJob(jobIds.undoRun(run.id));
    for (let i = 0; i < 200 && !(await undoJob!.isCompleted()); i++)
      await new Promise((r) => setTimeout(r, 100));
    assert.ok(await undoJob!.isCompleted(), `undo did not complete: ${await undoJob!.getState()}`);
    assert.deepEqual(await stateByKey(stack), before, 'every user is back to the exact state before');
    const undos = [];
    for await (const entry of stack.app.audit.stream({ runId: run.id })) {
      if (entry.action.startsWith('undo:')) undos.push(entry);
    }
    assert.ok(
      undos.length > 0 && undos.every((e) => e.outcome === 'done'),
      JSON.stringify(undos.map((e) => e.outcome)),
    );
    assert.equal((await stack.app.audit.verify()).ok, true);
  });

  it('ends in the same state with faults and a low rate limit: nothing applied twice, 429s only pause', async () => {
    stack = await start();
    const clean = await runToEnd(stack, { mode: 'apply', asOf: AS_OF });
    assert.equal(clean.status, 'done');
    const expected = await stateByKey(stack);
    const expectedMutations = new Map([...(await snapshot(stack)).values()].map((u) => [u.key, u.mutations]));
    await stack.close();

    stack = await start({ faultRate: 0.2, rateLimit: 5, seed: 7 });
    const run = await runToEnd(stack, { mode: 'apply', asOf: AS_OF }, 110_000);
    assert.equal(run.status, 'done', run.statusReason);
    assert.deepEqual(await stateByKey(stack), expected);
    for (const user of (await snapshot(stack)).values()) {
      assert.equal(user.mutations, expectedMutations.get(user.key), `${user.name}: applied more than once`);
    }
    assert.equal(run.counters.actionsFailed, 0);
    const stats = await simStats(stack.sim);
    const limited = Object.values(stats.requests.byRoute).reduce(
      (sum, byStatus) => sum + (byStatus['429'] ?? 0),
      0,
    );
    assert.ok(limited > 0, 'the rate limit was hit');
  });

  it('is held by the brake and changes nothing until approved; cancel leaves Jira untouched', async () => {
    stack = await start({}, { maxActions: 3, maxPercentOfUsers: 100 });
    const held = await runToEnd(stack, { mode: 'apply', asOf: AS_OF });
    assert.equal(held.status, 'awaiting-approval');
    assert.match(held.statusReason ?? '', /more than brake.maxActions 3/);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal((await simStats(stack.sim)).mutations?.total ?? 0, 0);

    const cancelled = await runToEnd(stack, { mode: 'apply', asOf: AS_OF });
    assert.ok(await stack.app.runs.cancel(cancelled.id, 'not today'));
    assert.equal((await simStats(stack.sim)).mutations?.total ?? 0, 0);

    assert.ok(
      await approveRun(
        { runs: stack.app.runs, lifecycle: stack.app.lifecycle, startApply: queueApply(stack.app) },
        held.id,
        'test',
      ),
    );
    const done = await waitForRun(stack.app, held.id);
    assert.equal(done.status, 'done', done.statusReason);
    assert.ok(((await simStats(stack.sim)).mutations?.total ?? 0) > 0);
    assert.equal((await simUser(stack.sim, 'bob')).groups.includes('jira-software-users'), false);
  });
});
