import assert from 'node:assert/strict';
import { HttpException, Version2Client } from 'jira.js';
import { startSimulator, type RunningSimulator } from '../../simulator/index.js';
import { SMALL_ENTERPRISE_FIXTURE } from './fixture-path.js';

/*
 * The calls an admin's cleanup script makes, through jira.js (a widely used third-party client),
 * against the simulator on every Jira version it plays: what real Jira Data Center answers must
 * be what the simulator answers, or Reclaim's tests prove nothing about a real instance.
 * jira.js's Basic authentication sends `email:apiToken`, which is `user:password` on DC.
 */

type Profile = 'dc9' | 'dc10' | 'dc11';

function clientAs(sim: RunningSimulator, user: string, password: string): Version2Client {
  return new Version2Client({
    host: sim.url,
    authentication: { basic: { email: user, apiToken: password } },
  });
}

function bearerClient(sim: RunningSimulator): Version2Client {
  return new Version2Client({
    host: sim.url,
    baseRequestConfig: { headers: { Authorization: 'Bearer sim-token' } },
  });
}

function anonymousClient(sim: RunningSimulator): Version2Client {
  return new Version2Client({ host: sim.url });
}

async function statusOf(call: Promise<unknown>): Promise<{ status: number; body: unknown }> {
  try {
    await call;
    return { status: 200, body: undefined };
  } catch (error) {
    if (!(error instanceof HttpException)) throw error;
    const response = error.response as { data?: unknown };
    return { status: error.status, body: typeof response === 'object' ? response.data : response };
  }
}

interface Permissions {
  permissions: Record<string, { key: string; havePermission: boolean }>;
}
interface UserWithStubs {
  name: string;
  groups: { size: number; items: { name: string }[] };
  applicationRoles: { size: number; items: { key: string }[] };
}
interface CrowdSearch {
  users: { name: string; attributes?: { attributes: { name: string; values: string[] }[] } }[];
}

