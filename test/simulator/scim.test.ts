import assert from 'node:assert/strict';
import { startSimulator, type RunningSimulator } from '../../simulator/index.js';
import { SMALL_ENTERPRISE_FIXTURE } from './fixture-path.js';
import { BASIC_ADMIN, call, get } from './sim-client.js';

interface ScimList {
  schemas: string[];
  totalResults: number;
  startIndex: number;
  itemsPerPage: number;
  Resources: { schemas: string[]; id: string; userName: string; active: boolean; displayName?: string }[];
}

describe('simulator: SCIM directory', () => {
  describe('a synthetic enterprise', () => {
    let sim: RunningSimulator;
    before(async () => {
      sim = await startSimulator({ users: 3000, referenceTime: new Date('2026-11-01T00:00:00Z') });
    });
    after(() => sim.close());
    afterEach(async () => {
      await call(sim.url, 'POST', '/__sim/scim/outage', { body: { status: null } });
      await call(sim.url, 'POST', '/__sim/scim/hide', { body: { percent: 0 } });
      await call(sim.url, 'POST', '/__sim/scim/unlist', { body: { userNames: [] } });
    });

    async function everyone(): Promise<ScimList['Resources']> {
      const all: ScimList['Resources'] = [];
      for (let startIndex = 1; ; startIndex += 1000) {
        const page = await get<ScimList>(sim.url, `/scim/v2/Users?startIndex=${startIndex}&count=5000`);
        assert.equal(page.status, 200);
        assert.ok(page.body.itemsPerPage <= 1000);
        all.push(...page.body.Resources);
        if (all.length >= page.body.totalResults) return all;
      }
    }

    it('pages the whole directory: most users present and active, a few gone or disabled', async () => {
      const users = await everyone();
      assert.equal(new Set(users.map((user) => user.userName)).size, users.length);
      const absent = 1 - users.length / sim.userCount;
      const disabled = users.filter((user) => !user.active).length / sim.userCount;
      assert.ok(absent > 0.01 && absent < 0.06, `absent share ${absent}`);
      assert.ok(disabled > 0.005 && disabled < 0.04, `disabled share ${disabled}`);
      assert.deepEqual(users[0]?.schemas, ['urn:ietf:params:scim:schemas:core:2.0:User']);
    });

    it('filters by userName, case-insensitively', async () => {
      const hit = await get<ScimList>(
        sim.url,
        `/scim/v2/Users?filter=${encodeURIComponent('userName eq "ADMIN"')}`,
      );
      assert.equal(hit.body.totalResults, 1);
      assert.equal(hit.body.Resources[0]?.userName, 'admin');
      assert.deepEqual(hit.body.schemas, ['urn:ietf:params:scim:api:messages:2.0:ListResponse']);
      const miss = await get<ScimList>(
        sim.url,
        `/scim/v2/Users?filter=${encodeURIComponent('userName eq "nobody"')}`,
      );
      assert.equal(miss.body.totalResults, 0);
      assert.deepEqual(miss.body.Resources, []);
      const unsupported = await get<{ scimType: string; status: string }>(
        sim.url,
        `/scim/v2/Users?filter=${encodeURIComponent('title co "x"')}`,
      );
      assert.equal(unsupported.status, 400);
      assert.equal(unsupported.body.scimType, 'invalidFilter');
    });

    it('wants a token or admin credentials, and answers in SCIM error format', async () => {
      const anonymous = await get<{ schemas: string[]; status: string }>(sim.url, '/scim/v2/Users', {
        authorization: '',
      });
      assert.equal(anonymous.status, 401);
      assert.deepEqual(anonymous.body.schemas, ['urn:ietf:params:scim:api:messages:2.0:Error']);
      assert.equal(anonymous.body.status, '401');
      assert.equal((await get(sim.url, '/scim/v2/Users?count=1', BASIC_ADMIN)).status, 200);
    });

    it('fails every request with the outage status, then recovers', async () => {
      await call(sim.url, 'POST', '/__sim/scim/outage', { body: { status: 503 } });
      const down = await get<{ status: string }>(sim.url, '/scim/v2/Users');
      assert.equal(down.status, 503);
      assert.equal(down.body.status, '503');
      await call(sim.url, 'POST', '/__sim/scim/outage', { body: { status: null } });
      assert.equal((await get(sim.url, '/scim/v2/Users?count=1')).status, 200);
    });

    it('never answers during a timeout outage', async () => {
      await call(sim.url, 'POST', '/__sim/scim/outage', { body: { status: 'timeout' } });
      await assert.rejects(
        fetch(`${sim.url}/scim/v2/Users`, {
          headers: { authorization: 'Bearer sim-token' },
          signal: AbortSignal.timeout(300),
        }),
        (error: Error) => error.name === 'TimeoutError',
      );
    });

    it('hides a deterministic share of users, and restores them', async () => {
      const before = await get<ScimList>(sim.url, '/scim/v2/Users?count=0');
      await call(sim.url, 'POST', '/__sim/scim/hide', { body: { percent: 40 } });
      const hidden = await get<ScimList>(sim.url, '/scim/v2/Users?count=0');
      const share = 1 - hidden.body.totalResults / before.body.totalResults;
      assert.ok(share > 0.35 && share < 0.45, `hidden share ${share}`);
      const firstRun = (await everyone()).map((user) => user.userName);
      const secondRun = (await everyone()).map((user) => user.userName);
      assert.deepEqual(firstRun, secondRun);
      const gone = (await get<{ values: { name: string }[] }>(sim.url, '/rest/api/2/user/list')).body.values
        .map((user) => user.name)
        .find((name) => !firstRun.includes(name)) as string;
      const filtered = await get<ScimList>(
        sim.url,
        `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${gone}"`)}`,
      );
      assert.equal(filtered.body.totalResults, 0);
      await call(sim.url, 'POST', '/__sim/scim/hide', { body: { percent: 0 } });
      assert.equal(
        (await get<ScimList>(sim.url, '/scim/v2/Users?count=0')).body.totalResults,
        before.body.totalResults,
      );
    });
  });

  describe('users left out of the listing only (/__sim/scim/unlist)', () => {
    let sim: RunningSimulator;
    before(async () => {
      sim = await startSimulator({ fixture: SMALL_ENTERPRISE_FIXTURE });
    });
    after(() => sim.close());

    it('the unfiltered listing omits them; a userName filter and /Users/{id} still find them; reset lists everyone', async () => {
      const before = (await get<ScimList>(sim.url, '/scim/v2/Users?count=1000')).body;
      const target = before.Resources[0]!;
      await call(sim.url, 'POST', '/__sim/scim/unlist', {
        body: { userNames: [target.userName.toUpperCase()] },
      });
      const listed = (await get<ScimList>(sim.url, '/scim/v2/Users?count=1000')).body;
      assert.equal(listed.totalResults, before.totalResults - 1);
      assert.ok(!listed.Resources.some((user) => user.userName === target.userName));
      const filtered = await get<ScimList>(
        sim.url,
        `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${target.userName}"`)}`,
      );
      assert.equal(filtered.body.Resources[0]?.userName, target.userName);
      assert.equal((await get<{ userName: string }>(sim.url, `/scim/v2/Users/${target.id}`)).status, 200);
      const bad = await call(sim.url, 'POST', '/__sim/scim/unlist', { body: { userNames: 'x' } });
      assert.equal(bad.status, 400);
      await call(sim.url, 'POST', '/__sim/reset');
      assert.equal(
        (await get<ScimList>(sim.url, '/scim/v2/Users?count=0')).body.totalResults,
        before.totalResults,
      );
    });
  });

  describe('a fixture', () => {
    let sim: RunningSimulator;
    before(async () => {
      sim = await startSimulator({ fixture: SMALL_ENTERPRISE_FIXTURE });
    });
    after(() => sim.close());

    it("serves exactly the fixture's external users", async () => {
      const page = await get<ScimList>(sim.url, '/scim/v2/Users?startIndex=2&count=2');
      assert.equal(page.body.totalResults, 4);
      assert.equal(page.body.startIndex, 2);
      assert.equal(page.body.itemsPerPage, 2);
      assert.deepEqual(
        page.body.Resources.map((user) => [user.userName, user.active]),
        [
          ['alice', true],
          ['bob', false],
        ],
      );
    });
  });

  describe('no external directory', () => {
    let sim: RunningSimulator;
    before(async () => {
      sim = await startSimulator({ fixture: { users: [{ name: 'solo' }] } });
    });
    after(() => sim.close());

    it('answers 404', async () => {
      assert.equal((await get(sim.url, '/scim/v2/Users')).status, 404);
    });
  });
});
