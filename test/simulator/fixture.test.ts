import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  loadFixture,
  startSimulator,
  type FixtureInput,
  type RunningSimulator,
} from '../../simulator/index.js';
import { SMALL_ENTERPRISE_FIXTURE } from './fixture-path.js';
import { CROWD_APP, get, type UserBeanLike, type UserState } from './sim-client.js';

const fixture = JSON.parse(readFileSync(SMALL_ENTERPRISE_FIXTURE, 'utf8')) as FixtureInput;

describe('simulator: fixtures', () => {
  describe('loaded from a file', () => {
    let sim: RunningSimulator;
    before(async () => {
      sim = await startSimulator({ fixture: SMALL_ENTERPRISE_FIXTURE });
    });
    after(() => sim.close());

    it("takes the fixture's profile and users", async () => {
      assert.equal(sim.profile, 'dc10');
      assert.equal(sim.userCount, 6);
      const info = await get<{ version: string }>(sim.url, '/rest/api/2/serverInfo');
      assert.equal(info.body.version, '10.3.12');
    });

    it('serves lastLoginTime with the offset it was stored with, and none for never-logged-in users', async () => {
      const bob = await get<UserBeanLike>(sim.url, '/rest/api/2/user?username=bob');
      assert.equal(bob.body.lastLoginTime, '2026-08-31T09:00:00+1000');
      const dave = await get<UserBeanLike>(sim.url, '/rest/api/2/user?username=dave');
      assert.equal(dave.body.lastLoginTime, '2026-10-15T17:30:00-0500');
      const alice = await get<UserBeanLike>(sim.url, '/rest/api/2/user?username=alice');
      assert.equal(Date.parse(alice.body.lastLoginTime as string), Date.parse('2026-09-01T08:00:00Z'));
      const erin = await get<UserBeanLike>(sim.url, '/rest/api/2/user?username=erin');
      assert.ok(!('lastLoginTime' in erin.body));
    });

    it('keeps directories and groups in the test-hook state', async () => {
      const bob = await get<UserState>(sim.url, '/__sim/state/users/bob');
      assert.deepEqual(bob.body, {
        name: 'bob',
        key: 'JIRAUSER10002',
        active: true,
        directoryId: 10000,
        groups: ['jira-servicedesk-users', 'jira-software-users'],
        lastLoginTime: '2026-08-31T09:00:00+1000',
        mutations: 0,
      });
    });

    it('serves the last login through Crowd attributes in epoch milliseconds', async () => {
      const bob = await get<{
        name: string;
        'display-name': string;
        attributes: { attributes: { name: string; values: string[] }[] };
      }>(sim.url, '/rest/usermanagement/1/user?username=bob&expand=attributes', CROWD_APP);
      assert.equal(bob.status, 200);
      assert.equal(bob.body['display-name'], 'Bob Brown');
      const millis = bob.body.attributes.attributes.find(
        (attribute) => attribute.name === 'login.lastLoginMillis',
      );
      assert.deepEqual(millis?.values, [String(Date.parse('2026-08-30T23:00:00Z'))]);
      const erin = await get<{ attributes: { attributes: unknown[] } }>(
        sim.url,
        '/rest/usermanagement/1/user?username=erin&expand=attributes',
        CROWD_APP,
      );
      assert.deepEqual(erin.body.attributes.attributes, []);
      const nobody = await get<{ reason: string; message: string }>(
        sim.url,
        '/rest/usermanagement/1/user?username=nobody',
        CROWD_APP,
      );
      assert.equal(nobody.status, 404);
      assert.deepEqual(nobody.body, { reason: 'USER_NOT_FOUND', message: 'User <nobody> does not exist' });
    });
  });

  describe('given as an object, with an explicit profile', () => {
    let sim: RunningSimulator;
    before(async () => {
      sim = await startSimulator({ fixture, profile: 'dc9' });
    });
    after(() => sim.close());

    it('lets the explicit profile win, and dc9 hides lastLoginTime but keeps Crowd attributes', async () => {
      assert.equal(sim.profile, 'dc9');
      const bob = await get<UserBeanLike>(sim.url, '/rest/api/2/user?username=bob');
      assert.ok(!('lastLoginTime' in bob.body));
      const attributes = await get<{ attributes: { name: string }[] }>(
        sim.url,
        '/rest/usermanagement/1/user/attribute?username=bob',
        CROWD_APP,
      );
      assert.deepEqual(
        attributes.body.attributes.map((attribute) => attribute.name),
        ['login.lastLoginMillis', 'lastAuthenticated'],
      );
    });
  });

  describe('validation', () => {
    it('fills defaults for a minimal fixture', () => {
      const parsed = loadFixture({ users: [{ name: 'x' }] });
      assert.equal(parsed.users[0]?.active, true);
      assert.deepEqual(parsed.directories, [{ id: 1, name: 'Jira Internal Directory', readOnly: false }]);
    });

    it('names every problem by its path', () => {
      assert.throws(
        () =>
          loadFixture({
            users: [
              { name: 'a', directoryId: 7 },
              { name: 'A', lastLoginTime: 'yesterday' },
            ],
          }),
        (error: Error) =>
          /users\.0\.directoryId/.test(error.message) &&
          /users\.1\.name/.test(error.message) &&
          /users\.1\.lastLoginTime/.test(error.message),
      );
    });
  });
});
