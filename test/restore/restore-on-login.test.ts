import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiApp } from '../../api/app.js';
import { jobIds } from '../../queues/job-ids.js';
import { JOBS } from '../../queues/names.js';
import type { AuditEntry } from '../../services/audit/types.js';
import { signLoginEvent } from '../../services/restore/login-signature.js';
import type { RestoreRequest } from '../../services/restore/restore-ledger.js';
import { restoreLedger } from '../../workers/restore.js';
import { spawnReclaim, writeConfigFile } from '../support/child.js';
import { startTestSmtp } from '../support/smtp.js';
import { runToEnd, simHook, simUser, stackConfig, startStack, type Stack } from '../support/stack.js';
import { GROUPS_BEFORE, OPEN_BRAKE, POLICY, restoreFixture } from './restore-fixture.js';

const SECRET = 'login-webhook-secret-0123456789';
const OPERATOR = 'operator-token-0123456789';
const VIEWER = 'viewer-token-0123456789';

async function waitUntil<T>(what: string, probe: () => Promise<T | undefined | null | false>, ms = 30_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

const LICENCE_GROUP = /^jira-(software|servicedesk)-users$/;
const sorted = (groups: readonly string[]) => [...groups].sort();

describe('restore on login', function () {
  this.timeout(150_000);
  let stack: Stack | undefined;
  let server: Server | undefined;
  let cleanups: Array<() => void> = [];

  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
    await stack?.close();
    stack = undefined;
    for (const cleanup of cleanups) cleanup();
    cleanups = [];
  });

  const config = (restore: Record<string, unknown> = {}) => ({
    policy: POLICY,
    brake: OPEN_BRAKE,
    restore: { pollMinutes: 0.02, seatRetrySeconds: 1, ...restore },
    api: {
      loginWebhookSecret: SECRET,
      tokens: [
        { name: 'ops', token: OPERATOR, role: 'operator' },
        { name: 'dashboards', token: VIEWER, role: 'viewer' },
      ],
    },
  });

  async function start(
    options: {
      seats?: { software?: number };
      restore?: Record<string, unknown>;
      workers?: boolean;
      scim?: boolean;
      extra?: Record<string, unknown>;
    } = {},
  ) {
    stack = await startStack({
      sim: { fixture: restoreFixture(options.seats) },
      scim: options.scim ?? false,
      workers: options.workers ?? true,
      config: { ...config(options.restore), ...options.extra },
    });
    return stack;
  }

  async function reclaim(s: Stack) {
    const run = await runToEnd(s, { mode: 'apply' });
    assert.equal(run.status, 'done', run.statusReason);
    for (const name of Object.keys(GROUPS_BEFORE)) {
      const user = await simUser(s.sim, name);
      assert.ok(
        !user.groups.some((group) => LICENCE_GROUP.test(group)),
        `${name} lost the licence: ${user.groups.join(', ')}`,
      );
      assert.ok(user.groups.includes('jira-inactive-users'), `${name} is in the tracking group`);
    }
    return run;
  }

  const entriesOf = async (s: Stack, userKey: string) => {
    const entries: AuditEntry[] = [];
    for await (const entry of s.app.audit.stream({ userKey })) entries.push(entry);
    return entries;
  };

  const restoredGroups = (s: Stack, name: string) =>
    waitUntil(`${name}'s groups back`, async () => {
      const user = await simUser(s.sim, name);
      return sorted(user.groups).join() === sorted(GROUPS_BEFORE[name]!).join() ? user : undefined;
    });

  async function listen(s: Stack): Promise<string> {
    server = createApiApp(s.app).listen(0, '127.0.0.1');
    await new Promise((resolve) => server!.once('listening', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('gives back exactly what the reclaim took within one poll of a login, audited and undoable', async () => {
    const s = await start();
    const run = await reclaim(s);
    const bobKey = (await simUser(s.sim, 'bob')).key;
    const untouched = await simUser(s.sim, 'carl');

    // bob (Jira Software) and sam (a Service Management agent) log in again.
    await simHook(s.sim, '/__sim/users/bob/login');
    await simHook(s.sim, '/__sim/users/sam/login');
    const bob = await restoredGroups(s, 'bob');
    await restoredGroups(s, 'sam');
    assert.equal(bob.active, true);
    // carl did not log in: he stays reclaimed.
    assert.deepEqual(sorted((await simUser(s.sim, 'carl')).groups), sorted(untouched.groups));

    const entries = await entriesOf(s, bobKey);
    const restore = await waitUntil('the restore audited', async () =>
      (await entriesOf(s, bobKey)).find((entry) => entry.action === 'restore'),
    );
    assert.equal(restore.outcome, 'done');
    assert.equal(restore.actor, 'restore-poll');
    const byGroup = (a: { op: string }, b: { op: string }) => a.op.localeCompare(b.op);
    assert.deepEqual([...restore.changes].sort(byGroup), [
      { op: 'add-group', group: 'jira-software-users' },
      { op: 'remove-group', group: 'jira-inactive-users' },
    ]);
    assert.ok(
      restore.notes?.some((note) => note.includes(run.id)),
      'the entry names the run it reverses',
    );
    assert.ok(entries.some((entry) => entry.runId === run.id && entry.action === 'revoke-license'));
    // The ledger row is settled after the audit entry is written.
    const request = await waitUntil('the ledger row settled', async () => {
      const row = await restoreLedger(s.app).get(restore.actionId);
      return row?.state === 'done' ? row : undefined;
    });
    assert.equal(request.state, 'done');
    assert.equal(request.trigger, 'poll');
    assert.equal(request.auditEntry, restore.id);

    // Another poll, another login: nothing is given twice.
    await simHook(s.sim, '/__sim/users/bob/login');
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    assert.equal((await entriesOf(s, bobKey)).filter((entry) => entry.action === 'restore').length, 1);

    // The restore is undone like any action: bob is back where the reclaim left him.
    await s.app.registry.add(
      JOBS.undoAction,
      { actionId: restore.actionId, actor: 'test' },
      jobIds.undoAction(restore.actionId),
    );
    await waitUntil('the restore undone', async () => {
      const groups = (await simUser(s.sim, 'bob')).groups;
      return !groups.includes('jira-software-users') && groups.includes('jira-inactive-users');
    });
    const undo = await waitUntil('the undo audited', async () =>
      (await entriesOf(s, bobKey)).find((entry) => entry.action === 'undo:restore'),
    );
    assert.equal(undo.outcome, 'done');
    assert.equal((await s.app.audit.verify()).ok, true);
  });

  it('restores on a signed login event; a bad signature, an old timestamp and a replay get 401 and nothing', async () => {
    // The poll is far off: only the webhook can tell of the login.
    const s = await start({ restore: { pollMinutes: 600 } });
    await reclaim(s);
    const base = await listen(s);
    const post = (body: string, signature: string | undefined) =>
      fetch(`${base}/api/events/login`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...(signature === undefined ? {} : { 'X-Reclaim-Signature': signature }),
        },
        body,
      });
    const body = JSON.stringify({ username: 'bob', at: new Date().toISOString() });

    const refused = [
      await post(body, undefined),
      await post(body, signLoginEvent('another-secret-0123456789', body)),
      await post(body, signLoginEvent(SECRET, `${body} `)),
      await post(body, signLoginEvent(SECRET, body, Math.floor(Date.now() / 1000) - 6 * 60)),
    ];
    for (const response of refused) {
      assert.equal(response.status, 401, await response.text());
    }
    const signature = signLoginEvent(SECRET, body);
    const accepted = await post(body, signature);
    assert.equal(accepted.status, 202);
    const outcome = (await accepted.json()) as { queued: string; requestId: string };
    assert.equal(outcome.queued, 'restore');
    const replay = await post(body, signature);
    assert.equal(replay.status, 401);
    assert.match(((await replay.json()) as { error: { message: string } }).error.message, /replay/);

    await restoredGroups(s, 'bob');
    const request = (await restoreLedger(s.app).get(outcome.requestId))!;
    assert.equal(request.trigger, 'webhook');
    await waitUntil('the request settled', async () =>
      (await restoreLedger(s.app).get(outcome.requestId))?.state === 'done' ? true : undefined,
    );
    // Only bob asked: nobody else got anything back.
    for (const name of ['sam', 'carl', 'dora']) {
      assert.ok(!(await simUser(s.sim, name)).groups.some((group) => LICENCE_GROUP.test(group)), name);
    }
  });

  it('refused login events queue nothing', async () => {
    const s = await start({ restore: { pollMinutes: 600 } });
    await reclaim(s);
    const base = await listen(s);
    const body = JSON.stringify({ username: 'bob', at: new Date().toISOString() });
    const send = (signature: string) =>
      fetch(`${base}/api/events/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Reclaim-Signature': signature },
        body,
      });
    const good = signLoginEvent(SECRET, body);
    const tampered = good.replace(/v1=(.)/, (_m, c: string) => `v1=${c === 'a' ? 'b' : 'a'}`);
    assert.equal((await send(tampered)).status, 401);
    assert.equal((await send(signLoginEvent(SECRET, body, Math.floor(Date.now() / 1000) - 301))).status, 401);
    assert.equal((await send('t=abc,v1=zz')).status, 401);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const bob = await simUser(s.sim, 'bob');
    assert.ok(!bob.groups.includes('jira-software-users'), 'bob got nothing back');
    assert.equal((await restoreLedger(s.app).ofUser(bob.key)).length, 0, 'no restore was asked for');
    const jobs = await s.app.registry.queue('restore').getJobs(['waiting', 'delayed', 'active', 'completed']);
    assert.deepEqual(
      jobs.filter((job) => job.name !== JOBS.pollLogins).map((job) => job.id),
      [],
      'nothing was queued',
    );
  });

  it('never takes a seat that is not free: waits, alerts the admins once, and goes through oldest first', async () => {
    // The admins' alerts arrive by mail, at a real SMTP server.
    const smtp = await startTestSmtp();
    const seatAlerts = () =>
      smtp.messages.filter((mail) => /waits for a free jira-software seat/.test(mail.subject));
    try {
      const s = await start({
        extra: { notify: { smtpUrl: smtp.url, admins: ['jira-admins@example.com'] } },
      });
      await reclaim(s);
      // Nobody may take a Jira Software seat: the licence is exactly used up.
      const capped = (await postSeats(s, 'jira-software', 0)) as { userCount: number };
      await postSeats(s, 'jira-software', capped.userCount);
      const ledger = restoreLedger(s.app);

      await simHook(s.sim, '/__sim/users/bob/login');
      const bobWaits = await waitUntil('bob waiting', async () =>
        (await ledger.ofUser((await simUser(s.sim, 'bob')).key)).find((r) => r.state === 'waiting'),
      );
      await simHook(s.sim, '/__sim/users/carl/login');
      const carlWaits = await waitUntil('carl waiting', async () =>
        (await ledger.ofUser((await simUser(s.sim, 'carl')).key)).find((r) => r.state === 'waiting'),
      );
      // sam needs a Service Management seat, which is free: he does not wait for the others.
      await simHook(s.sim, '/__sim/users/sam/login');
      await restoredGroups(s, 'sam');
      // Retried every second for a while, still waiting, and one alert only.
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      assert.equal((await ledger.get(bobWaits.id))!.state, 'waiting');
      assert.ok(!(await simUser(s.sim, 'bob')).groups.includes('jira-software-users'));
      assert.deepEqual(bobWaits.detail.applications, ['jira-software']);
      await waitUntil('the seat alert mail', async () => seatAlerts().length > 0 || undefined);
      assert.equal(seatAlerts().length, 1, smtp.messages.map((mail) => mail.subject).join('\n'));
      assert.deepEqual(seatAlerts()[0]!.to, ['jira-admins@example.com']);
      assert.match(seatAlerts()[0]!.text, /jira-software/);

      // One seat frees: the older request (bob's) takes it, carl still waits.
      await postSeats(s, 'jira-software', capped.userCount + 1);
      await restoredGroups(s, 'bob');
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      assert.equal((await ledger.get(carlWaits.id))!.state, 'waiting');
      assert.ok(!(await simUser(s.sim, 'carl')).groups.includes('jira-software-users'));
      // Another: carl's turn.
      await postSeats(s, 'jira-software', capped.userCount + 2);
      await restoredGroups(s, 'carl');
      const role = (await postSeats(s, 'jira-software', capped.userCount + 2)) as { remainingSeats: number };
      assert.equal(role.remainingSeats, 0, 'the seats were never exceeded');
      assert.equal(seatAlerts().length, 1, 'one alert for the whole wait');
    } finally {
      await smtp.stop();
    }
  });

  it('grants the default group to a user who logs in without a licence (grantOnLogin), under the cap', async () => {
    const s = await start({ restore: { grantOnLogin: ['jira-software'] } });
    const ledger = restoreLedger(s.app);
    // The first poll only marks the time: logins before it are not grants.
    await waitUntil('the first poll', async () => (await ledger.cursor('poll-at')) !== null);
    const capped = (await postSeats(s, 'jira-software', 0)) as { userCount: number };
    await postSeats(s, 'jira-software', capped.userCount);
    await simHook(s.sim, '/__sim/users/gina/login');
    const ginaKey = (await simUser(s.sim, 'gina')).key;
    const waiting = await waitUntil('the grant waiting for a seat', async () =>
      (await ledger.ofUser(ginaKey)).find((request) => request.state === 'waiting'),
    );
    assert.equal(waiting.kind, 'grant');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    assert.deepEqual((await simUser(s.sim, 'gina')).groups, ['staff'], 'no seat, no licence');
    await postSeats(s, 'jira-software', capped.userCount + 1);
    const gina = await waitUntil('gina licensed', async () => {
      const user = await simUser(s.sim, 'gina');
      return user.groups.includes('jira-software-users') ? user : undefined;
    });
    assert.deepEqual(sorted(gina.groups), ['jira-software-users', 'staff']);
    const grant = await waitUntil('the grant audited', async () =>
      (await entriesOf(s, gina.key)).find((entry) => entry.action === 'grant'),
    );
    assert.equal(grant.outcome, 'done');
    assert.deepEqual(grant.changes, [{ op: 'add-group', group: 'jira-software-users' }]);
    // alice logged in long before and holds a licence: nothing happens to her.
    assert.equal((await simUser(s.sim, 'alice')).mutations, 0);
  });

  it('a leaver the reclaim deactivated is not restored by a login, and on request gets everything back', async () => {
    const s = await start({
      scim: true,
      restore: { pollMinutes: 600 },
      extra: { policy: { ...POLICY, rename: { enabled: true } }, directories: { maxAbsentPercent: 50 } },
    });
    const run = await runToEnd(s, { mode: 'apply' });
    assert.equal(run.status, 'done', run.statusReason);
    const stamp = new Date().toISOString().slice(0, 10).replaceAll('-', '');
    const renamed = `frank_inactive_${stamp}`;
    const reclaimed = await simUser(s.sim, renamed);
    assert.equal(reclaimed.active, false);
    // The licence and the access groups taken, the account deactivated and renamed.
    assert.deepEqual(reclaimed.groups, ['jira-inactive-users']);

    const base = await listen(s);
    const body = JSON.stringify({ key: reclaimed.key, at: new Date().toISOString() });
    const event = await fetch(`${base}/api/events/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Reclaim-Signature': signLoginEvent(SECRET, body) },
      body,
    });
    assert.equal(event.status, 202);
    const outcome = (await event.json()) as { queued: null; reason: string };
    assert.equal(outcome.queued, null);
    assert.match(outcome.reason, /deactivated the account: restore it on request/);

    const accepted = await fetch(`${base}/api/users/${renamed}/restore`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${OPERATOR}` },
    });
    assert.equal(accepted.status, 202, await accepted.clone().text());
    const frank = await waitUntil('frank back', async () => {
      const user = await simUser(s.sim, 'frank').catch(() => undefined);
      return user?.active ? user : undefined;
    });
    assert.equal(frank.key, reclaimed.key);
    assert.deepEqual(sorted(frank.groups), ['jira-software-users', 'staff']);
    // The audit entry follows Jira's change: wait for it rather than read it at once.
    const restore = await waitUntil('the restore audited', async () =>
      (await entriesOf(s, frank.key)).find((entry) => entry.action === 'restore'),
    );
    assert.equal(restore.outcome, 'done');
    assert.ok(
      restore.changes.some((change) => change.op === 'update' && change.field === 'active' && change.to),
    );
  });

  it('restores on request, from the API (operator) and the CLI', async () => {
    const s = await start({ restore: { pollMinutes: 600 } });
    await reclaim(s);
    const base = await listen(s);
    const restore = (name: string, token: string) =>
      fetch(`${base}/api/users/${encodeURIComponent(name)}/restore`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}` },
      });
    assert.equal((await restore('bob', VIEWER)).status, 403);
    assert.equal((await restore('alice', OPERATOR)).status, 409, 'nothing was reclaimed from alice');
    assert.equal((await restore('nobody-here', OPERATOR)).status, 404);
    const accepted = await restore('bob', OPERATOR);
    assert.equal(accepted.status, 202);
    const { requestId } = (await accepted.json()) as { requestId: string };
    await restoredGroups(s, 'bob');
    const request = await waitUntil('the request done', async () => {
      const response = await fetch(`${base}/api/restores/${requestId}`, {
        headers: { Authorization: `Bearer ${VIEWER}` },
      });
      const body = (await response.json()) as RestoreRequest;
      return body.state === 'done' ? body : undefined;
    });
    assert.equal(request.trigger, 'api');
    assert.ok(request.auditEntry);

    const file = writeConfigFile(stackConfig(s.sim, s.prefix, config({ pollMinutes: 600 }), false));
    cleanups.push(() => file.remove());
    const child = spawnReclaim(['--config', file.file, 'restore', 'sam'], { REDIS_URL: '' });
    const exit = await child.exited;
    assert.equal(exit.code, 0, child.output());
    assert.match(child.output(), /restore rst-\S+ for sam: done/);
    await restoredGroups(s, 'sam');
  });
});

async function postSeats(s: Stack, key: string, numberOfSeats: number): Promise<unknown> {
  const response = await fetch(`${s.sim.url}/__sim/application-roles/${key}/seats`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ numberOfSeats }),
  });
  assert.equal(response.status, 200, await response.clone().text());
  return response.json();
}
