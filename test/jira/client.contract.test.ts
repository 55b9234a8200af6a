import assert from 'node:assert/strict';
import { JiraNotAdministratorError, type JiraDataCenterClient } from '../../services/jira/index.js';
import {
  ODD_NAMES,
  awkwardFixture,
  clientFor,
  simUser,
  startSimulator,
  type RunningSimulator,
} from './sim-support.js';

describe('Jira client against the simulator: reads and changes', function () {
  this.timeout(20_000);
  let sim: RunningSimulator;
  let client: JiraDataCenterClient;

  beforeEach(async () => {
    sim = await startSimulator({ fixture: awkwardFixture('dc10') });
    client = clientFor(sim);
  });
  afterEach(async () => {
    await client.close();
    await sim.close();
  });

  it('checks the connection: version, the account, and that it administers Jira', async () => {
    const check = await client.checkConnection();
    assert.equal(check.version, '10.3.12');
    assert.equal(check.user.name, 'admin');
    assert.equal(check.baseUrl, sim.url);
    const basic = clientFor(sim, { token: undefined, username: 'admin', password: 'admin' });
    try {
      assert.equal((await basic.checkConnection()).user.name, 'admin');
    } finally {
      await basic.close();
    }
    assert.ok(new JiraNotAdministratorError('bob', { method: 'GET', path: '/x' }).message.includes('"bob"'));
  });

  it('gets a user by name or key, with groups and application roles expanded', async () => {
    await client.detect();
    const alice = await client.getUser('alice', { expand: ['groups', 'applicationRoles'] });
    assert.equal(alice.key, 'JIRAUSER10001');
    assert.equal(alice.displayName, 'Alice Ames');
    assert.deepEqual(new Set(alice.groups), new Set(['jira-software-users', 'developers']));
    assert.deepEqual(alice.applicationRoles, ['jira-software']);
    assert.equal(alice.lastLoginTime, '2026-08-31T09:00:00+1000');
    const byKey = await client.getUser({ key: 'JIRAUSER10001' });
    assert.equal(byKey.name, 'alice');
    assert.equal(byKey.groups, undefined, 'not expanded, not invented');
    const never = await client.getUser('ldap.bob');
    assert.equal(never.lastLoginTime, null);
  });

  it('adds to and removes from groups, visibly in Jira, and repeats harmlessly', async () => {
    await client.addToGroup('alice', 'jira-core-users');
    assert.ok((await simUser(sim, 'alice'))?.groups.includes('jira-core-users'));
    await client.addToGroup('alice', 'jira-core-users');
    await client.removeFromGroup('alice', 'developers');
    await client.removeFromGroup('alice', 'developers');
    const state = await simUser(sim, 'alice');
    assert.deepEqual(new Set(state?.groups), new Set(['jira-software-users', 'jira-core-users']));
    assert.equal(state?.mutations, 2);
  });

  it('grants and revokes application access', async () => {
    await client.revokeApplication('alice', 'jira-software');
    assert.ok(!(await simUser(sim, 'alice'))?.groups.includes('jira-software-users'));
    await client.grantApplication('alice', 'jira-software');
    assert.ok((await simUser(sim, 'alice'))?.groups.includes('jira-software-users'));
  });

  it('deactivates, renames (keeping the key) and changes e-mail and display name', async () => {
    await client.updateUser('alice', { active: false });
    assert.equal((await simUser(sim, 'alice'))?.active, false);
    await client.updateUser('alice', { name: 'alice_inactive_20261129', emailAddress: 'a@old.example' });
    assert.equal(await simUser(sim, 'alice'), undefined);
    const renamed = await simUser(sim, 'alice_inactive_20261129');
    assert.equal(renamed?.key, 'JIRAUSER10001');
    await client.updateUser({ key: 'JIRAUSER10001' }, { displayName: 'Alice (left)' });
    const fetched = await client.getUser({ key: 'JIRAUSER10001' });
    assert.equal(fetched.displayName, 'Alice (left)');
    assert.equal(fetched.emailAddress, 'a@old.example');
    assert.equal(fetched.active, false);
  });

  it('reads application roles with their groups and seats', async () => {
    const roles = await client.applicationRoles();
    const software = roles.find((role) => role.key === 'jira-software');
    assert.ok(software);
    assert.deepEqual(software.groups, ['jira-software-users']);
    assert.equal(software.numberOfSeats, 500);
    assert.equal(software.hasUnlimitedSeats, false);
    assert.equal(software.userCount! + software.remainingSeats!, 500);
    // Active members only, as Jira counts seats: admin, alice, ldap.bob and 90 of the 120 members.
    assert.equal(software.userCount, 93);
  });

  it('round-trips usernames that need encoding: get, update, group add and remove', async () => {
    await client.detect();
    for (const name of ODD_NAMES) {
      const user = await client.getUser(name, { expand: ['groups'] });
      assert.equal(user.name, name);
      assert.deepEqual(user.groups, ['developers'], name);

      await client.addToGroup(name, 'grüppe & co');
      assert.ok((await simUser(sim, name))?.groups.includes('grüppe & co'), name);
      await client.removeFromGroup(name, 'grüppe & co');
      await client.removeFromGroup(name, 'developers');
      assert.deepEqual((await simUser(sim, name))?.groups, [], name);

      await client.updateUser(name, { displayName: `${name} (checked)` });
      assert.equal((await client.getUser({ key: user.key })).displayName, `${name} (checked)`);
      const lastLogin = await client.lastLogin(name);
      assert.equal(
        lastLogin.status === 'known' && lastLogin.at.toISOString(),
        '2026-10-10T04:40:10.000Z',
        name,
      );
    }
    const renamed = 'x/y & z?#%+ zoë';
    await client.updateUser('x/y', { name: renamed });
    assert.equal((await simUser(sim, renamed))?.name, renamed);
    assert.equal((await client.getUser(renamed)).name, renamed);
  });
});
