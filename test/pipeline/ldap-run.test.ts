import assert from 'node:assert/strict';
import { jobIds } from '../../queues/job-ids.js';
import { JOBS } from '../../queues/names.js';
import type { PlanLine } from '../../services/runs/types.js';
import { AS_OF, EXPECTED, VERDICT_POLICY, verdictFixture } from './verdict-fixture.js';
import {
  requireSlapd,
  SERVICE_DN,
  SERVICE_PASSWORD,
  startSlapd,
  USERS_DN,
  type AdUser,
  type Slapd,
} from '../support/slapd.js';
import { approveRun } from '../../services/pipeline/finish-run.js';
import { queueApply } from '../../workers/run-control.js';
import { planByName, runToEnd, simUser, startStack, waitForRun, type Stack } from '../support/stack.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

/*
 * The LDAP source through the whole product: the simulated Jira of the verdict fixture, its
 * leavers in a real slapd — frank and ken have no account there, grace's is disabled
 * (userAccountControl 514), everyone else's is enabled.
 */

const FIXTURE = verdictFixture();
const FIXTURE_USERS = FIXTURE.users ?? [];
const LEAVERS = ['frank', 'grace', 'ken'];
const TRACKING = 'jira-inactive-users';
const OPEN_BRAKE = { maxActions: 1000, maxPercentOfUsers: 100 };

/** The fixture's Jira users as AD accounts, by username and e-mail; `filler` accounts no Jira user has. */
function directoryUsers(filler = 0): AdUser[] {
  return [
    ...FIXTURE_USERS.filter((u) => u.name !== 'frank' && u.name !== 'ken').map((u) => ({
      sAMAccountName: u.name,
      ...(u.emailAddress !== undefined ? { mail: u.emailAddress } : {}),
      userAccountControl: u.name === 'grace' ? 514 : 512,
    })),
    ...Array.from({ length: filler }, (_, i) => ({
      sAMAccountName: `filler${String(i).padStart(5, '0')}`,
      userAccountControl: 512,
    })),
  ];
}

function ldapSource(port: number, extra: Record<string, unknown> = {}) {
  return {
    type: 'ldap',
    name: 'corp-ad',
    url: `ldap://127.0.0.1:${port}`,
    bindDN: SERVICE_DN,
    bindPassword: SERVICE_PASSWORD,
    baseDN: USERS_DN,
    timeoutMs: 5000,
    ...extra,
  };
}

function namesWith(plan: Map<string, PlanLine>, verdict: string): string[] {
  return [...plan.values()]
    .filter((line) => line.verdict === verdict)
    .map((line) => line.name)
    .sort();
}

