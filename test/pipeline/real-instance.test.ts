import assert from 'node:assert/strict';
import type { DirectoryStatus, PlanLine } from '../../services/runs/types.js';
import { INTERNAL_DIRECTORY, SOFTWARE_ROLE } from '../support/fixture-parts.js';
import { stateKey } from '../../queues/connection.js';
import { planByName, runToEnd, simHook, startStack, type Stack } from '../support/stack.js';
import {
  AS_OF,
  BREAK_GLASS_ADMIN,
  DEACTIVATED,
  EMPLOYEES,
  LEAVERS,
  OWN_ACCOUNT,
  SERVICE_ACCOUNTS,
  STAFF,
  realInstanceFixture,
} from './real-instance-fixture.js';

/*
 * Verdicts that hold on a real instance: the breaker judges the IdP on the users it should
 * know, every leaver is confirmed by a look-up, and administrators and Reclaim's own account are
 * protected whatever skipGroups says — on the simulator over HTTP, with its SCIM directory.
 */

const CONFIG = { directories: { maxAbsentPercent: 5 } };

function namesWith(plan: Map<string, PlanLine>, verdict: string): string[] {
  return [...plan.values()]
    .filter((line) => line.verdict === verdict)
    .map((line) => line.name)
    .sort();
}

function onlySource(directories: DirectoryStatus[] | undefined): DirectoryStatus {
  assert.equal(directories?.length, 1, JSON.stringify(directories));
  return directories[0]!;
}

