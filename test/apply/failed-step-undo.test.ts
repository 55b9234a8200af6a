import assert from 'node:assert/strict';
import { failedStepEffect } from '../../services/apply/failed-step-audit.js';
import { undoRun } from '../../services/apply/undo.js';
import { JiraDataCenterClient } from '../../services/jira/client.js';
import { startSimulator } from '../../simulator/index.js';
import type { AuditEntry } from '../../services/audit/types.js';
import { AS_OF, VERDICT_POLICY, verdictFixture } from '../pipeline/verdict-fixture.js';
import { runToEnd, simHook, simUser, startStack, type Stack } from '../support/stack.js';

/*
 * A step that changed part of a user and then failed for good must still say what it changed,
 * so that undoing the run gives that user back too.
 */

const SOFTWARE = 'jira-software-users';
/** frank's security groups: his remove-groups action removes both. */
const SECURITY_GROUPS = ['developers', 'support'];
const OPEN_BRAKE = { maxActions: 1000, maxPercentOfUsers: 100 };

/** The verdict fixture with frank, a leaver, in one more security group. */
function fixture() {
  const base = verdictFixture();
  return {
    ...base,
    users: (base.users ?? []).map((user) =>
      user.name === 'frank' ? { ...user, groups: [SOFTWARE, ...SECURITY_GROUPS, 'staff'] } : user,
    ),
  };
}

const state = ({ name, active, groups }: { name: string; active: boolean; groups: string[] }) => ({
  name,
  active,
  groups: [...groups].sort(),
});

describe('a step that fails for good after Jira applied part of it', function () {
  this.timeout(120_000);
  let stack: Stack;
  let started: Stack | undefined;
  // Only the test that started a stack closes it: a second close would end its stores twice.
  afterEach(async () => {
    const open = started;
    started = undefined;
    await open?.close();
  });

  it('audits what it changed, and undoing the run restores that user too', async () => {
    stack = started = await startStack({
      sim: { fixture: fixture() },
      config: { policy: VERDICT_POLICY, directories: { maxAbsentPercent: 20 }, brake: OPEN_BRAKE },
    });
    const before = state(await simUser(stack.sim, 'frank'));
    // The licence and one security group go; removing the second is refused for good (a 400).
    await simHook(stack.sim, '/__sim/users/frank/fail-changes', { after: 2, status: 400 });

    const run = await runToEnd(stack, { mode: 'apply', asOf: AS_OF });
    assert.equal(run.status, 'done', run.statusReason);
    assert.equal(run.counters.actionsFailed, 1);

    const halfDone = await simUser(stack.sim, 'frank');
    assert.equal(halfDone.active, true, 'a leaver whose groups could not all be removed is not deactivated');
    const kept = SECURITY_GROUPS.filter((group) => halfDone.groups.includes(group));
    assert.equal(kept.length, 1, `one security group removed, one kept: ${halfDone.groups.join(', ')}`);
    const removed = SECURITY_GROUPS.find((group) => !kept.includes(group))!;

    const entries: AuditEntry[] = [];
    for await (const entry of stack.app.audit.stream({ runId: run.id })) entries.push(entry);
    const failed = entries.find((e) => e.user.name === 'frank' && e.outcome === 'failed');
    assert.ok(failed, 'the failure is audited');
    assert.equal(failed.action, 'remove-groups');
    assert.match(failed.reason ?? '', /Injected fault/);
    assert.deepEqual(failed.changes, [{ op: 'remove-group', group: removed }]);
    // The step's own before: the licence was already taken by the step ahead of it.
    assert.deepEqual(
      failed.before?.groups,
      before.groups.filter((group) => group !== SOFTWARE),
    );
    assert.deepEqual(failed.after?.groups, [...halfDone.groups].sort());

    await simHook(stack.sim, '/__sim/users/frank/fail-changes', { status: null });
    const summary = await undoRun(
      { jira: stack.app.jira(), audit: stack.app.audit, runs: stack.app.runs },
      run.id,
      'test',
      'undo-1',
    );
    assert.deepEqual(summary.notPossible, []);
    assert.deepEqual(state(await simUser(stack.sim, 'frank')), before, 'frank is back as before the run');
    const undoOfFailed = [];
    for await (const entry of stack.app.audit.stream({ runId: run.id }))
      if (entry.undoOf === failed.id) undoOfFailed.push(entry);
    assert.deepEqual(
      undoOfFailed.map((e) => [e.outcome, e.changes]),
      [['done', [{ op: 'add-group', group: removed }]]],
    );
    assert.equal((await stack.app.audit.verify()).ok, true);
  });

  it('keeps the state before, and says the state after is unknown, when Jira cannot be read now', async () => {
    const gone = await startSimulator({ fixture: verdictFixture() });
    await gone.close();
    const jira = new JiraDataCenterClient({ baseUrl: gone.url, token: 'sim-token', retries: 0 });
    const before = { key: 'JIRAUSER10106', name: 'frank', active: true, groups: SECURITY_GROUPS };
    try {
      const effect = await failedStepEffect(
        jira,
        {
          runId: 'run-1',
          actionId: 'action-1',
          user: { key: before.key, name: before.name },
          action: { type: 'remove-groups', groups: SECURITY_GROUPS },
          planned: { lastLogin: null, verdict: 'left-company' },
        },
        before,
      );
      assert.deepEqual([effect.before, effect.after, effect.changes], [before, null, []]);
      assert.match(effect.caveat ?? '', /^the state after is unknown: re-reading the user failed/);
    } finally {
      await jira.close();
    }
  });

  it('claims only what the failed action could have changed, not an admin change meanwhile', async () => {
    const sim = await startSimulator({ fixture: verdictFixture() });
    const jira = new JiraDataCenterClient({ baseUrl: sim.url, token: 'sim-token', retries: 0 });
    try {
      const frank = await simUser(sim, 'frank');
      const before = {
        key: frank.key,
        name: frank.name,
        active: frank.active,
        groups: [...frank.groups].sort(),
      };
      // The failed action had removed developers; an admin added frank to support meanwhile.
      await jira.removeFromGroup('frank', 'developers');
      await jira.addToGroup('frank', 'support');
      const effect = await failedStepEffect(
        jira,
        {
          runId: 'run-1',
          actionId: 'action-1',
          user: { key: frank.key, name: 'frank' },
          action: { type: 'remove-groups', groups: ['developers'] },
          planned: { lastLogin: null, verdict: 'left-company' },
        },
        before,
      );
      assert.deepEqual(effect.changes, [{ op: 'remove-group', group: 'developers' }]);
      assert.ok(effect.after?.groups.includes('support'), "the state after is Jira's state now");
    } finally {
      await jira.close();
      await sim.close();
    }
  });
});