describe('an LDAP directory through the whole stack (real slapd)', function () {
  this.timeout(120_000);
  let slapd: Slapd | undefined;
  let proxy: TcpProxy | undefined;
  let stack: Stack | undefined;

  before(function () {
    requireSlapd(this);
  });
  afterEach(async () => {
    await stack?.close();
    await proxy?.close();
    await slapd?.stop();
    stack = proxy = slapd = undefined;
  });

  it('an LDAP server killed in the middle of the listing makes nobody left-company', async () => {
    slapd = await startSlapd({ users: directoryUsers(3000) });
    proxy = await startTcpProxy(slapd.port);
    stack = await startStack({
      sim: { fixture: FIXTURE },
      scim: false,
      config: {
        policy: VERDICT_POLICY,
        directories: { maxAbsentPercent: 20, sources: [ldapSource(proxy.port, { pageSize: 500 })] },
      },
    });

    // The same run with the server up finds the three leavers: the directory decides here.
    const control = await runToEnd(stack, { asOf: AS_OF });
    assert.equal(control.status, 'done', control.statusReason);
    assert.deepEqual(namesWith(await planByName(stack.app, control.id), 'left-company'), LEAVERS);

    // Killed once the first page is partly sent (the bind's answer is a few bytes).
    let killed = false;
    proxy.armAfter(4096, () => {
      killed = true;
      slapd!.kill();
    });
    const run = await runToEnd(stack, { asOf: AS_OF });
    assert.ok(killed, 'slapd was killed during the listing');
    assert.equal(run.status, 'done', run.statusReason);
    const plan = await planByName(stack.app, run.id);
    assert.deepEqual(namesWith(plan, 'left-company'), []);
    assert.equal(plan.size, FIXTURE_USERS.length);
    const [source] = run.directories ?? [];
    assert.equal(source?.source, 'corp-ad');
    assert.equal(source?.trusted, false);
    assert.match(
      source?.reason ?? '',
      /^corp-ad: search under ou=users,dc=corp,dc=example on ldap:\/\/127\.0\.0\.1:\d+ failed/,
    );
    for (const name of LEAVERS) {
      const reasons = plan.get(name)!.reasons.map((r) => r.rule);
      assert.ok(
        reasons.includes('status in corp-ad unknown, so not treated as a leaver'),
        `${name}: ${reasons.join('; ')}`,
      );
    }
  });

  it('an apply run matched by e-mail offboards exactly the leavers, and undo restores them', async () => {
    slapd = await startSlapd({ users: directoryUsers() });
    stack = await startStack({
      sim: { fixture: FIXTURE },
      scim: false,
      config: {
        policy: VERDICT_POLICY,
        brake: OPEN_BRAKE,
        directories: { maxAbsentPercent: 20, sources: [ldapSource(slapd.port, { match: 'email' })] },
      },
    });
    const names = FIXTURE_USERS.map((u) => u.name);
    const stateByKey = async () => {
      const state = new Map<string, { name: string; active: boolean; groups: string[] }>();
      for (const name of names.flatMap((n) => [n, `${n}_inactive_20261129`])) {
        const user = await simUser(stack!.sim, name).catch(() => undefined);
        if (user)
          state.set(user.key, { name: user.name, active: user.active, groups: [...user.groups].sort() });
      }
      return state;
    };
    const before = await stateByKey();

    const run = await runToEnd(stack, { mode: 'apply', asOf: AS_OF });
    assert.equal(run.status, 'done', run.statusReason);
    const plan = await planByName(stack.app, run.id);
    assert.deepEqual(namesWith(plan, 'left-company'), LEAVERS);
    for (const [name, expected] of Object.entries(EXPECTED))
      assert.equal(plan.get(name)?.verdict, expected.verdict, name);
    assert.deepEqual(
      plan.get('grace')!.reasons.find((r) => r.signal === 'directory'),
      { signal: 'directory', rule: 'disabled in corp-ad', value: 'userAccountControl=514' },
    );
    assert.deepEqual(
      plan.get('frank')!.reasons.find((r) => r.signal === 'directory'),
      { signal: 'directory', rule: 'not found in corp-ad' },
    );
    const [source] = run.directories ?? [];
    assert.equal(source?.trusted, true, source?.summary);

    // Licence, groups, deactivation, rename and the tracking group; staff untouched.
    const frank = await simUser(stack.sim, 'frank_inactive_20261129');
    assert.deepEqual([frank.active, [...frank.groups].sort()], [false, [TRACKING, 'staff']]);
    const grace = await simUser(stack.sim, 'grace_inactive_20261129');
    assert.deepEqual([grace.active, [...grace.groups].sort()], [false, [TRACKING]]);
    // ken is in Jira's read-only LDAP directory: licence and groups taken, the rest refused.
    const ken = await simUser(stack.sim, 'ken');
    assert.deepEqual([ken.active, [...ken.groups].sort()], [true, [TRACKING]]);
    for (const name of ['alice', 'dave', 'erin', 'svc-bot', 'heidi', 'mallory', 'nina'])
      assert.equal((await simUser(stack.sim, name)).mutations, 0, `${name} was not to be touched`);
    // The re-check before the first change asked the directory again, by e-mail: nobody skipped.
    const audited = [];
    for await (const entry of stack.app.audit.stream({ runId: run.id })) audited.push(entry);
    const leaverSkips = audited.filter((e) => LEAVERS.includes(e.user.name) && e.outcome === 'skipped');
    assert.deepEqual(leaverSkips, []);

    await stack.app.registry.add(JOBS.undoRun, { runId: run.id, actor: 'test' }, jobIds.undoRun(run.id));
    const undoJob = await stack.app.registry.queue('undo').getJob(jobIds.undoRun(run.id));
    for (let i = 0; i < 200 && !(await undoJob!.isCompleted()); i++)
      await new Promise((r) => setTimeout(r, 100));
    assert.ok(await undoJob!.isCompleted(), `undo did not complete: ${await undoJob!.getState()}`);
    assert.deepEqual(await stateByKey(), before, 'every user is back to the exact state before');
  });

  it('a leaver re-enabled in the directory after the plan is skipped by the apply re-check', async () => {
    slapd = await startSlapd({ users: directoryUsers() });
    // Held by the brake after the plan: grace is re-enabled in the directory before approval.
    stack = await startStack({
      sim: { fixture: FIXTURE },
      scim: false,
      config: {
        policy: VERDICT_POLICY,
        brake: { maxActions: 0, maxPercentOfUsers: 100 },
        directories: { maxAbsentPercent: 20, sources: [ldapSource(slapd.port)] },
      },
    });
    const held = await runToEnd(stack, { mode: 'apply', asOf: AS_OF });
    assert.equal(held.status, 'awaiting-approval', held.statusReason);
    const graceIndex = directoryUsers().findIndex((u) => u.sAMAccountName === 'grace');
    await slapd.modify(
      `dn: ${slapd.userDN(graceIndex)}\nchangetype: modify\nreplace: userAccountControl\nuserAccountControl: 512\n`,
    );
    assert.ok(
      await approveRun(
        { runs: stack.app.runs, lifecycle: stack.app.lifecycle, startApply: queueApply(stack.app) },
        held.id,
        'test',
      ),
    );
    const done = await waitForRun(stack.app, held.id);
    assert.equal(done.status, 'done', done.statusReason);
    const grace = await simUser(stack.sim, 'grace');
    assert.equal(grace.mutations, 0, 'grace, active again in the directory, was not touched');
    const skipped = [];
    for await (const entry of stack.app.audit.stream({ runId: held.id }))
      if (entry.user.name === 'grace') skipped.push(entry);
    assert.match(skipped[0]?.reason ?? '', /now active in corp-ad \(userAccountControl=512\)/);
    assert.equal((await simUser(stack.sim, 'frank_inactive_20261129')).active, false);
  });
});
