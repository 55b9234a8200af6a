import assert from 'node:assert/strict';
import {
  SIM_TOKEN,
  clientFor,
  simRequestCount,
  startSimulator,
  type RunningSimulator,
} from './sim-support.js';

/** The group's members as one page after another would give them: the oracle. */
async function membersOneByOne(sim: RunningSimulator, group: string): Promise<string[]> {
  const keys: string[] = [];
  for (let startAt = 0; ;) {
    const url = new URL('/rest/api/2/group/member', sim.url);
    url.search = new URLSearchParams({
      groupname: group,
      includeInactiveUsers: 'true',
      startAt: String(startAt),
      maxResults: '50',
    }).toString();
    const response = await fetch(url, { headers: { authorization: `Bearer ${SIM_TOKEN}` } });
    const page = (await response.json()) as { isLast: boolean; values: Array<{ key: string }> };
    keys.push(...page.values.map((user) => user.key));
    startAt += page.values.length;
    if (page.isLast || page.values.length === 0) return keys;
  }
}

describe('listing the members of a large group (simulator)', function () {
  this.timeout(60_000);
  let sim: RunningSimulator;
  before(async () => {
    // Latency with jitter: pages asked for together come back out of order.
    sim = await startSimulator({ profile: 'dc11', users: 3_000, seed: 11, latencyMs: 4 });
  });
  after(() => sim.close());

  it('hands on every member once, in Jira’s order, one request per page, though pages asked for together arrive out of order', async () => {
    const group = 'jira-software-users';
    const expected = await membersOneByOne(sim, group);
    assert.ok(expected.length > 1_000, `a group of many pages: ${expected.length} members`);
    const client = clientFor(sim);
    const before = await simRequestCount(sim);
    const listed: string[] = [];
    for await (const page of client.listGroupMembers(group)) listed.push(...page.map((user) => user.key));
    assert.deepEqual(listed, expected);
    assert.equal((await simRequestCount(sim)) - before, Math.ceil(expected.length / 50));
  });
});
