import assert from 'node:assert/strict';
import {
  CARRIED_STATE_FRESH_MS,
  freshCarriedUser,
  type CarriedUser,
} from '../../services/actions/carried-user.js';
import { executeAction } from '../../services/actions/execute-action.js';
import { ALREADY_IN_PLANNED_STATE, USER_GONE } from '../../services/actions/types.js';
import { JiraDataCenterClient } from '../../services/jira/client.js';
import { JiraRateLimitError } from '../../services/jira/errors.js';
import type { JiraDirectory } from '../../services/jira/jira-directory.js';
import { startSimulator, type RunningSimulator } from '../../simulator/index.js';
import { ACTIONS_FIXTURE, PLAN, PLANNED_END_STATE, READ_ONLY_MESSAGE } from './fixture.js';
import { applyPlanOf, requestFor, simPost, simState } from './harness.js';

describe('action executors against the simulated Jira', () => {
  let sim: RunningSimulator;
  let jira: JiraDataCenterClient;

  before(async () => {
    sim = await startSimulator({ fixture: ACTIONS_FIXTURE });
    jira = new JiraDataCenterClient({ baseUrl: sim.url, token: 'sim-token', retryBaseDelayMs: 10 });
  });
  after(async () => {
    await jira.close();
    await sim.close();
  });
  beforeEach(() => simPost(sim.url, '/__sim/reset'));

  /** Requests the simulated Jira received under /rest so far. */
  const jiraRequests = async () => {
    const stats = (await (await fetch(`${sim.url}/__sim/stats`)).json()) as {
      requests: { byRoute: Record<string, Record<string, number>> };
    };
    return Object.entries(stats.requests.byRoute)
      .filter(([route]) => route.includes(' /rest/'))
      .reduce((sum, [, byStatus]) => sum + Object.values(byStatus).reduce((a, b) => a + b, 0), 0);
  };

  it('brings every planned user to the planned state; a second run changes nothing', async () => {
    const users = Object.keys(PLANNED_END_STATE);
    for (const user of users) await applyPlanOf(jira, user);
    const first = await Promise.all(users.map((user) => simState(sim.url, PLANNED_END_STATE[user]!.name)));
    first.forEach((state, i) => {
      const { mutations, ...planned } = PLANNED_END_STATE[users[i]!]!;
      assert.deepEqual({ name: state.name, active: state.active, groups: state.groups }, planned, users[i]);
      assert.equal(state.mutations, mutations, `${users[i]}: mutations`);
    });

    for (const user of users) {
      const again = await applyPlanOf(jira, user);
      for (const result of again) {
        assert.deepEqual(result.changes, [], user);
        if (user !== 'lara') {
          assert.equal(result.outcome, 'done', user);
          assert.equal(result.reason, ALREADY_IN_PLANNED_STATE, user);
        }
      }
    }
    const second = await Promise.all(users.map((user) => simState(sim.url, PLANNED_END_STATE[user]!.name)));
    assert.deepEqual(second, first);
  });

  it('reports each call it made, with the user before and after', async () => {
    const [revoke, addTracking] = await applyPlanOf(jira, 'nina');
    assert.equal(revoke!.outcome, 'done');
    assert.deepEqual(revoke!.changes, [
      { op: 'remove-group', group: 'jira-servicedesk-agents' },
      { op: 'remove-group', group: 'jira-software-users' },
    ]);
    assert.deepEqual(revoke!.before, {
      key: 'JIRAUSER20002',
      name: 'nina',
      active: true,
      groups: ['jira-servicedesk-agents', 'jira-software-users'],
    });
    assert.deepEqual(revoke!.after, { key: 'JIRAUSER20002', name: 'nina', active: true, groups: [] });
    assert.deepEqual(addTracking!.changes, [{ op: 'add-group', group: 'jira-inactive-users' }]);
    assert.deepEqual(addTracking!.after!.groups, ['jira-inactive-users']);
  });

  it('removes only the planned groups the user is still in', async () => {
    await jira.removeFromGroup('leo', 'security-team');
    const result = await executeAction({ jira }, requestFor('leo', PLAN.leo!.actions[1]!));
    assert.equal(result.outcome, 'done');
    assert.deepEqual(result.changes, [{ op: 'remove-group', group: 'developers' }]);
    assert.equal((await simState(sim.url, 'leo')).mutations, 2);
  });

  it('a leaver in a read-only directory loses its groups; deactivate and rename are not possible', async () => {
    const results = await applyPlanOf(jira, 'lara');
    assert.deepEqual(
      results.map((result) => result.outcome),
      ['done', 'done', 'not-possible', 'not-possible'],
    );
    assert.equal(results[2]!.reason, READ_ONLY_MESSAGE);
    assert.equal(results[3]!.reason, READ_ONLY_MESSAGE);
    assert.deepEqual(results[2]!.changes, []);
    const state = await simState(sim.url, 'lara');
    assert.deepEqual(
      { active: state.active, groups: state.groups, mutations: state.mutations },
      {
        active: true,
        groups: [],
        mutations: 2,
      },
    );
  });

  it('renames to a collision-safe variant when the target is taken, and says so', async () => {
    const [, , renamed] = await applyPlanOf(jira, 'ralf');
    assert.equal(renamed!.outcome, 'done');
    assert.deepEqual(renamed!.changes, [
      { op: 'update', field: 'name', from: 'ralf', to: 'ralf_inactive_20261129_2' },
    ]);
    assert.match(renamed!.notes!.join(), /ralf_inactive_20261129 already taken by another user/);
    const holder = await simState(sim.url, 'ralf_inactive_20261129');
    assert.equal(holder.key, 'JIRAUSER20006');
    assert.equal(holder.mutations, 0);
  });

  it('skips a user who logged in since the plan', async () => {
    await simPost(sim.url, '/__sim/users/lucy/login');
    const result = await executeAction({ jira }, requestFor('lucy', PLAN.lucy!.actions[0]!));
    assert.equal(result.outcome, 'skipped');
    assert.match(result.reason!, /^logged in since the plan \(last login 20\d\d-/);
    const state = await simState(sim.url, 'lucy');
    assert.deepEqual(state.groups, ['jira-software-users']);
    assert.equal(state.mutations, 0);
  });

  it('asks the re-check with the user as Jira holds it now, and changes nothing when it says no', async () => {
    await jira.addToGroup('leo', 'jira-administrators');
    const seen: string[][] = [];
    const requestsBefore = await jiraRequests();
    const result = await executeAction(
      {
        jira,
        recheck: async (user) => {
          seen.push(user.groups);
          return user.groups.includes('jira-administrators')
            ? 'now an administrator: not acted on'
            : undefined;
        },
      },
      requestFor('leo', PLAN.leo!.actions[0]!),
    );
    assert.deepEqual(seen, [['developers', 'jira-administrators', 'jira-software-users', 'security-team']]);
    assert.deepEqual(
      [result.outcome, result.reason, result.changes],
      ['skipped', 'now an administrator: not acted on', []],
    );
    assert.equal((await simState(sim.url, 'leo')).mutations, 1, 'only the admin changed leo');
    assert.equal(
      (await jiraRequests()) - requestsBefore,
      1,
      'the re-check costs Jira nothing beyond the re-read',
    );
  });

  it('skips a never-logged-in user who has logged in since', async () => {
    await simPost(sim.url, '/__sim/users/nina/login');
    const result = await executeAction({ jira }, requestFor('nina', PLAN.nina!.actions[0]!));
    assert.equal(result.outcome, 'skipped');
    assert.match(result.reason!, /plan had never/);
    assert.equal((await simState(sim.url, 'nina')).mutations, 0);
  });

  it('offboards a leaver whatever its logins: the directory decided', async () => {
    await simPost(sim.url, '/__sim/users/leo/login');
    const result = await executeAction({ jira }, requestFor('leo', PLAN.leo!.actions[0]!));
    assert.equal(result.outcome, 'done');
    assert.deepEqual((await simState(sim.url, 'leo')).groups, ['developers', 'security-team']);
  });

  it('does not act when the last login cannot be read now', async () => {
    const blind: JiraDirectory = Object.assign(Object.create(jira) as JiraDataCenterClient, {
      lastLogin: async () => ({ status: 'unknown' as const, reason: 'Crowd API refused the credentials' }),
    });
    const result = await executeAction({ jira: blind }, requestFor('ivan', PLAN.ivan!.actions[0]!));
    assert.equal(result.outcome, 'skipped');
    assert.match(result.reason!, /last login unknown now \(Crowd API refused the credentials\)/);
    assert.equal((await simState(sim.url, 'ivan')).mutations, 0);
  });

  it('skips a user who no longer exists', async () => {
    const result = await executeAction(
      { jira },
      { ...requestFor('ivan', PLAN.ivan!.actions[0]!), user: { key: 'JIRAUSER29999', name: 'ghost' } },
    );
    assert.deepEqual(result, {
      outcome: 'skipped',
      reason: USER_GONE,
      before: null,
      after: null,
      changes: [],
    });
  });

  it('finds the user by key after a rename and acts under the new name', async () => {
    await jira.updateUser({ key: 'JIRAUSER20001' }, { name: 'ivan.renamed' });
    const result = await executeAction({ jira }, requestFor('ivan', PLAN.ivan!.actions[0]!));
    assert.equal(result.outcome, 'done');
    assert.equal(result.before!.name, 'ivan.renamed');
    assert.deepEqual((await simState(sim.url, 'ivan.renamed')).groups, ['developers']);
  });

  it('follows a rename that happens between its read and its call', async () => {
    let renamed = false;
    const racing: JiraDirectory = Object.assign(Object.create(jira) as JiraDataCenterClient, {
      removeFromGroup: async (username: string, group: string) => {
        if (!renamed) {
          renamed = true;
          await jira.updateUser({ key: 'JIRAUSER20003' }, { name: 'leo.moved' });
        }
        return jira.removeFromGroup(username, group);
      },
    });
    const result = await executeAction({ jira: racing }, requestFor('leo', PLAN.leo!.actions[1]!));
    assert.equal(result.outcome, 'done');
    assert.deepEqual(result.changes, [
      { op: 'remove-group', group: 'developers' },
      { op: 'remove-group', group: 'security-team' },
    ]);
    assert.deepEqual((await simState(sim.url, 'leo.moved')).groups, ['jira-software-users']);
  });

  it('skips a group that no longer exists, with a note, and does the rest', async () => {
    const result = await executeAction(
      { jira },
      requestFor('ivan', { type: 'add-groups', groups: ['retired-team', 'jira-inactive-users'] }),
    );
    assert.equal(result.outcome, 'done');
    assert.deepEqual(result.changes, [{ op: 'add-group', group: 'jira-inactive-users' }]);
    assert.deepEqual(result.notes, ['group retired-team no longer exists in Jira: skipped']);
    assert.deepEqual((await simState(sim.url, 'ivan')).groups, [
      'developers',
      'jira-inactive-users',
      'jira-software-users',
    ]);
  });

  it("acts on the state the chain's previous step left, without reading the user again", async () => {
    const [revoke, removeGroups, deactivate] = PLAN.leo!.actions;
    let left: CarriedUser | undefined;
    await executeAction({ jira, leaveState: (state) => (left = state) }, requestFor('leo', revoke!));
    assert.deepEqual(left!.user.groups?.sort(), ['developers', 'security-team']);
    await executeAction(
      { jira, carried: left!, leaveState: (state) => (left = state) },
      requestFor('leo', removeGroups!),
    );
    assert.deepEqual(left!.user.groups, [], 'the groups it removed are gone from the state it leaves');

    const sent = await jiraRequests();
    const result = await executeAction({ jira, carried: left! }, requestFor('leo', deactivate!));
    assert.equal(result.outcome, 'done');
    assert.deepEqual(
      [result.before!.active, result.before!.groups],
      [true, []],
      'audited from the carried state',
    );
    assert.deepEqual(result.changes, [{ op: 'update', field: 'active', from: true, to: false }]);
    assert.equal(await jiraRequests(), sent + 1, 'only the deactivation itself: no read first');
    assert.equal((await simState(sim.url, 'leo')).active, false);
  });

  it('lets a step act on a carried state only while it is fresh and on its first attempt', () => {
    const carried: CarriedUser = { readAt: 1_000_000, user: { key: 'K', name: 'leo', active: true } };
    assert.equal(freshCarriedUser(carried, true, 1_000_000 + CARRIED_STATE_FRESH_MS), carried.user);
    assert.equal(freshCarriedUser(carried, true, 1_000_001 + CARRIED_STATE_FRESH_MS), undefined, 'too old');
    assert.equal(freshCarriedUser(carried, false, 1_000_100), undefined, 'a retried step reads again');
    assert.equal(freshCarriedUser(carried, true, 999_000), undefined, 'a clock behind the reader');
    assert.equal(freshCarriedUser(undefined, true, 1_000_100), undefined);
  });

  it('lets a rate limit reach the caller unchanged, so the queue can pause', async () => {
    const limited = await startSimulator({ fixture: ACTIONS_FIXTURE, rateLimit: 1 });
    const limitedJira = new JiraDataCenterClient({ baseUrl: limited.url, token: 'sim-token' });
    try {
      await assert.rejects(
        executeAction({ jira: limitedJira }, requestFor('ivan', PLAN.ivan!.actions[0]!)),
        JiraRateLimitError,
      );
      assert.equal((await simState(limited.url, 'ivan')).mutations, 0);
    } finally {
      await limitedJira.close();
      await limited.close();
    }
  });
});
