import assert from 'node:assert/strict';
import { parseLastLoginTime, type JiraUser } from '../../services/jira/index.js';
import {
  CROWD_APPLICATION,
  awkwardFixture,
  clientFor,
  simUser,
  startSimulator,
  type FixtureInput,
} from './sim-support.js';

describe('last login against the simulator', function () {
  this.timeout(30_000);

  it('Jira 9: from the Crowd attribute login.lastLoginMillis, equal to what Jira holds', async () => {
    const sim = await startSimulator({ profile: 'dc9', users: 400, seed: 11 });
    const client = clientFor(sim, { crowd: CROWD_APPLICATION });
    try {
      assert.equal((await client.detect()).lastLoginSource, 'crowd-attributes');
      const users: JiraUser[] = [];
      for await (const page of client.listUsers()) users.push(...page);
      let known = 0;
      let never = 0;
      for (const user of users.slice(0, 150)) {
        const [fact, state] = await Promise.all([client.lastLogin(user), simUser(sim, user.name)]);
        if (state?.lastLoginTime === undefined) {
          assert.deepEqual(fact, { status: 'never', source: 'crowd-attributes' }, user.name);
          never++;
        } else {
          assert.equal(fact.status, 'known', user.name);
          assert.equal(
            fact.status === 'known' && fact.at.getTime(),
            parseLastLoginTime(state.lastLoginTime)?.getTime(),
            user.name,
          );
          assert.equal(fact.status === 'known' && fact.source, 'crowd-attributes');
          known++;
        }
      }
      assert.ok(known > 0 && never > 0, `both kinds seen (${known} known, ${never} never)`);
    } finally {
      await client.close();
      await sim.close();
    }
  });

  it('Jira 9: unknown, never "never", when the Crowd API refuses or does not know the user', async () => {
    const sim = await startSimulator({ fixture: awkwardFixture('dc9') });
    const refused = clientFor(sim, { crowd: { username: 'reclaim-app', password: 'wrong' } });
    const client = clientFor(sim, { crowd: CROWD_APPLICATION });
    try {
      const fact = await refused.lastLogin('alice');
      assert.equal(fact.status, 'unknown');
      assert.match(fact.status === 'unknown' ? fact.reason : '', /Jira User Server application/);
      // The refusal is remembered: no request per user once the API has said no.
      const sent = refused.requestCount;
      assert.equal((await refused.lastLogin('ldap.bob')).status, 'unknown');
      assert.equal(refused.requestCount, sent);

      const missing = await client.lastLogin('ghost');
      assert.equal(missing.status, 'unknown');
      assert.equal((await client.lastLogin('ldap.bob')).status, 'never');
      const alice = await client.lastLogin('alice');
      assert.equal(alice.status === 'known' && alice.at.toISOString(), '2026-08-30T23:00:00.000Z');
    } finally {
      await refused.close();
      await client.close();
      await sim.close();
    }
  });

  it('Jira 9 without the Jira User Server application: unknown naming the fix, and nothing sent to Crowd', async () => {
    const sim = await startSimulator({ fixture: awkwardFixture('dc9') });
    const client = clientFor(sim);
    try {
      await client.detect();
      const sent = client.requestCount;
      const fix =
        'Jira 9: last logins need a Jira User Server application (`jira.crowd`), or the database source';
      assert.deepEqual(await client.lastLogin('alice'), { status: 'unknown', reason: fix });
      assert.deepEqual(await client.lastLoginsInBulk(), { status: 'unavailable', reason: fix });
      assert.deepEqual(await client.lastLoginReadiness(), { status: 'missing', reason: fix });
      assert.equal(client.requestCount, sent, 'the Jira credentials are never tried on Crowd REST');
    } finally {
      await client.close();
      await sim.close();
    }
  });

  it('Jira 9 in bulk: every last login from Crowd search pages of 1,000, the same as per user', async () => {
    const sim = await startSimulator({ profile: 'dc9', users: 2_500, seed: 3 });
    const client = clientFor(sim, { crowd: CROWD_APPLICATION });
    try {
      await client.detect();
      const sent = client.requestCount;
      const bulk = await client.lastLoginsInBulk();
      assert.equal(client.requestCount - sent, 3, 'three pages for 2,500 users');
      assert.ok(bulk.status === 'loaded');
      assert.equal(bulk.size, 2_500);
      const users: JiraUser[] = [];
      for await (const page of client.listUsers()) users.push(...page);
      for (const user of users.filter((_, i) => i % 50 === 0)) {
        assert.deepEqual(bulk.get(user.name), await client.lastLogin(user.name), user.name);
      }
      assert.equal(bulk.get('nobody-of-that-name'), undefined);
    } finally {
      await client.close();
      await sim.close();
    }
  });

  it('Jira 9 in bulk with a refused application: unavailable, with the reason', async () => {
    const sim = await startSimulator({ fixture: awkwardFixture('dc9'), crowdApplication: 'other:secret' });
    const client = clientFor(sim, { crowd: CROWD_APPLICATION });
    try {
      const bulk = await client.lastLoginsInBulk();
      assert.equal(bulk.status, 'unavailable');
      assert.match(
        bulk.status === 'unavailable' ? bulk.reason : '',
        /refused the Jira User Server application \(401\)/,
      );
    } finally {
      await client.close();
      await sim.close();
    }
  });

  it('Jira 10/11: from lastLoginTime, any offset, null meaning never', async () => {
    for (const profile of ['dc10', 'dc11'] as const) {
      const sim = await startSimulator({ fixture: awkwardFixture(profile) });
      const client = clientFor(sim);
      try {
        const capabilities = await client.detect();
        assert.equal(capabilities.lastLoginSource, 'user-field');
        assert.equal(capabilities.lastLoginFieldObserved, true);
        const users = new Map<string, JiraUser>();
        for await (const page of client.listUsers()) for (const user of page) users.set(user.name, user);
        const alice = users.get('alice')!;
        assert.equal(alice.lastLoginTime, '2026-08-31T09:00:00+1000');
        const fact = await client.lastLogin(alice);
        assert.equal(fact.status === 'known' && fact.at.toISOString(), '2026-08-30T23:00:00.000Z');
        assert.equal(users.get('ldap.bob')!.lastLoginTime, null);
        assert.deepEqual(await client.lastLogin(users.get('ldap.bob')!), {
          status: 'never',
          source: 'user-field',
        });
        const sent = client.requestCount;
        await client.lastLogin(alice);
        assert.equal(client.requestCount, sent, 'a listed user needs no request');
        const byName = await client.lastLogin('admin');
        assert.equal(byName.status === 'known' && byName.at.toISOString(), '2026-11-01T09:00:00.000Z');
      } finally {
        await client.close();
        await sim.close();
      }
    }
  });

  it('Jira 10 whose users carry no lastLoginTime at all: not read as "never", Crowd is asked instead', async () => {
    const fixture = awkwardFixture('dc10');
    const silent: FixtureInput = {
      ...fixture,
      users: (fixture.users ?? []).map(({ lastLoginTime: _dropped, ...user }) => user),
    };
    const sim = await startSimulator({ fixture: silent });
    const client = clientFor(sim, { crowd: { username: 'reclaim-app', password: 'wrong' } });
    try {
      const capabilities = await client.detect();
      assert.equal(capabilities.lastLoginFieldObserved, false);
      assert.equal(capabilities.lastLoginSource, 'crowd-attributes');
      const users: JiraUser[] = [];
      for await (const page of client.listUsers()) users.push(...page);
      assert.ok(
        users.every((user) => user.lastLoginTime === undefined),
        'absent, not null',
      );
      assert.equal((await client.lastLogin(users[0]!)).status, 'unknown');
    } finally {
      await client.close();
      await sim.close();
    }
  });
});