for (const profile of ['dc9', 'dc10', 'dc11'] as const satisfies readonly Profile[]) {
  describe(`simulator through jira.js on ${profile}`, function () {
    this.timeout(20_000);
    let sim: RunningSimulator;
    let admin: Version2Client;
    before(async () => {
      sim = await startSimulator({ fixture: SMALL_ENTERPRISE_FIXTURE, profile });
      admin = clientAs(sim, 'admin', 'admin');
    });
    after(() => sim.close());

    it('serverInfo answers anonymous callers and says "Server", as Data Center does', async () => {
      const info = await anonymousClient(sim).serverInfo.getServerInfo();
      assert.equal(info.deploymentType, 'Server');
      assert.equal(info.versionNumbers?.[0], { dc9: 9, dc10: 10, dc11: 11 }[profile]);
    });

    it('myself, with a PAT and with Basic credentials; anonymous is a 401', async () => {
      assert.equal((await bearerClient(sim).myself.getCurrentUser()).name, 'admin');
      assert.equal((await admin.myself.getCurrentUser()).name, 'admin');
      assert.equal((await statusOf(anonymousClient(sim).myself.getCurrentUser())).status, 401);
    });

    it('mypermissions without `permissions` lists every permission of the caller', async () => {
      const all = await admin.permissions.getMyPermissions<Permissions>();
      assert.ok(Object.keys(all.permissions).length > 1, JSON.stringify(all));
      assert.equal(all.permissions.ADMINISTER?.havePermission, true);
      const one = await admin.permissions.getMyPermissions<Permissions>({ permissions: 'ADMINISTER' });
      assert.deepEqual(Object.keys(one.permissions), ['ADMINISTER']);
    });

    it('a user carries groups / applicationRoles stubs, filled only when expanded', async () => {
      const plain = await admin.sendRequest<UserWithStubs>(
        { url: '/rest/api/2/user', method: 'GET', params: { username: 'alice' } },
        undefined as never,
      );
      assert.deepEqual(plain.groups, { size: 2, items: [] });
      assert.deepEqual(plain.applicationRoles, { size: 1, items: [] });
      const expanded = await admin.sendRequest<UserWithStubs>(
        {
          url: '/rest/api/2/user',
          method: 'GET',
          params: { username: 'alice', expand: 'groups,applicationRoles' },
        },
        undefined as never,
      );
      assert.deepEqual(expanded.groups.items.map((group) => group.name).sort(), [
        'developers',
        'jira-software-users',
      ]);
      assert.deepEqual(
        expanded.applicationRoles.items.map((role) => role.key),
        ['jira-software'],
      );
    });

    it('group members: /group/member everywhere; GET /group?expand=users on Jira 9 only', async () => {
      const page = await admin.groups.getUsersFromGroup({
        groupname: 'developers',
        includeInactiveUsers: true,
      });
      assert.equal(page.isLast, true);
      assert.equal(page.values?.length, 2);
      const group = admin.sendRequest<{
        users: { size: number; items: { name: string }[]; 'end-index': number };
      }>(
        {
          url: '/rest/api/2/group',
          method: 'GET',
          params: { groupname: 'developers', expand: 'users[0:49]' },
        },
        undefined as never,
      );
      if (profile === 'dc9') {
        const members = await group;
        assert.equal(members.users.size, 2);
        assert.deepEqual(
          members.users.items.map((user) => user.name).sort(),
          page.values!.map((user) => user.name).sort(),
        );
        const second = await admin.sendRequest<{ users: { items: { name: string }[] } }>(
          {
            url: '/rest/api/2/group',
            method: 'GET',
            params: { groupname: 'developers', expand: 'users[1:1]' },
          },
          undefined as never,
        );
        assert.equal(second.users.items.length, 1, 'users[a:b] pages, both ends included');
      } else {
        assert.equal((await statusOf(group)).status, 404, 'GET /group was removed in Jira 10');
      }
    });

    it('/rest/api/latest is /rest/api/2', async () => {
      const latest = await admin.sendRequest<{ name: string; groups: { size: number } }>(
        { url: '/rest/api/latest/user', method: 'GET', params: { username: 'alice' } },
        undefined as never,
      );
      assert.equal(latest.name, 'alice');
      assert.equal(latest.groups.size, 2);
      const info = await anonymousClient(sim).sendRequest<{ version: string }>(
        { url: '/rest/api/latest/serverInfo', method: 'GET' },
        undefined as never,
      );
      assert.equal(info.version.split('.')[0], { dc9: '9', dc10: '10', dc11: '11' }[profile]);
    });

    it('auth session: POST logs in and the cookie authenticates; GET says who; bad password is a 401', async () => {
      const anonymous = anonymousClient(sim);
      const login = await anonymous.sendRequestFullResponse<{ session: { name: string; value: string } }>({
        url: '/rest/auth/1/session',
        method: 'POST',
        data: { username: 'admin', password: 'admin' },
      });
      assert.equal(login.data.session.name, 'JSESSIONID');
      const cookie = `JSESSIONID=${login.data.session.value}`;
      const withCookie = new Version2Client({
        host: sim.url,
        baseRequestConfig: { headers: { Cookie: cookie } },
      });
      const who = await withCookie.sendRequest<{ name: string; loginInfo: { loginCount: number } }>(
        { url: '/rest/auth/1/session', method: 'GET' },
        undefined as never,
      );
      assert.equal(who.name, 'admin');
      assert.equal(typeof who.loginInfo.loginCount, 'number');
      assert.equal((await withCookie.myself.getCurrentUser()).name, 'admin');
      const refused = await statusOf(
        anonymous.sendRequest(
          { url: '/rest/auth/1/session', method: 'POST', data: { username: 'admin', password: 'nope' } },
          undefined as never,
        ),
      );
      assert.equal(refused.status, 401);
      assert.equal(
        (
          await statusOf(
            anonymous.sendRequest({ url: '/rest/auth/1/session', method: 'GET' }, undefined as never),
          )
        ).status,
        401,
      );
    });

    it('Crowd REST answers the Jira User Server application only: Jira credentials get 401', async () => {
      const crowdSearch = {
        url: '/rest/usermanagement/1/search',
        method: 'GET',
        params: { 'entity-type': 'user', expand: 'user,attributes', 'start-index': 0, 'max-results': 1000 },
      } as const;
      const application = clientAs(sim, 'reclaim', 'reclaim-secret');
      const found = await application.sendRequest<CrowdSearch>(crowdSearch, undefined as never);
      const alice = found.users.find((user) => user.name === 'alice');
      const millis = alice?.attributes?.attributes.find((a) => a.name === 'login.lastLoginMillis');
      assert.deepEqual(millis?.values, [String(Date.parse('2026-09-01T08:00:00Z'))]);

      for (const refused of [admin, bearerClient(sim), clientAs(sim, 'reclaim', 'wrong')]) {
        const answer = await statusOf(refused.sendRequest(crowdSearch, undefined as never));
        assert.equal(answer.status, 401);
        assert.deepEqual(answer.body, {
          reason: 'APPLICATION_ACCESS_DENIED',
          message: 'Application failed to authenticate',
        });
        const perUser = await statusOf(
          refused.sendRequest(
            { url: '/rest/usermanagement/1/user', method: 'GET', params: { username: 'alice' } },
            undefined as never,
          ),
        );
        assert.equal(perUser.status, 401);
      }
    });
  });
}
