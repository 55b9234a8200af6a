import assert from 'node:assert/strict';
import { startSimulator, type RunningSimulator } from '../../simulator/index.js';
import { SMALL_ENTERPRISE_FIXTURE } from './fixture-path.js';
import { CROWD_APP, call, get, type UserBeanLike, type UserState } from './sim-client.js';

interface RoleLike {
  key: string;
  userCount: number;
  numberOfSeats: number;
  remainingSeats: number;
  hasUnlimitedSeats: boolean;
}

describe('simulator: changing users and groups', () => {
  let sim: RunningSimulator;
  before(async () => {
    sim = await startSimulator({ fixture: SMALL_ENTERPRISE_FIXTURE });
  });
  after(() => sim.close());
  beforeEach(async () => {
    assert.equal((await call(sim.url, 'POST', '/__sim/reset')).status, 200);
  });

  const state = async (name: string) => (await get<UserState>(sim.url, `/__sim/state/users/${name}`)).body;

  it('renames a user and keeps the key', async () => {
    const renamed = await call<UserBeanLike>(sim.url, 'PUT', '/rest/api/2/user?username=alice', {
      body: { name: 'alice_inactive_20261101' },
    });
    assert.equal(renamed.status, 200);
    assert.equal(renamed.body.name, 'alice_inactive_20261101');
    assert.equal(renamed.body.key, 'JIRAUSER10001');
    assert.equal((await get(sim.url, '/rest/api/2/user?username=alice')).status, 404);
    const byKey = await get<UserBeanLike>(sim.url, '/rest/api/2/user?key=JIRAUSER10001');
    assert.equal(byKey.body.name, 'alice_inactive_20261101');
    assert.equal((await state('alice_inactive_20261101')).mutations, 1);
    const search = await get<UserBeanLike[]>(sim.url, '/rest/api/2/user/search?username=alice_');
    assert.deepEqual(
      search.body.map((user) => user.name),
      ['alice_inactive_20261101'],
    );
  });

  it('refuses a rename onto an existing name, whatever its case', async () => {
    const clash = await call<{ errorMessages: string[]; errors: Record<string, string> }>(
      sim.url,
      'PUT',
      '/rest/api/2/user?username=alice',
      { body: { name: 'DAVE' } },
    );
    assert.equal(clash.status, 400);
    assert.ok(clash.body.errors.name);
    assert.equal((await state('alice')).mutations, 0);
  });

  it('deactivates and edits an internal user; omitted fields stay', async () => {
    const updated = await call<UserBeanLike>(sim.url, 'PUT', '/rest/api/2/user?key=JIRAUSER10004', {
      body: { active: false, displayName: 'Dave D. Diaz' },
    });
    assert.equal(updated.status, 200);
    assert.equal(updated.body.active, false);
    assert.equal(updated.body.displayName, 'Dave D. Diaz');
    assert.equal(updated.body.emailAddress, 'dave@example.com');
    const after = await state('dave');
    assert.equal(after.active, false);
    assert.equal(after.mutations, 1);
  });

  it('refuses changes to users of a read-only directory, but allows their group changes', async () => {
    for (const body of [
      { active: false },
      { name: 'bob2' },
      { emailAddress: 'b@x.com' },
      { displayName: 'B' },
    ]) {
      const refused = await call<{ errorMessages: string[]; errors: object }>(
        sim.url,
        'PUT',
        '/rest/api/2/user?username=bob',
        { body },
      );
      assert.equal(refused.status, 400);
      assert.deepEqual(refused.body, {
        errorMessages: ['Cannot edit user, the user directory is read-only.'],
        errors: {},
      });
    }
    const bob = await state('bob');
    assert.equal(bob.active, true);
    assert.equal(bob.mutations, 0);
    assert.equal(bob.directoryId, 10000);
    const removed = await call(
      sim.url,
      'DELETE',
      '/rest/api/2/group/user?groupname=jira-software-users&username=bob',
    );
    assert.equal(removed.status, 200);
    assert.equal((await state('bob')).mutations, 1);
  });

  it('adds and removes group members, counting each applied change', async () => {
    const added = await call<{ name: string; self: string }>(
      sim.url,
      'POST',
      '/rest/api/2/group/user?groupname=developers',
      {
        body: { name: 'erin' },
      },
    );
    assert.equal(added.status, 201);
    assert.equal(added.body.name, 'developers');
    const again = await call<{ errorMessages: string[] }>(
      sim.url,
      'POST',
      '/rest/api/2/group/user?groupname=developers',
      {
        body: { name: 'erin' },
      },
    );
    assert.equal(again.status, 400);
    assert.ok(again.body.errorMessages.length > 0);
    assert.deepEqual((await state('erin')).groups, ['developers']);

    const removed = await call(
      sim.url,
      'DELETE',
      '/rest/api/2/group/user?groupname=developers&username=erin',
    );
    assert.equal(removed.status, 200);
    const notMember = await call<{ errorMessages: string[] }>(
      sim.url,
      'DELETE',
      '/rest/api/2/group/user?groupname=developers&username=erin',
    );
    assert.equal(notMember.status, 400);
    assert.ok(notMember.body.errorMessages.length > 0);

    assert.equal(
      (await call(sim.url, 'DELETE', '/rest/api/2/group/user?groupname=nope&username=erin')).status,
      404,
    );
    assert.equal(
      (await call(sim.url, 'DELETE', '/rest/api/2/group/user?groupname=developers&username=nope')).status,
      404,
    );
    assert.equal(
      (await call(sim.url, 'POST', '/rest/api/2/group/user?groupname=developers', { body: { name: 'nope' } }))
        .status,
      404,
    );

    assert.equal((await state('erin')).mutations, 2);
    const stats = await get<{ mutations: { total: number } }>(sim.url, '/__sim/stats');
    assert.equal(stats.body.mutations.total, 2);
  });

  it('lists group members by username, inactive ones only on request, at most 50 a page', async () => {
    type Page = {
      total: number;
      isLast: boolean;
      maxResults: number;
      values: { name: string; active: boolean }[];
    };
    const active = await get<Page>(sim.url, '/rest/api/2/group/member?groupname=jira-software-users');
    assert.deepEqual(
      active.body.values.map((user) => user.name),
      ['admin', 'alice', 'bob'],
    );
    assert.equal(active.body.total, 3);
    assert.equal(active.body.isLast, true);
    const all = await get<Page>(
      sim.url,
      '/rest/api/2/group/member?groupname=jira-software-users&includeInactiveUsers=true&maxResults=500',
    );
    assert.deepEqual(
      all.body.values.map((user) => user.name),
      ['admin', 'alice', 'bob', 'carol'],
    );
    assert.equal(all.body.maxResults, 50);
    const second = await get<Page>(
      sim.url,
      '/rest/api/2/group/member?groupname=jira-software-users&includeInactiveUsers=true&startAt=2&maxResults=1',
    );
    assert.deepEqual(
      second.body.values.map((user) => user.name),
      ['bob'],
    );
    assert.equal(second.body.isLast, false);
    assert.equal((await get(sim.url, '/rest/api/2/group/member?groupname=nope')).status, 404);
  });

  it('counts seats as distinct active users in any of the role groups', async () => {
    const roles = await get<RoleLike[]>(sim.url, '/rest/api/2/applicationrole');
    const software = roles.body.find((role) => role.key === 'jira-software') as RoleLike;
    // admin, alice, bob (jira-software-users) and dave (developers); carol is inactive.
    assert.equal(software.userCount, 4);
    assert.equal(software.remainingSeats, 6);
    assert.equal(software.hasUnlimitedSeats, false);
    const core = await get<RoleLike>(sim.url, '/rest/api/2/applicationrole/jira-core');
    assert.equal(core.body.hasUnlimitedSeats, true);
    assert.equal((await get(sim.url, '/rest/api/2/applicationrole/nope')).status, 404);

    await call(sim.url, 'DELETE', '/rest/api/2/group/user?groupname=developers&username=dave');
    const after = await get<RoleLike>(sim.url, '/rest/api/2/applicationrole/jira-software');
    assert.equal(after.body.userCount, 3);
    assert.equal(after.body.remainingSeats, 7);
  });

  it('grants and revokes an application through /user/application', async () => {
    const granted = await call(
      sim.url,
      'POST',
      '/rest/api/2/user/application?username=erin&applicationKey=jira-software',
    );
    assert.equal(granted.status, 200);
    assert.deepEqual((await state('erin')).groups, ['jira-software-users']);
    const withRoles = await get<UserBeanLike>(
      sim.url,
      '/rest/api/2/user?username=erin&expand=groups,applicationRoles',
    );
    assert.deepEqual(withRoles.body.applicationRoles?.items, [
      { key: 'jira-software', name: 'Jira Software' },
    ]);
    assert.equal(withRoles.body.groups?.size, 1);

    // Revoking removes every group of the role, not just the default one.
    const revoked = await call(
      sim.url,
      'DELETE',
      '/rest/api/2/user/application?username=alice&applicationKey=jira-software',
    );
    assert.equal(revoked.status, 204);
    assert.deepEqual((await state('alice')).groups, []);
    assert.equal((await state('alice')).mutations, 2);
  });

  it('records a login through the test hook, for REST and the Crowd attributes alike', async () => {
    const before = Date.now();
    const login = await call<UserState>(sim.url, 'POST', '/__sim/users/erin/login');
    assert.equal(login.status, 200);
    const user = await get<UserBeanLike>(sim.url, '/rest/api/2/user?username=erin');
    assert.ok(Date.parse(user.body.lastLoginTime as string) >= before - 1000);
    const crowd = await get<{ attributes: { name: string; values: string[] }[] }>(
      sim.url,
      '/rest/usermanagement/1/user/attribute?username=erin',
      CROWD_APP,
    );
    const millis = crowd.body.attributes.find((attribute) => attribute.name === 'login.lastLoginMillis');
    assert.ok(Number(millis?.values[0]) >= before);
    assert.equal((await state('erin')).mutations, 0);
  });

  it('answers unknown users with 404 envelopes', async () => {
    const missing = await get<{ errorMessages: string[]; errors: object }>(
      sim.url,
      '/rest/api/2/user?username=nobody',
    );
    assert.equal(missing.status, 404);
    assert.equal(missing.body.errorMessages.length, 1);
    assert.deepEqual(missing.body.errors, {});
    assert.equal(
      (await call(sim.url, 'PUT', '/rest/api/2/user?username=nobody', { body: { active: false } })).status,
      404,
    );
    assert.equal((await get(sim.url, '/__sim/state/users/nobody')).status, 404);
  });

  it('puts everything back on reset', async () => {
    await call(sim.url, 'PUT', '/rest/api/2/user?username=alice', {
      body: { name: 'alice2', active: false },
    });
    await call(sim.url, 'POST', '/__sim/reset');
    const alice = await state('alice');
    assert.equal(alice.active, true);
    assert.equal(alice.mutations, 0);
    const stats = await get<{ requests: { total: number }; mutations: { total: number } }>(
      sim.url,
      '/__sim/stats',
    );
    assert.equal(stats.body.requests.total, 0);
    assert.equal(stats.body.mutations.total, 0);
  });
});
