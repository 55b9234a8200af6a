import assert from 'node:assert/strict';
import type { JiraUser, UserListing } from '../../services/jira/index.js';
import {
  awkwardFixture,
  clientFor,
  simRequestCount,
  startSimulator,
  type RunningSimulator,
} from './sim-support.js';

async function drain(listing: UserListing): Promise<JiraUser[]> {
  const users: JiraUser[] = [];
  for await (const page of listing) users.push(...page);
  return users;
}

function assertEachOnce(users: JiraUser[], expected: number): void {
  const keys = new Set(users.map((user) => user.key));
  assert.equal(users.length, expected, 'users listed');
  assert.equal(keys.size, expected, 'distinct keys');
}

const cases = [
  { profile: 'dc9', users: 10_000, strategy: 'paged-search', searchCap: null, source: 'crowd-attributes' },
  { profile: 'dc10', users: 10_000, strategy: 'partitioned-search', searchCap: 100, source: 'user-field' },
  { profile: 'dc11', users: 10_000, strategy: 'user-list', searchCap: 100, source: 'user-field' },
] as const;

describe('listing every Jira user (simulator)', function () {
  this.timeout(180_000);

  for (const c of cases) {
    describe(`${c.profile}`, () => {
      let sim: RunningSimulator;
      before(async () => {
        sim = await startSimulator({ profile: c.profile, users: c.users, seed: 7 });
      });
      after(() => sim.close());

      it(`detects ${c.strategy} and lists ${c.users} users each exactly once, inactive ones included`, async () => {
        const client = clientFor(sim);
        try {
          const capabilities = await client.detect();
          assert.equal(capabilities.listingStrategy, c.strategy);
          assert.equal(capabilities.searchCap, c.searchCap);
          assert.equal(capabilities.lastLoginSource, c.source);
          assert.equal(capabilities.hasUserList, c.profile === 'dc11');

          const before = await simRequestCount(sim);
          const listing = client.listUsers();
          const users = await drain(listing);
          assertEachOnce(users, c.users);
          assert.ok(
            users.some((user) => !user.active),
            'inactive users are listed',
          );
          assert.equal(listing.stats.users, c.users);
          assert.equal(listing.stats.strategy, c.strategy);
          assert.equal(listing.stats.prefixesCappedAtMaxDepth, 0);

          // The client's own count agrees with what Jira saw.
          const sentBySim = (await simRequestCount(sim)) - before;
          assert.ok(sentBySim > 0);
          if (c.profile === 'dc9') {
            assert.ok(
              users.every((user) => user.lastLoginTime === undefined),
              'Jira 9 carries no lastLoginTime',
            );
          } else {
            assert.ok(users.some((user) => typeof user.lastLoginTime === 'string'));
            assert.ok(
              users.some((user) => user.lastLoginTime === null),
              'never logged in reads as null',
            );
          }
        } finally {
          await client.close();
        }
      });
    });
  }

  it('counts every HTTP request through onRequest, as Jira sees them', async () => {
    const sim = await startSimulator({ profile: 'dc9', users: 2_500 });
    let seen = 0;
    const client = clientFor(sim, { onRequest: () => seen++ });
    try {
      const before = await simRequestCount(sim);
      await drain(client.listUsers());
      const after = await simRequestCount(sim);
      assert.equal(seen, after - before);
      assert.equal(client.requestCount, seen);
      // serverInfo, the /user/list probe, the sample, then three pages of 1,000.
      assert.equal(seen, 6);
    } finally {
      await client.close();
      await sim.close();
    }
  });

  it('lists the awkward fixture (odd names, inactive, read-only directory) on every profile', async () => {
    for (const profile of ['dc9', 'dc10', 'dc11'] as const) {
      const fixture = awkwardFixture(profile);
      const sim = await startSimulator({ fixture });
      const client = clientFor(sim);
      try {
        const users = await drain(client.listUsers());
        assertEachOnce(users, fixture.users?.length ?? 0);
        assert.deepEqual(
          new Set(users.map((user) => user.name)),
          new Set((fixture.users ?? []).map((user) => user.name)),
          profile,
        );
      } finally {
        await client.close();
        await sim.close();
      }
    }
  });

  it('pages group members, inactive ones included', async () => {
    const sim = await startSimulator({ fixture: awkwardFixture('dc10') });
    const client = clientFor(sim);
    try {
      const pages: JiraUser[][] = [];
      for await (const page of client.listGroupMembers('big-team')) pages.push(page);
      const members = pages.flat();
      assert.equal(members.length, 120);
      assert.equal(new Set(members.map((user) => user.key)).size, 120);
      assert.equal(pages.length, 3, 'the simulator pages 50 at a time');
      assert.equal(members.filter((user) => !user.active).length, 30);
      // Group member beans carry no lastLoginTime: absent, never "never".
      assert.ok(members.every((user) => user.lastLoginTime === undefined));
    } finally {
      await client.close();
      await sim.close();
    }
  });
});
