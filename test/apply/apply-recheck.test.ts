import assert from 'node:assert/strict';
import type { AuditEntry } from '../../services/audit/types.js';
import { approveRun } from '../../services/pipeline/finish-run.js';
import { queueApply } from '../../workers/run-control.js';
import { AS_OF, EXPECTED, VERDICT_POLICY, verdictFixture } from '../pipeline/verdict-fixture.js';
import { runToEnd, simHook, simUser, startStack, waitForRun, type Stack } from '../support/stack.js';

/*
 * Approval of a held run can come days after its plan. What changed meanwhile — a leaver the
 * IdP re-enabled, a user who joined a skip group — is seen right before the user's first change.
 */

const SKIP_GROUP = 'contractors';
const TRACKING = 'jira-inactive-users';
const PLANNED_ACTIONS = Object.values(EXPECTED).reduce((sum, e) => sum + e.actions.length, 0);

function fixtureWithSkipGroup() {
  const fixture = verdictFixture();
  return { ...fixture, groups: [...(fixture.groups ?? []), SKIP_GROUP] };
}

/** Adds a user to a group the way an admin would: through Jira's REST API. */
async function addToGroupInJira(stack: Stack, username: string, group: string): Promise<void> {
  const response = await fetch(
    `${stack.sim.url}/rest/api/2/group/user?groupname=${encodeURIComponent(group)}`,
    {
      method: 'POST',
      headers: { authorization: 'Bearer sim-token', 'content-type': 'application/json' },
      body: JSON.stringify({ name: username }),
    },
  );
  assert.equal(response.status, 201, await response.text());
}

async function auditOf(stack: Stack, runId: string): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  for await (const entry of stack.app.audit.stream({ runId })) entries.push(entry);
  return entries;
}

describe('an approved apply run re-checks each user before acting', function () {
  this.timeout(120_000);
  let stack: Stack;
  afterEach(() => stack?.close());

  it('skips a leaver the IdP re-enabled and a user who joined a skip group since the plan; applies the rest', async () => {
    stack = await startStack({
      sim: { fixture: fixtureWithSkipGroup() },
      config: {
        policy: {
          ...VERDICT_POLICY,
          skipGroups: ['jira-administrators', 'jira-system-administrators', SKIP_GROUP],
        },
        directories: { maxAbsentPercent: 20 },
        brake: { maxActions: 3, maxPercentOfUsers: 100 },
      },
    });
    const held = await runToEnd(stack, { mode: 'apply', asOf: AS_OF });
    assert.equal(held.status, 'awaiting-approval', held.statusReason);
    const planned = new Map<string, string>();
    for await (const line of stack.app.plans.stream(held.id)) planned.set(line.name, line.verdict);
    assert.equal(planned.get('grace'), 'left-company');
    assert.equal(planned.get('bob'), 'inactive');

    // Meanwhile: the IdP enables grace again, and an admin puts bob into a skip group.
    await simHook(stack.sim, '/__sim/scim/users/grace', { active: true });
    await addToGroupInJira(stack, 'bob', SKIP_GROUP);
    const bobBefore = await simUser(stack.sim, 'bob');
    assert.equal(bobBefore.mutations, 1, 'only the admin changed bob');

    assert.ok(
      await approveRun(
        { runs: stack.app.runs, lifecycle: stack.app.lifecycle, startApply: queueApply(stack.app) },
        held.id,
        'test',
      ),
    );
    const done = await waitForRun(stack.app, held.id);
    assert.equal(done.status, 'done', done.statusReason);

    // Nothing of theirs changed.
    const grace = await simUser(stack.sim, 'grace');
    assert.deepEqual([grace.active, grace.mutations], [true, 0]);
    const bob = await simUser(stack.sim, 'bob');
    assert.equal(bob.mutations, 1, 'bob was not touched by the run');
    assert.deepEqual(bob.groups.sort(), [...bobBefore.groups].sort());

    // Each was skipped once, with the reason, and the rest of their chain was not run.
    const audited = await auditOf(stack, held.id);
    const of = (name: string) => audited.filter((entry) => entry.user.name === name);
    assert.deepEqual(
      of('grace').map((e) => [e.action, e.outcome]),
      [['revoke-license', 'skipped']],
    );
    assert.match(of('grace')[0]!.reason ?? '', /now active in scim/);
    assert.deepEqual(
      of('bob').map((e) => [e.action, e.outcome]),
      [['revoke-license', 'skipped']],
    );
    assert.match(of('bob')[0]!.reason ?? '', /now member of a skip group.*contractors/);
    assert.deepEqual(of('bob')[0]!.changes, []);

    // The rest of the plan was applied.
    assert.deepEqual((await simUser(stack.sim, 'carol')).groups.sort(), [TRACKING]);
    const frank = await simUser(stack.sim, 'frank_inactive_20261129');
    assert.deepEqual([frank.active, frank.groups.sort()], [false, [TRACKING, 'staff']]);
    assert.deepEqual((await simUser(stack.sim, 'judy')).groups.sort(), ['developers', TRACKING]);

    const counters = (await stack.app.runs.get(held.id))!.counters;
    const graceActions = EXPECTED.grace!.actions.length;
    const bobActions = EXPECTED.bob!.actions.length;
    assert.equal(counters.actionsSkipped, 2);
    assert.equal(counters.actionsNotPossible, 2, 'ken, in the read-only directory');
    assert.equal(counters.actionsFailed, 0);
    assert.equal(counters.actionsDone, PLANNED_ACTIONS - graceActions - bobActions - 2);
    assert.match(done.statusReason ?? '', /2 skipped/);
    assert.equal((await stack.app.audit.verify()).ok, true);
  });
});
