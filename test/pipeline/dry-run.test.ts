import assert from 'node:assert/strict';
import { runKey } from '../../queues/connection.js';
import { formatAction } from '../../services/runs/plan-csv.js';
import type { PlanLine } from '../../services/runs/types.js';
import {
  planByName,
  runToEnd,
  simHook,
  simStats,
  simUser,
  startStack,
  type Stack,
} from '../support/stack.js';
import { keysMatching } from '../runs/plan-stores.js';
import { AS_OF, EXPECTED, VERDICT_POLICY, verdictFixture } from './verdict-fixture.js';

const CONFIG = { policy: VERDICT_POLICY, directories: { maxAbsentPercent: 20 } };

function actionsOf(line: PlanLine): string[] {
  return line.actions.map(formatAction).sort();
}

describe('a dry run, end to end over HTTP and Redis', function () {
  this.timeout(60_000);

  describe('on Jira 11 (dc11)', () => {
    let stack: Stack;
    before(
      async () => (stack = await startStack({ sim: { fixture: verdictFixture('dc11') }, config: CONFIG })),
    );
    after(() => stack?.close());

    it('plans exactly the expected verdict and actions for every user, and changes nothing in Jira', async () => {
      const before = await Promise.all(Object.keys(EXPECTED).map((name) => simUser(stack.sim, name)));
      const run = await runToEnd(stack, { asOf: AS_OF });
      assert.equal(run.status, 'done', run.statusReason);
      const plan = await planByName(stack.app, run.id);
      assert.equal(plan.size, Object.keys(EXPECTED).length);
      for (const [name, expected] of Object.entries(EXPECTED)) {
        const line = plan.get(name);
        assert.ok(line, `${name} is missing from the plan`);
        assert.equal(line.verdict, expected.verdict, `${name}: ${JSON.stringify(line.reasons)}`);
        assert.deepEqual(actionsOf(line), [...expected.actions].sort(), `${name}'s actions`);
      }
      // Nothing was changed: same state, no mutation, no write request of any kind.
      const after = await Promise.all(Object.keys(EXPECTED).map((name) => simUser(stack.sim, name)));
      assert.deepEqual(after, before);
      assert.ok(after.every((user) => user.mutations === 0));
      const writes = Object.keys((await simStats(stack.sim)).requests.byRoute).filter((route) =>
        /^(POST|PUT|DELETE) \/rest/.test(route),
      );
      assert.deepEqual(writes, []);
    });

    it('explains each verdict by its signal, rule and threshold', async () => {
      const run = await runToEnd(stack, { asOf: AS_OF });
      const plan = await planByName(stack.app, run.id);
      const ivan = plan.get('ivan')!;
      assert.equal(ivan.lastLogin, '2026-08-30T23:59:59.000Z');
      assert.ok(
        ivan.reasons.some((r) => r.signal === 'last-login' && /90/.test(`${r.rule} ${r.threshold ?? ''}`)),
      );
      const frank = plan.get('frank')!;
      assert.ok(frank.reasons.some((r) => r.signal === 'directory' && /not found in scim/.test(r.rule)));
      const erin = plan.get('erin')!;
      assert.ok(erin.reasons.some((r) => /jira-administrators/.test(`${r.rule} ${r.value ?? ''}`)));
      assert.equal(plan.get('carol')!.lastLoginStatus, 'never');
    });

    it('records the run: counters per verdict and action, Jira facts, the policy used', async () => {
      const run = await runToEnd(stack, { asOf: AS_OF });
      assert.equal(run.counters.scanned, 15);
      assert.equal(run.counters.evaluated, 15);
      assert.equal(run.counters.byVerdict['left-company'], 3);
      assert.equal(run.counters.byVerdict.inactive, 4);
      assert.equal(run.counters.byAction.deactivate, 3);
      assert.equal(run.asOf, AS_OF.toISOString());
      assert.equal(run.policy.inactiveDays, 90);
      assert.equal(run.jira?.version, '11.3.0');
      // Facts come in bulk: the only per-user calls are the three leavers' full group lists.
      const stats = await simStats(stack.sim);
      assert.equal(
        stats.requests.byRoute['GET /rest/api/2/user']?.['200'],
        3 * 3,
        JSON.stringify(stats.requests.byRoute),
      );
      assert.ok(run.counters.jiraRequests > 0);
      assert.deepEqual(
        run.directories?.map((d) => d.trusted),
        [true],
      );
      // Over, the run is in the records store: no key of it — plan, users seen, group members,
      // held-back leavers — is left in Redis.
      assert.deepEqual(await keysMatching(stack.app.redis, `${runKey(stack.prefix, run.id)}*`), []);
    });

    it('with --only never-logged-in plans only that rule', async () => {
      const run = await runToEnd(stack, { asOf: AS_OF, only: 'never-logged-in' });
      const plan = await planByName(stack.app, run.id);
      const reclaiming = [...plan.values()]
        .filter((line) => line.actions.length > 0)
        .map((line) => line.name);
      assert.deepEqual(reclaiming, ['carol']);
    });
  });

  it('gives the same plan on dc9, dc10 and dc11', async () => {
    const plans: Array<Map<string, PlanLine>> = [];
    for (const profile of ['dc9', 'dc10', 'dc11'] as const) {
      const stack = await startStack({ sim: { fixture: verdictFixture(profile) }, config: CONFIG });
      try {
        const run = await runToEnd(stack, { asOf: AS_OF });
        assert.equal(run.status, 'done', `${profile}: ${run.statusReason}`);
        plans.push(await planByName(stack.app, run.id));
      } finally {
        await stack.close();
      }
    }
    const comparable = (plan: Map<string, PlanLine>) =>
      [...plan.values()]
        .map((l) => ({ name: l.name, verdict: l.verdict, actions: actionsOf(l), lastLogin: l.lastLogin }))
        .sort((a, b) => a.name.localeCompare(b.name));
    assert.deepEqual(comparable(plans[0]!), comparable(plans[2]!), 'dc9 differs from dc11');
    assert.deepEqual(comparable(plans[1]!), comparable(plans[2]!), 'dc10 differs from dc11');
  });

  it('on Jira 9 reads last logins with the Crowd application credentials, and takes nothing when they are refused', async () => {
    for (const [password, expectKnown] of [
      ['reclaim-secret', true],
      ['wrong', false],
    ] as const) {
      const stack = await startStack({
        sim: { fixture: verdictFixture('dc9') },
        config: { ...CONFIG, jira: { crowd: { application: 'reclaim', password } } },
      });
      try {
        const run = await runToEnd(stack, { asOf: AS_OF });
        const plan = await planByName(stack.app, run.id);
        if (expectKnown) {
          assert.equal(plan.get('bob')!.verdict, 'inactive');
          assert.equal(plan.get('bob')!.lastLogin, '2026-05-01T08:00:00.000Z');
          continue;
        }
        // Unknown is not absent: no login rule decides, nobody is reclaimed for inactivity.
        for (const name of ['alice', 'bob', 'carol', 'ivan']) {
          assert.equal(plan.get(name)!.verdict, 'undetermined', name);
          assert.equal(plan.get(name)!.lastLoginStatus, 'unknown');
          assert.deepEqual(plan.get(name)!.actions, []);
        }
        assert.equal(run.counters.byVerdict['never-logged-in'] ?? 0, 0);
        assert.equal(run.counters.byVerdict.inactive ?? 0, 0);
        assert.equal(plan.get('frank')!.verdict, 'left-company', 'the directory still decides leavers');
        const recorded = (await stack.app.runs.get(run.id))!;
        assert.ok(
          recorded.notes.some((note) => /user\(s\) undetermined/.test(note)),
          recorded.notes.join('\n'),
        );
      } finally {
        await stack.close();
      }
    }
  });

  describe('when the directory cannot be believed', () => {
    let stack: Stack;
    beforeEach(
      async () => (stack = await startStack({ sim: { fixture: verdictFixture() }, config: CONFIG })),
    );
    afterEach(() => stack?.close());

    it('with the SCIM directory down: zero left-company, and the run says why', async () => {
      await simHook(stack.sim, '/__sim/scim/outage', { status: 503 });
      const run = await runToEnd(stack, { asOf: AS_OF });
      assert.equal(run.status, 'done');
      assert.equal(run.counters.byVerdict['left-company'] ?? 0, 0);
      assert.equal(run.directories?.[0]?.trusted, false);
      assert.match(run.directories?.[0]?.reason ?? '', /503/);
      assert.ok(
        run.notes.some((note) => /not believed/.test(note) && /503/.test(note)),
        run.notes.join('\n'),
      );
      // The login rules still apply to everyone.
      const plan = await planByName(stack.app, run.id);
      assert.equal(plan.get('bob')!.verdict, 'inactive');
      assert.equal(plan.get('frank')!.verdict, 'keep');
    });

    it('with the directory suddenly reporting 40% of users absent: zero left-company, and the run says why', async () => {
      await simHook(stack.sim, '/__sim/scim/hide', { percent: 40 });
      const run = await runToEnd(stack, { asOf: AS_OF });
      assert.equal(run.counters.byVerdict['left-company'] ?? 0, 0);
      assert.equal(run.directories?.[0]?.trusted, false);
      assert.match(run.directories?.[0]?.reason ?? '', /absent, above maxAbsentPercent 20/);
      const plan = await planByName(stack.app, run.id);
      assert.ok([...plan.values()].every((line) => !line.actions.some((a) => a.type === 'deactivate')));
    });
  });
});
