import assert from 'node:assert/strict';
import { executeAction } from '../../services/actions/execute-action.js';
import type { ActionResult } from '../../services/actions/types.js';
import { JiraDataCenterClient } from '../../services/jira/client.js';
import {
  JiraConnectionError,
  JiraRateLimitError,
  JiraServerError,
  JiraTimeoutError,
} from '../../services/jira/errors.js';
import { startSimulator, type RunningSimulator } from '../../simulator/index.js';
import { ACTIONS_FIXTURE, PLANNED_END_STATE } from './fixture.js';
import { requestsFor, simPost, simState } from './harness.js';

/** Deliveries of one action job before the test gives up, like a queue's attempts setting. */
const MAX_DELIVERIES = 30;

/** What the queue layer retries; anything else (a 400, say) would fail the job. */
function isTransient(error: unknown): boolean {
  return [JiraServerError, JiraTimeoutError, JiraConnectionError, JiraRateLimitError].some(
    (transient) => error instanceof transient,
  );
}

describe('actions against a Jira that fails 30% of requests', function () {
  // Injected "slow" faults hold a response for 3 s.
  this.timeout(180_000);
  let sim: RunningSimulator;
  let jira: JiraDataCenterClient;

  before(async () => {
    sim = await startSimulator({ fixture: ACTIONS_FIXTURE, faultRate: 0.3, seed: 7 });
    jira = new JiraDataCenterClient({
      baseUrl: sim.url,
      token: 'sim-token',
      retries: 2,
      retryBaseDelayMs: 10,
    });
  });
  after(async () => {
    await jira.close();
    await sim.close();
  });

  it('redelivered until they stop throwing, actions end in the planned state with the fewest changes', async () => {
    await simPost(sim.url, '/__sim/users/lucy/login');
    let failedDeliveries = 0;
    const deliver = async (request: ReturnType<typeof requestsFor>[number]): Promise<ActionResult> => {
      for (let delivery = 1; ; delivery++) {
        try {
          return await executeAction({ jira }, request);
        } catch (error) {
          if (!isTransient(error) || delivery >= MAX_DELIVERIES) throw error;
          failedDeliveries++;
        }
      }
    };
    const users = [...Object.keys(PLANNED_END_STATE), 'lucy'];
    // One after the other, so the simulator's seeded faults hit the same requests every time.
    for (const user of users) {
      for (const request of requestsFor(user)) await deliver(request);
    }

    for (const user of Object.keys(PLANNED_END_STATE)) {
      const { mutations, ...planned } = PLANNED_END_STATE[user]!;
      const state = await simState(sim.url, planned.name);
      assert.deepEqual({ name: state.name, active: state.active, groups: state.groups }, planned, user);
      assert.equal(state.mutations, mutations, `${user}: changes applied`);
    }
    const lucy = await simState(sim.url, 'lucy');
    assert.deepEqual([lucy.groups, lucy.mutations], [['jira-software-users'], 0]);

    // The faults did reach the actions: whole deliveries failed, and a change whose answer was
    // lost was retried by the client and met Jira's "already done" 400, which must not count twice.
    const stats = (await (await fetch(`${sim.url}/__sim/stats`)).json()) as {
      requests: { byRoute: Record<string, Record<string, number>> };
    };
    const groupChanges = [
      stats.requests.byRoute['DELETE /rest/api/2/group/user'],
      stats.requests.byRoute['POST /rest/api/2/group/user'],
    ];
    assert.ok(failedDeliveries > 0, 'no delivery failed');
    assert.ok(
      groupChanges.some((byStatus) => (byStatus?.['400'] ?? 0) > 0),
      'no group change was retried after a lost answer',
    );
  });
});