describe('verdicts on a real instance (dry run over HTTP and Redis)', function () {
  this.timeout(60_000);

  describe('60 deactivated accounts the IdP forgot, 4 fresh leavers, 200 staff', () => {
    let stack: Stack;
    beforeEach(
      async () => (stack = await startStack({ sim: { fixture: realInstanceFixture() }, config: CONFIG })),
    );
    afterEach(() => stack?.close());

    it('trusts the IdP and finds exactly the 4 leavers; the run record says what it was judged on', async () => {
      const run = await runToEnd(stack, { asOf: AS_OF });
      assert.equal(run.status, 'done', run.statusReason);
      const plan = await planByName(stack.app, run.id);
      assert.deepEqual(namesWith(plan, 'left-company'), LEAVERS);
      for (const name of DEACTIVATED) assert.equal(plan.get(name)!.verdict, 'already-inactive', name);
      assert.equal(namesWith(plan, 'keep').length, STAFF.length);
      assert.equal(plan.get(BREAK_GLASS_ADMIN)!.verdict, 'exempt');
      assert.equal(plan.get(OWN_ACCOUNT)!.verdict, 'exempt');

      const scim = onlySource(run.directories);
      assert.equal(scim.trusted, true, scim.summary);
      assert.deepEqual(
        {
          asked: scim.asked,
          absent: scim.absent,
          disabled: scim.disabled,
          outOfScope: scim.outOfScope,
          deactivatedInJira: scim.deactivatedInJira,
          protectedByPolicy: scim.protectedByPolicy,
          foundOnLookup: scim.foundOnLookup,
          lookupFailed: scim.lookupFailed,
        },
        {
          asked: STAFF.length + LEAVERS.length,
          absent: LEAVERS.length,
          disabled: 0,
          outOfScope: 0,
          deactivatedInJira: DEACTIVATED.length,
          protectedByPolicy: 2,
          foundOnLookup: 0,
          lookupFailed: 0,
        },
      );
      assert.equal(
        scim.summary,
        'scim: 2.0% of 204 active Jira users in scope absent, 0.0% disabled, within maxAbsentPercent 5',
      );
      assert.ok(
        run.notes.some(
          (note) => /60 already deactivated in Jira/.test(note) && /2 protected by the policy/.test(note),
        ),
        run.notes.join('\n'),
      );
      const leaver = plan.get('leaver1')!;
      assert.ok(leaver.actions.some((action) => action.type === 'deactivate'));
      assert.ok(leaver.reasons.some((r) => r.signal === 'directory' && r.rule === 'not found in scim'));
    });

    it('with 40 % of the active users hidden from the IdP the breaker still trips: nobody left-company, and the run says why', async () => {
      await simHook(stack.sim, '/__sim/scim/hide', { percent: 40 });
      const run = await runToEnd(stack, { asOf: AS_OF });
      assert.equal(run.status, 'done', run.statusReason);
      assert.equal(run.counters.byVerdict['left-company'] ?? 0, 0);
      const scim = onlySource(run.directories);
      assert.equal(scim.trusted, false);
      assert.equal(scim.asked, 204, 'still judged on the active users only');
      assert.ok((scim.absent ?? 0) > 0.25 * 204, scim.summary);
      assert.equal(scim.foundOnLookup, 0, 'the look-ups do not find the hidden users either');
      assert.match(scim.reason ?? '', /of 204 active Jira users in scope absent, above maxAbsentPercent 5/);
      assert.ok(
        run.notes.some((note) => /not believed/.test(note) && /above maxAbsentPercent 5/.test(note)),
        run.notes.join('\n'),
      );
      const plan = await planByName(stack.app, run.id);
      for (const name of LEAVERS) {
        const line = plan.get(name)!;
        assert.equal(line.verdict, 'keep', name);
        assert.ok(
          line.reasons.some((r) => r.signal === 'directory' && /unknown/.test(r.rule)),
          JSON.stringify(line.reasons),
        );
      }
    });

    it('a user the bulk listing missed but a look-up finds is not a leaver, nor counted absent', async () => {
      // The listing misses staff007 (as when pages shift while accounts are deleted); a
      // `userName eq` look-up still finds the account.
      await simHook(stack.sim, '/__sim/scim/unlist', { userNames: ['staff007'] });
      const run = await runToEnd(stack, { asOf: AS_OF });
      const plan = await planByName(stack.app, run.id);
      const staff = plan.get('staff007')!;
      assert.equal(staff.verdict, 'keep', JSON.stringify(staff.reasons));
      assert.ok(staff.reasons.some((r) => r.signal === 'directory' && r.rule === 'active in scim'));
      assert.deepEqual(namesWith(plan, 'left-company'), LEAVERS);
      const scim = onlySource(run.directories);
      assert.equal(scim.absent, LEAVERS.length);
      assert.equal(scim.foundOnLookup, 1);
      assert.ok(
        run.notes.some((note) => /1 user\(s\) missing from its listing were found by a look-up/.test(note)),
      );
    });
  });

  it('a source scoped to an e-mail domain: service accounts are not-applicable, not leavers, not absent', async () => {
    const stack = await startStack({
      sim: { fixture: realInstanceFixture({ serviceAccounts: true }) },
      config: CONFIG,
      scimSource: { scope: { emailDomains: ['Example.COM'] } },
    });
    try {
      const run = await runToEnd(stack, { asOf: AS_OF });
      const plan = await planByName(stack.app, run.id);
      assert.deepEqual(namesWith(plan, 'left-company'), LEAVERS, 'leaver1@EXAMPLE.com is in scope');
      for (const name of SERVICE_ACCOUNTS) {
        const line = plan.get(name)!;
        assert.equal(line.verdict, 'keep', name);
        assert.deepEqual(line.actions, []);
        assert.ok(
          line.reasons.some(
            (r) => r.signal === 'directory' && r.rule === 'outside the scope of scim, so not a leaver by it',
          ),
          JSON.stringify(line.reasons),
        );
      }
      assert.match(
        plan.get('svc-build')!.reasons.find((r) => r.signal === 'directory')!.value ?? '',
        /e-mail domain ci\.example\.net not in scope\.emailDomains \(example\.com\)/,
      );
      assert.match(
        plan.get('svc-backup')!.reasons.find((r) => r.signal === 'directory')!.value ?? '',
        /no e-mail domain/,
      );
      const scim = onlySource(run.directories);
      assert.equal(scim.trusted, true, scim.summary);
      assert.equal(scim.outOfScope, 2);
      assert.equal(scim.asked, STAFF.length + LEAVERS.length);
      assert.equal(scim.absent, LEAVERS.length);
    } finally {
      await stack.close();
    }
  });

  it('a source scoped to a Jira group: its members are gathered, everyone else is not-applicable', async () => {
    const stack = await startStack({
      sim: { fixture: realInstanceFixture({ serviceAccounts: true }) },
      config: CONFIG,
      // Spelt in other case than in Jira: group names compare case-insensitively.
      scimSource: { scope: { groups: [EMPLOYEES.toUpperCase()] } },
    });
    try {
      const run = await runToEnd(stack, { asOf: AS_OF });
      assert.equal(run.status, 'done', run.statusReason);
      const plan = await planByName(stack.app, run.id);
      assert.deepEqual(namesWith(plan, 'left-company'), LEAVERS);
      for (const name of SERVICE_ACCOUNTS) {
        const directory = plan.get(name)!.reasons.find((r) => r.signal === 'directory');
        assert.equal(plan.get(name)!.verdict, 'keep', name);
        assert.match(directory?.value ?? '', /in none of scope\.groups \(EMPLOYEES\)/, name);
      }
      const scim = onlySource(run.directories);
      assert.equal(scim.trusted, true, scim.summary);
      assert.deepEqual([scim.asked, scim.absent, scim.outOfScope], [204, 4, 2]);
      // The scope group's members were gathered for the scan only: nothing of them is left.
      const redis = stack.app.redis;
      const leftover = await redis.keys(`${stateKey(stack.prefix, 'run', run.id, 'members')}:*`);
      assert.deepEqual(leftover, []);
    } finally {
      await stack.close();
    }
  });

  describe('administrators and Reclaim’s own account, with skipGroups: [contractors]', () => {
    const OLD = '2025-06-01T08:00:00Z';
    const fixture = {
      profile: 'dc11' as const,
      applicationRoles: [SOFTWARE_ROLE],
      directories: [INTERNAL_DIRECTORY],
      groups: ['jira-software-users', 'jira-administrators', 'jira-admins-local', 'contractors'],
      users: [
        { name: 'erin', groups: ['jira-software-users', 'jira-administrators'], lastLoginTime: OLD },
        { name: 'olaf', groups: ['jira-software-users', 'jira-admins-local'], lastLoginTime: OLD },
        { name: 'carl', groups: ['jira-software-users', 'contractors'], lastLoginTime: OLD },
        { name: 'bob', groups: ['jira-software-users'], lastLoginTime: OLD },
        // The account behind sim-token, in no administrators group here.
        { name: OWN_ACCOUNT, groups: ['jira-software-users'], lastLoginTime: OLD },
      ],
    };
    const policy = { skipGroups: ['contractors'] };

    async function planWith(extraPolicy: Record<string, unknown>): Promise<Map<string, PlanLine>> {
      const stack = await startStack({
        sim: { fixture },
        scim: false,
        config: { policy: { ...policy, ...extraPolicy } },
      });
      try {
        const run = await runToEnd(stack, { asOf: AS_OF });
        assert.equal(run.status, 'done', run.statusReason);
        return await planByName(stack.app, run.id);
      } finally {
        await stack.close();
      }
    }

    const ruleOf = (line: PlanLine) => line.reasons.map((r) => `${r.rule}: ${r.value ?? ''}`);

    it('every protection holds and says which rule protected whom', async () => {
      const plan = await planWith({ adminGroups: ['jira-admins-local'], skipUsers: [] });
      assert.equal(plan.get('bob')!.verdict, 'inactive', 'the control: an ordinary inactive user');
      assert.deepEqual(
        Object.fromEntries(
          ['erin', 'olaf', 'carl', OWN_ACCOUNT].map((name) => [name, plan.get(name)!.verdict]),
        ),
        { erin: 'exempt', olaf: 'exempt', carl: 'exempt', [OWN_ACCOUNT]: 'exempt' },
      );
      assert.deepEqual(ruleOf(plan.get('erin')!), [
        'member of a Jira administrators group (always exempt): jira-administrators',
      ]);
      assert.deepEqual(ruleOf(plan.get('olaf')!), [
        'member of a Jira administrators group (always exempt): jira-admins-local',
      ]);
      assert.deepEqual(ruleOf(plan.get('carl')!), ['member of a skip group (skipGroups): contractors']);
      assert.deepEqual(ruleOf(plan.get(OWN_ACCOUNT)!), [
        'the Jira account Reclaim itself uses (always exempt): admin',
      ]);
      for (const name of ['erin', 'olaf', 'carl', OWN_ACCOUNT]) assert.deepEqual(plan.get(name)!.actions, []);
    });

    it('a renamed administrators group protects only once named in adminGroups; the built-in ones always do', async () => {
      const plan = await planWith({});
      assert.equal(plan.get('erin')!.verdict, 'exempt');
      assert.equal(
        plan.get('olaf')!.verdict,
        'inactive',
        'jira-admins-local is not an admin group by default',
      );
      assert.equal(plan.get(OWN_ACCOUNT)!.verdict, 'exempt');
    });
  });
});
