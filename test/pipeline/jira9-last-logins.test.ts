import assert from 'node:assert/strict';
import { parseLastLoginTime } from '../../services/jira/index.js';
import { spawnReclaim, writeConfigFile } from '../support/child.js';
import { testRedisUrl, uniquePrefix } from '../support/redis.js';
import { planByName, runToEnd, simStats, simUser, startStack, type Stack } from '../support/stack.js';
import { AS_OF, EXPECTED, VERDICT_POLICY, verdictFixture } from './verdict-fixture.js';

/*
 * Jira 9 keeps last logins behind a Jira User Server application (`jira.crowd`). Without it,
 * nothing about logins can be known, so no login rule may decide — and the admin is told the
 * fix, by `reclaim jira check` and in the run's notes. With it, last logins come in bulk from
 * Crowd's search, not one request per user.
 */

const CONFIG = { policy: VERDICT_POLICY, directories: { maxAbsentPercent: 20 } };
const FIX = 'Jira 9: last logins need a Jira User Server application (`jira.crowd`), or the database source';
/** Users whose verdict a login rule decides (the others are decided before: exempt, leaver …). */
const LOGIN_VERDICTS = new Set(['keep', 'inactive', 'never-logged-in']);

describe('Jira 9 last logins', function () {
  this.timeout(120_000);
  let stack: Stack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  it('without jira.crowd: every login rule undetermined with the fix, said once in the notes, and no Crowd call', async () => {
    stack = await startStack({
      sim: { fixture: verdictFixture('dc9') },
      config: { ...CONFIG, jira: { crowd: null } },
    });
    const run = await runToEnd(stack, { asOf: AS_OF });
    assert.equal(run.status, 'done', run.statusReason);
    const plan = await planByName(stack.app, run.id);
    const decidedByLogin = Object.entries(EXPECTED).filter(([, e]) => LOGIN_VERDICTS.has(e.verdict));
    assert.ok(decidedByLogin.length >= 5);
    for (const [name] of decidedByLogin) {
      const line = plan.get(name)!;
      assert.equal(line.verdict, 'undetermined', `${name}: ${JSON.stringify(line.reasons)}`);
      assert.equal(line.lastLoginStatus, 'unknown');
      assert.deepEqual(line.actions, []);
      assert.ok(
        line.reasons.some((reason) => reason.signal === 'last-login' && reason.value === FIX),
        `${name}: ${JSON.stringify(line.reasons)}`,
      );
    }
    assert.equal(run.counters.byVerdict['never-logged-in'] ?? 0, 0);
    assert.equal(run.counters.byVerdict.inactive ?? 0, 0);
    const notes = (await stack.app.runs.get(run.id))!.notes.filter((note) => note.includes(FIX));
    assert.equal(notes.length, 1, notes.join('\n'));
    const { requests } = await simStats(stack.sim);
    const crowdCalls = Object.keys(requests.byRoute).filter((route) => route.includes('/usermanagement/'));
    assert.deepEqual(crowdCalls, [], 'the Jira credentials are never sent to Crowd REST');
  });

  it('with jira.crowd: last logins as Jira holds them, from the bulk search, at most 30 Jira requests per 1,000 users', async () => {
    const users = 2_000;
    stack = await startStack({
      // No directory, so no leavers: a leaver's full group list is one request on every
      // version (BENCHMARKS.md), which is not what is measured here.
      sim: { profile: 'dc9', users, seed: 7, referenceTime: AS_OF },
      scim: false,
      config: { policy: { ...VERDICT_POLICY, existingUsersSeenSince: null } },
    });
    const run = await runToEnd(stack, { asOf: AS_OF }, 90_000);
    assert.equal(run.status, 'done', run.statusReason);
    const plan = await planByName(stack.app, run.id);
    assert.equal(plan.size, users);

    let known = 0;
    let never = 0;
    for (const line of [...plan.values()].slice(0, 300)) {
      const state = await simUser(stack.sim, line.name);
      if (state.lastLoginTime === undefined) {
        assert.equal(line.lastLoginStatus, 'never', line.name);
        never++;
      } else {
        assert.equal(line.lastLoginStatus, 'known', line.name);
        assert.equal(line.lastLogin, parseLastLoginTime(state.lastLoginTime)!.toISOString(), line.name);
        known++;
      }
    }
    assert.ok(known > 0 && never > 0, `both kinds seen (${known} known, ${never} never)`);
    assert.equal(run.counters.byVerdict.undetermined ?? 0, 0);

    const stats = await simStats(stack.sim);
    // Jira's requests only: the simulator serves the SCIM directory too.
    const requests = {
      ...stats.requests,
      total: Object.entries(stats.requests.byRoute)
        .filter(([route]) => route.includes(' /rest/'))
        .reduce((sum, [, byStatus]) => sum + Object.values(byStatus).reduce((a, b) => a + b, 0), 0),
    };
    assert.equal(requests.byRoute['GET /rest/usermanagement/1/user'], undefined, 'no per-user Crowd call');
    // Users with their attributes, 1,000 a page, the last one short.
    assert.equal(requests.byRoute['GET /rest/usermanagement/1/search']?.['200'], users / 1000 + 1);
    // The policy groups' members from Crowd, 1,000 a page, not Jira's /group/member (50 a page).
    assert.equal(
      requests.byRoute['GET /rest/api/2/group/member'],
      undefined,
      JSON.stringify(requests.byRoute),
    );
    const perThousand = (requests.total * 1000) / users;
    assert.ok(
      perThousand <= 30,
      `${perThousand} Jira requests per 1,000 users: ${JSON.stringify(requests.byRoute)}`,
    );
    assert.equal(run.counters.jiraRequests, requests.total);
  });

  it("with jira.crowd and leavers: every group from Crowd's /group/membership, the same remove-groups as on dc11, at most 30 Jira requests per 1,000 users", async () => {
    const users = 2_000;
    const planOf = async (profile: 'dc9' | 'dc11') => {
      stack = await startStack({
        sim: { profile, users, seed: 7, referenceTime: AS_OF },
        config: { policy: { ...VERDICT_POLICY, existingUsersSeenSince: null } },
      });
      const run = await runToEnd(stack, { asOf: AS_OF }, 90_000);
      assert.equal(run.status, 'done', run.statusReason);
      const plan = await planByName(stack.app, run.id);
      const stats = await simStats(stack.sim);
      const notes = (await stack.app.runs.get(run.id))!.notes;
      await stack.close();
      stack = undefined;
      return { run, plan, stats, notes };
    };
    const dc11 = await planOf('dc11');
    const dc9 = await planOf('dc9');

    const leavers = [...dc11.plan.values()].filter((line) => line.verdict === 'left-company');
    assert.ok(leavers.length >= 20, `${leavers.length} leavers`);
    let withRemoveGroups = 0;
    for (const expected of leavers) {
      const line = dc9.plan.get(expected.name);
      assert.ok(line, expected.name);
      assert.equal(line.verdict, 'left-company', `${expected.name}: ${JSON.stringify(line.reasons)}`);
      assert.deepEqual(line.actions, expected.actions, expected.name);
      if (line.actions.some((action) => action.type === 'remove-groups')) withRemoveGroups++;
    }
    assert.ok(withRemoveGroups >= 10, `${withRemoveGroups} leavers lose groups`);
    assert.deepEqual(
      dc9.notes.filter((note) => note.includes('group memberships')),
      [],
      'no fallback was needed',
    );

    const byRoute = dc9.stats.requests.byRoute;
    assert.deepEqual(byRoute['GET /rest/usermanagement/1/group/membership'], { '200': 1 });
    assert.equal(
      byRoute['GET /rest/api/2/user'],
      undefined,
      `no per-leaver call: ${JSON.stringify(byRoute)}`,
    );
    assert.equal(byRoute['GET /rest/usermanagement/1/group/user/nested'], undefined, 'no group listing');
    const jiraRequests = Object.entries(byRoute)
      .filter(([route]) => route.includes(' /rest/'))
      .reduce((sum, [, byStatus]) => sum + Object.values(byStatus).reduce((a, b) => a + b, 0), 0);
    const perThousand = (jiraRequests * 1000) / users;
    assert.ok(perThousand <= 30, `${perThousand} Jira requests per 1,000 users: ${JSON.stringify(byRoute)}`);
    assert.equal(dc9.run.counters.jiraRequests, jiraRequests);
  });

  it('with jira.crowd on a Crowd without /group/membership: groups as before (per leaver), said in the notes', async () => {
    stack = await startStack({
      sim: { profile: 'dc9', users: 600, seed: 7, referenceTime: AS_OF, crowdGroupMemberships: false },
      config: { policy: { ...VERDICT_POLICY, existingUsersSeenSince: null } },
    });
    const run = await runToEnd(stack, { asOf: AS_OF }, 90_000);
    assert.equal(run.status, 'done', run.statusReason);
    const notes = (await stack.app.runs.get(run.id))!.notes.filter((note) =>
      note.includes('/group/membership'),
    );
    assert.equal(notes.length, 1, notes.join('\n'));
    assert.match(notes[0]!, /each leaver's groups are asked of Jira/);
    const leavers = [...(await planByName(stack.app, run.id)).values()].filter(
      (line) => line.verdict === 'left-company',
    );
    assert.ok(leavers.length > 0);
    const { requests } = await simStats(stack.sim);
    assert.deepEqual(requests.byRoute['GET /rest/usermanagement/1/group/membership'], { '404': 1 });
    // The policy groups listed one by one, and each leaver's full list asked of Jira.
    assert.ok(requests.byRoute['GET /rest/usermanagement/1/group/user/nested']?.['200']);
    assert.equal(requests.byRoute['GET /rest/api/2/user']?.['200'], leavers.length);
    for (const leaver of leavers) {
      const state = await simUser(stack.sim, leaver.name);
      const removed = leaver.actions.find((action) => action.type === 'remove-groups');
      for (const group of removed?.groups ?? [])
        assert.ok(state.groups.includes(group), `${leaver.name} ${group}`);
    }
  });

  it('`reclaim jira check` exits 1 naming the fix without jira.crowd, 0 with it', async () => {
    stack = await startStack({ sim: { fixture: verdictFixture('dc9') }, workers: false });
    const base = { redis: { url: testRedisUrl(), prefix: uniquePrefix('jira-check') } };
    const without = writeConfigFile({ ...base, jira: { url: stack.sim.url, token: 'sim-token' } });
    const withCrowd = writeConfigFile({
      ...base,
      jira: {
        url: stack.sim.url,
        token: 'sim-token',
        crowd: { application: 'reclaim', password: 'reclaim-secret' },
      },
    });
    try {
      const missing = spawnReclaim(['jira', 'check', '--config', without.file]);
      assert.equal((await missing.exited).code, 1, missing.output());
      assert.ok(missing.output().includes(FIX), missing.output());
      assert.match(missing.output(), /Jira 9\.12\.15/);

      const ready = spawnReclaim(['jira', 'check', '--config', withCrowd.file]);
      assert.equal((await ready.exited).code, 0, ready.output());
      const output = ready.output();
      assert.match(output, /Jira 9\.12\.15 at /);
      assert.match(output, /listing: paged-search/);
      assert.match(output, /last logins: crowd-attributes, read in bulk from Crowd's user search/);
      assert.match(output, /account: admin .*Jira administrator \(ADMINISTER\): yes/);
    } finally {
      without.remove();
      withCrowd.remove();
    }
  });
});
