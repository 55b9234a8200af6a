import assert from 'node:assert/strict';
import { startSimulator } from '../../simulator/index.js';
import { syntheticEnterprise } from '../../simulator/synthetic-enterprise.js';
import { get } from './sim-client.js';

const referenceTime = new Date('2026-11-01T00:00:00Z');
const DAY_MS = 86_400_000;

async function listEveryone(options: { seed: number }): Promise<unknown[]> {
  const sim = await startSimulator({ users: 1500, referenceTime, ...options });
  try {
    const users: unknown[] = [];
    let cursor = '';
    for (;;) {
      const page = await get<{ values: unknown[]; isLast: boolean; nextCursor?: string }>(
        sim.url,
        `/rest/api/2/user/list?maxResults=1000${cursor ? `&cursor=${cursor}` : ''}`,
      );
      users.push(
        ...page.body.values.map((user) => ({ ...(user as object), self: undefined, avatarUrls: undefined })),
      );
      if (page.body.isLast) return users;
      cursor = page.body.nextCursor as string;
    }
  } finally {
    await sim.close();
  }
}

describe('simulator: synthetic enterprise', () => {
  it('is the same enterprise for the same seed and reference time, and another for another seed', async () => {
    const first = await listEveryone({ seed: 42 });
    const second = await listEveryone({ seed: 42 });
    const other = await listEveryone({ seed: 43 });
    assert.deepEqual(first, second);
    assert.notDeepEqual(first, other);
  });

  it('looks like a real instance: directories, keys, licences, groups and a last-login spread', () => {
    const userCount = 20_000;
    const { store, scim } = syntheticEnterprise({
      users: userCount,
      seed: 42,
      referenceTime,
      profile: 'dc11',
    });
    assert.equal(store.size, userCount);

    const share = (predicate: (index: number) => boolean) => {
      let hits = 0;
      for (let index = 0; index < userCount; index++) if (predicate(index)) hits++;
      return hits / userCount;
    };
    const near = (actual: number, expected: number, tolerance: number) =>
      assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not about ${expected}`);

    near(
      share((index) => store.directory(index).id === 10000),
      0.4,
      0.03,
    );
    assert.ok(store.directory(store.indexOfName('admin') as number).readOnly === false);
    assert.equal(store.directories.find((directory) => directory.id === 10000)?.readOnly, true);

    const daysSinceLogin = (index: number) => {
      const last = store.lastLoginEpochMs(index);
      return last === undefined ? undefined : (referenceTime.getTime() - last) / DAY_MS;
    };
    near(
      share((index) => !store.isActive(index)),
      0.05,
      0.01,
    );
    near(
      share((index) => store.isActive(index) && daysSinceLogin(index) === undefined),
      0.1,
      0.015,
    );
    near(
      share((index) => store.isActive(index) && (daysSinceLogin(index) ?? 0) > 90),
      0.22,
      0.03,
    );
    near(
      share((index) => store.isActive(index) && (daysSinceLogin(index) ?? Infinity) <= 90),
      0.63,
      0.03,
    );
    assert.ok(share((index) => /[+-](?!0000)\d{4}$/.test(store.lastLoginTime(index) ?? '')) > 0.1);
    assert.ok(share((index) => (daysSinceLogin(index) ?? 0) < 0) === 0, 'no login after the reference time');

    assert.ok(share((index) => /^JIRAUSER\d+$/.test(store.key(index))) > 0.9);
    assert.ok(share((index) => store.key(index) === store.name(index)) > 0.02);
    assert.ok(share((index) => /^[a-z]+\.[a-z]+\d*$/.test(store.name(index))) > 0.95);

    const admins = store.membersOf(store.groupIdOf('jira-administrators') as number).length;
    assert.ok(admins >= 2 && admins <= 10, `${admins} admins`);
    assert.equal(store.membersOf(store.groupIdOf('jira-inactive-users') as number).length, 0);
    assert.ok(store.membersOf(store.groupIdOf('service-accounts') as number).length > 0);
    const teamIds = store.groupNames.flatMap((name, id) => (name.startsWith('team-') ? [id] : []));
    for (let index = 1; index < 200; index++) {
      const teams = Array.from(store.groupIdsOf(index)).filter((id) => teamIds.includes(id)).length;
      if (!store.name(index).startsWith('svc-')) assert.ok(teams >= 1 && teams <= 3);
    }

    for (const role of store.roles) {
      const used = store.roleUserCount(role);
      assert.ok(used > 0 && role.numberOfSeats > used && role.numberOfSeats < used * 1.3 + 20, role.key);
    }
    const software = store.roleOf('jira-software');
    const servicedesk = store.roleOf('jira-servicedesk');
    assert.ok(software && servicedesk && store.roleUserCount(servicedesk) < store.roleUserCount(software));

    assert.ok(scim);
    near(scim.size / userCount, 0.97, 0.01);
    let disabled = 0;
    for (let index = 0; index < scim.size; index++) if (!scim.isActive(index)) disabled++;
    near(disabled / userCount, 0.02, 0.006);
  });
});
