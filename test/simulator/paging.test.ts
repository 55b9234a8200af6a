import assert from 'node:assert/strict';
import { startSimulator, type RunningSimulator } from '../../simulator/index.js';
import { get, type UserBeanLike } from './sim-client.js';

const referenceTime = new Date('2026-11-01T00:00:00Z');

describe('simulator: listing users per Jira version', () => {
  describe('dc9', () => {
    let sim: RunningSimulator;
    before(async () => {
      sim = await startSimulator({ profile: 'dc9', users: 2500, referenceTime });
    });
    after(() => sim.close());

    it('pages /user/search 1000 at a time past the first 1000, sorted by username', async () => {
      const seen: string[] = [];
      for (let startAt = 0; ; startAt += 1000) {
        const page = await get<UserBeanLike[]>(
          sim.url,
          `/rest/api/2/user/search?username=.&includeInactive=true&startAt=${startAt}&maxResults=5000`,
        );
        assert.equal(page.status, 200);
        assert.ok(page.body.length <= 1000);
        seen.push(...page.body.map((user) => user.name));
        if (page.body.length < 1000) break;
      }
      assert.equal(seen.length, 2500);
      assert.equal(new Set(seen).size, 2500);
      const sorted = [...seen].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
      assert.deepEqual(seen, sorted);
    });

    it('has no /user/list and no lastLoginTime', async () => {
      const list = await get<{ errorMessages: string[] }>(sim.url, '/rest/api/2/user/list');
      assert.equal(list.status, 404);
      assert.ok(Array.isArray(list.body.errorMessages));
      const page = await get<UserBeanLike[]>(sim.url, '/rest/api/2/user/search?username=.&maxResults=1000');
      assert.ok(page.body.every((user) => !('lastLoginTime' in user)));
    });

    it('leaves inactive users out unless asked, and defaults to 50 results', async () => {
      const active = await get<UserBeanLike[]>(sim.url, '/rest/api/2/user/search?username=.');
      assert.equal(active.body.length, 50);
      assert.ok(active.body.every((user) => user.active));
      const inactiveOnly = await get<UserBeanLike[]>(
        sim.url,
        '/rest/api/2/user/search?username=.&includeActive=false&includeInactive=true&maxResults=1000',
      );
      assert.ok(inactiveOnly.body.length > 0);
      assert.ok(inactiveOnly.body.every((user) => !user.active));
    });

    it('matches the start of the username, of a display-name word, or of the e-mail', async () => {
      const byName = await get<UserBeanLike[]>(sim.url, '/rest/api/2/user/search?username=ADM');
      assert.ok(byName.body.some((user) => user.name === 'admin'));
      const page = await get<UserBeanLike[]>(sim.url, '/rest/api/2/user/search?username=.&maxResults=200');
      const someone = page.body.find((user) => user.displayName.includes(' ')) as UserBeanLike;
      const lastWord = someone.displayName.split(' ')[1] as string;
      const byWord = await get<UserBeanLike[]>(
        sim.url,
        `/rest/api/2/user/search?username=${encodeURIComponent(lastWord.toLowerCase())}&maxResults=1000`,
      );
      assert.ok(byWord.body.some((user) => user.name === someone.name));
      const nobody = await get<UserBeanLike[]>(sim.url, '/rest/api/2/user/search?username=zzzzqx');
      assert.deepEqual(nobody.body, []);
    });
  });

  describe('dc10', () => {
    let sim: RunningSimulator;
    before(async () => {
      sim = await startSimulator({ profile: 'dc10', users: 500, referenceTime });
    });
    after(() => sim.close());

    it('caps /user/search at the first 100 results', async () => {
      const big = await get<UserBeanLike[]>(sim.url, '/rest/api/2/user/search?username=.&maxResults=110');
      assert.equal(big.body.length, 100);
      const edge = await get<UserBeanLike[]>(
        sim.url,
        '/rest/api/2/user/search?username=.&startAt=98&maxResults=20',
      );
      assert.equal(edge.body.length, 2);
      assert.deepEqual(
        edge.body.map((user) => user.name),
        big.body.slice(98).map((user) => user.name),
      );
      const beyond = await get<UserBeanLike[]>(
        sim.url,
        '/rest/api/2/user/search?username=.&startAt=100&maxResults=50',
      );
      assert.deepEqual(beyond.body, []);
    });

    it('has no /user/list but shows lastLoginTime', async () => {
      assert.equal((await get(sim.url, '/rest/api/2/user/list')).status, 404);
      const page = await get<UserBeanLike[]>(sim.url, '/rest/api/2/user/search?username=.&maxResults=100');
      assert.ok(page.body.some((user) => typeof user.lastLoginTime === 'string'));
      assert.ok(page.body.some((user) => user.lastLoginTime === undefined));
    });

    it('identifies itself as 10.3.12 Data Center', async () => {
      const info = await get<{ version: string; deploymentType: string; versionNumbers: number[] }>(
        sim.url,
        '/rest/api/2/serverInfo',
      );
      assert.equal(info.body.version, '10.3.12');
      // Jira Data Center reports itself as "Server".
      assert.equal(info.body.deploymentType, 'Server');
      assert.deepEqual(info.body.versionNumbers, [10, 3, 12]);
    });
  });

  describe('dc11', () => {
    const userCount = 4321;
    let sim: RunningSimulator;
    before(async () => {
      sim = await startSimulator({ users: userCount, referenceTime });
    });
    after(() => sim.close());

    it('streams every user exactly once through /user/list, inactive ones included', async () => {
      assert.equal(sim.profile, 'dc11');
      const names: string[] = [];
      let inactive = 0;
      let cursor: string | undefined;
      let pages = 0;
      for (;;) {
        const page = await get<{
          isLast: boolean;
          nextCursor?: string;
          maxResults: number;
          values: UserBeanLike[];
        }>(sim.url, `/rest/api/2/user/list${cursor ? `?cursor=${cursor}` : ''}`);
        assert.equal(page.status, 200);
        assert.equal(page.body.maxResults, 2000);
        pages++;
        names.push(...page.body.values.map((user) => user.name));
        inactive += page.body.values.filter((user) => !user.active).length;
        if (page.body.isLast) break;
        assert.equal(typeof page.body.nextCursor, 'string');
        cursor = page.body.nextCursor;
      }
      assert.equal(pages, 3);
      assert.equal(names.length, userCount);
      assert.equal(new Set(names).size, userCount);
      assert.ok(inactive > 0);
    });

    it('caps the page at 2000 and never answers 404, even for a bogus cursor', async () => {
      const big = await get<{ values: unknown[] }>(sim.url, '/rest/api/2/user/list?maxResults=5000');
      assert.equal(big.body.values.length, 2000);
      for (const cursor of ['999999999', 'not-a-cursor']) {
        const page = await get<{ isLast: boolean; values: unknown[] }>(
          sim.url,
          `/rest/api/2/user/list?cursor=${cursor}`,
        );
        assert.equal(page.status, 200);
        assert.equal(page.body.isLast, true);
        assert.deepEqual(page.body.values, []);
      }
    });

    it('never shows the directory a user comes from', async () => {
      const page = await get<{ values: Record<string, unknown>[] }>(
        sim.url,
        '/rest/api/2/user/list?maxResults=500',
      );
      for (const user of page.body.values) {
        assert.ok(!('directoryId' in user) && !('directory' in user));
      }
    });
  });
});
