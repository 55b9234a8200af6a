import assert from 'node:assert/strict';
import { startSimulator, type RunningSimulator } from '../../simulator/index.js';
import { SMALL_ENTERPRISE_FIXTURE } from './fixture-path.js';
import { call, get, type UserState } from './sim-client.js';

/* The test hooks that change the world between a plan and its approval, or fail a change half-way. */

describe('simulator: hooks that fail changes and steer the IdP', () => {
  let sim: RunningSimulator;
  before(async () => {
    sim = await startSimulator({ fixture: SMALL_ENTERPRISE_FIXTURE });
  });
  after(() => sim.close());
  beforeEach(async () => {
    assert.equal((await call(sim.url, 'POST', '/__sim/reset')).status, 200);
  });

  const state = async (name: string) => (await get<UserState>(sim.url, `/__sim/state/users/${name}`)).body;
  const leave = (user: string, group: string) =>
    call(sim.url, 'DELETE', `/rest/api/2/group/user?groupname=${group}&username=${user}`);

  it('lets the next N changes of a user through, then refuses every one without changing anything', async () => {
    const set = await call(sim.url, 'POST', '/__sim/users/alice/fail-changes', {
      body: { after: 1, status: 400 },
    });
    assert.equal(set.status, 200);
    assert.equal((await leave('alice', 'developers')).status, 200);
    const refused = await leave('alice', 'jira-software-users');
    assert.equal(refused.status, 400);
    assert.match(JSON.stringify(refused.body), /Injected fault/);
    const deactivate = await call(sim.url, 'PUT', '/rest/api/2/user?username=alice', {
      body: { active: false },
    });
    assert.equal(deactivate.status, 400);
    const alice = await state('alice');
    assert.deepEqual([alice.groups, alice.active, alice.mutations], [['jira-software-users'], true, 1]);
    // Other users are not affected, and lifting the fault lets alice's changes through again.
    assert.equal((await leave('bob', 'jira-servicedesk-users')).status, 200);
    await call(sim.url, 'POST', '/__sim/users/alice/fail-changes', { body: { status: null } });
    assert.equal((await leave('alice', 'jira-software-users')).status, 200);
  });

  it('rejects a bad fail-changes request, naming the field', async () => {
    const bad = await call<{ errors: Record<string, string> }>(
      sim.url,
      'POST',
      '/__sim/users/alice/fail-changes',
      {
        body: { after: 1, status: 200 },
      },
    );
    assert.equal(bad.status, 400);
    assert.ok(bad.body.errors.status);
    assert.equal(
      (await call(sim.url, 'POST', '/__sim/users/nobody/fail-changes', { body: { status: 400 } })).status,
      404,
    );
  });

  it('enables, disables and adds IdP accounts as SCIM then answers', async () => {
    const scimUser = async (userName: string) =>
      (
        await get<{ Resources: { userName: string; active: boolean }[] }>(
          sim.url,
          `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`,
        )
      ).body.Resources;
    assert.deepEqual(
      (await scimUser('bob')).map((u) => u.active),
      [false],
    );
    await call(sim.url, 'POST', '/__sim/scim/users/bob', { body: { active: true } });
    assert.deepEqual(
      (await scimUser('bob')).map((u) => u.active),
      [true],
    );
    assert.deepEqual(await scimUser('newcomer'), []);
    await call(sim.url, 'POST', '/__sim/scim/users/newcomer', { body: { active: true } });
    assert.deepEqual(
      (await scimUser('newcomer')).map((u) => [u.userName, u.active]),
      [['newcomer', true]],
    );
    const bad = await call(sim.url, 'POST', '/__sim/scim/users/bob', { body: { active: 'yes' } });
    assert.equal(bad.status, 400);
  });
});
