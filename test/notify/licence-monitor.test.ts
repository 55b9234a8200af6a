import assert from 'node:assert/strict';
import type { Express } from 'express';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { createApiApp } from '../../api/app.js';
import { JOBS, QUEUES } from '../../queues/names.js';
import type { FixtureInput } from '../../simulator/index.js';
import { LicenceHistory } from '../../services/licences/licence-history.js';
import { checkLicences } from '../../services/licences/licence-monitor.js';
import type { AdminAlert } from '../../services/notify/admin-alerts.js';
import { killAll, spawnReclaim, writeConfigFile, type ReclaimProcess } from '../support/child.js';
import { startTestSmtp, type TestSmtp } from '../support/smtp.js';
import { stackConfig, startStack, type Stack } from '../support/stack.js';

const SOFTWARE = 'jira-software-users';
const ADMINS = ['jira-admins@example.com'];
const VIEWER = 'viewer-token-0123456789';

/** Jira Software with 10 seats, 8 taken; Service Management unlimited with 2 agents. */
function seatsFixture(): FixtureInput {
  const users = Array.from({ length: 12 }, (_, i) => ({
    name: `user${i + 1}`,
    key: `JIRAUSER${20000 + i}`,
    displayName: `User ${i + 1}`,
    emailAddress: `user${i + 1}@example.com`,
    active: true,
    directoryId: 1,
    groups: i < 8 ? [SOFTWARE] : i < 10 ? ['jira-servicedesk-users'] : [],
    lastLoginTime: '2026-11-01T08:00:00Z',
  }));
  return {
    profile: 'dc11',
    applicationRoles: [
      {
        key: 'jira-software',
        name: 'Jira Software',
        groups: [SOFTWARE],
        defaultGroups: [SOFTWARE],
        numberOfSeats: 10,
      },
      {
        key: 'jira-servicedesk',
        name: 'Jira Service Management',
        groups: ['jira-servicedesk-users'],
        defaultGroups: ['jira-servicedesk-users'],
        numberOfSeats: -1,
      },
    ],
    directories: [{ id: 1, name: 'Jira Internal Directory', readOnly: false }],
    groups: [SOFTWARE, 'jira-servicedesk-users', 'jira-administrators'],
    users,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the licence monitor', function () {
  this.timeout(180_000);
  let smtp: TestSmtp;
  let stack: Stack;
  let api: Express;
  const processes: ReclaimProcess[] = [];
  const extra = (url: string) => ({
    jira: { applications: ['jira-software', 'jira-servicedesk', 'jira-core'] },
    license: { alertAtPercent: 90, alertCooldownHours: 24 },
    notify: { smtpUrl: url, admins: ADMINS },
    api: { tokens: [{ name: 'dashboards', token: VIEWER, role: 'viewer' }] },
  });

  before(async () => {
    smtp = await startTestSmtp();
    stack = await startStack({ sim: { fixture: seatsFixture() }, scim: false, config: extra(smtp.url) });
    api = createApiApp(stack.app);
  });
  after(async () => {
    await killAll(processes);
    await stack?.close();
    await smtp?.stop();
  });

  /** One scheduled check, run by the workers like the job scheduler's. */
  async function check(n: number) {
    const id = `license-check-test-${n}`;
    await stack.app.registry.add(JOBS.licenseCheck, {}, id);
    const queue = stack.app.registry.queue(QUEUES.runControl);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const job = await queue.getJob(id);
      if (job && (await job.isCompleted()))
        return job.returnvalue as { alerted: string[]; missing: string[] };
      if (job && (await job.isFailed())) throw new Error(`check ${n} failed: ${job.failedReason}`);
      if (Date.now() > deadline) throw new Error(`check ${n} did not finish`);
      await sleep(50);
    }
  }

  const jira = () => stack.app.jira();

  it('usage crossing the threshold across ten checks sends exactly one alert mail', async () => {
    // 8, 9 (crosses 90%), 10, 9, 10, 10, 9, 9, 10, 9 of 10 seats.
    const changes: Array<(() => Promise<void>) | null> = [
      null,
      () => jira().grantApplication('user9', 'jira-software'),
      () => jira().grantApplication('user10', 'jira-software'),
      () => jira().revokeApplication('user10', 'jira-software'),
      () => jira().grantApplication('user11', 'jira-software'),
      null,
      () => jira().revokeApplication('user11', 'jira-software'),
      null,
      () => jira().grantApplication('user12', 'jira-software'),
      () => jira().revokeApplication('user12', 'jira-software'),
    ];
    const alertedAt: number[] = [];
    for (const [i, change] of changes.entries()) {
      await change?.();
      const result = await check(i + 1);
      assert.deepEqual(result.missing, ['jira-core'], 'a managed application this Jira lacks is named');
      if (result.alerted.length > 0) alertedAt.push(i + 1);
    }
    assert.deepEqual(alertedAt, [2], 'alerted at the crossing only');
    const [mail] = await smtp.waitFor(1);
    await sleep(2_000);
    assert.equal(smtp.messages.length, 1, smtp.messages.map((m) => m.subject).join('; '));
    assert.deepEqual(mail!.to, ADMINS);
    assert.equal(mail!.subject, 'Reclaim alert: jira-software at 90% of its seats');
    assert.match(mail!.text, /jira-software: 9 of 10 seats used \(90\.0%\), 1 remaining/);

    // Every check is in the history: seats, used and remaining per application.
    const history = await new LicenceHistory(stack.app.records).history({ application: 'jira-software' });
    assert.deepEqual(
      history.map((r) => r.used),
      [8, 9, 10, 9, 10, 10, 9, 9, 10, 9],
    );
    assert.ok(history.every((r) => r.seats === 10 && r.remaining === 10 - r.used));
    const desk = await new LicenceHistory(stack.app.records).history({ application: 'jira-servicedesk' });
    assert.equal(desk.length, 10);
    assert.ok(desk.every((r) => r.seats === null && r.used === 2 && r.remaining === null));
  });

  it('alerts again after usage fell below and crossed again, or after the cooldown', async () => {
    const sent: AdminAlert[] = [];
    let now = new Date(Date.now() + 3600_000);
    const deps = {
      applicationRoles: () => jira().applicationRoles(),
      applications: ['jira-software'],
      license: { alertAtPercent: 90, checkEveryMinutes: 15, alertCooldownHours: 24 },
      history: new LicenceHistory(stack.app.records),
      alerts: { send: async (alert: AdminAlert) => void sent.push(alert) },
      redis: stack.app.redis,
      prefix: `${stack.prefix}-cooldown`,
      now: () => now,
    };
    const step = async (hours: number) => {
      now = new Date(now.getTime() + hours * 3600_000);
      return (await checkLicences(deps)).alerted.length;
    };
    // 9 of 10 used (left so by the test before).
    assert.equal(await step(0), 1, 'above the threshold on the first check');
    assert.equal(await step(1), 0, 'still above, within the cooldown');
    assert.equal(await step(23), 1, 'still above after the 24-hour cooldown');
    await jira().revokeApplication('user9', 'jira-software');
    assert.equal(await step(1), 0, 'below the threshold');
    await jira().grantApplication('user9', 'jira-software');
    assert.equal(await step(1), 1, 'crossed again: alerted at once');
    assert.equal(sent.length, 3);
    assert.equal(new Set(sent.map((a) => a.id)).size, 3, 'each alert has an id of its own');
    // Rows older than 400 days go in the same check.
    const old = new Date(now.getTime() - 401 * 24 * 3600_000).toISOString();
    await deps.history.record([{ application: 'jira-software', at: old, seats: 10, used: 1 }]);
    const result = await checkLicences(deps);
    assert.equal(result.pruned, 1);
  });

  it('is scheduled every license.checkEveryMinutes, first one interval after start, and a restart keeps the next check', async () => {
    const queue = stack.app.registry.queue(QUEUES.runControl);
    const scheduler = await queue.getJobScheduler('license-check');
    assert.equal(scheduler?.every, 15 * 60_000);
    const next = async () =>
      (await queue.getDelayed())
        .filter((job) => job.name === JOBS.licenseCheck)
        .map((job) => job.timestamp + job.delay);
    const [due] = await next();
    assert.ok(due !== undefined && due > Date.now() + 10 * 60_000, 'not at start: one interval later');
    await stack.stopWorkers();
    await stack.startWorkers();
    assert.deepEqual(await next(), [due]);
  });

  it('reports current seats and the history over the API and the CLI, CSV cells kept safe', async () => {
    const auth = { Authorization: `Bearer ${VIEWER}` };
    const body = (await request(api).get('/api/reports/licenses?days=400').set(auth).expect(200)).body as {
      current: Array<{ application: string; seats: number | null; used: number; usedPercent: number | null }>;
      history: Array<{ application: string; used: number }>;
    };
    const software = body.current.find((c) => c.application === 'jira-software')!;
    assert.deepEqual([software.seats, software.used, software.usedPercent], [10, 9, 90]);
    const desk = body.current.find((c) => c.application === 'jira-servicedesk')!;
    assert.deepEqual([desk.seats, desk.usedPercent], [null, null]);
    assert.ok(body.history.filter((h) => h.application === 'jira-software').length >= 10);
    await request(api).get('/api/reports/licenses?days=0').set(auth).expect(400);
    const chart = await request(api).get('/api/reports/licenses.svg?days=400').set(auth).expect(200);
    assert.match(chart.headers['content-type'] ?? '', /^image\/svg\+xml/);
    const svg = chart.body instanceof Buffer ? chart.body.toString('utf8') : String(chart.text);
    const line = /<polyline data-application="jira-software"[^>]* points="([^"]+)"/.exec(svg);
    assert.ok(line, svg);
    assert.ok(line[1]!.split(' ').length >= 10, 'a point per check');
    assert.match(svg, />jira-software: 9 of 10 used</);
    assert.doesNotMatch(svg, /<script/);
    await request(api).get('/api/reports/licenses').expect(401);

    // An application key a spreadsheet would read as a formula.
    await new LicenceHistory(stack.app.records).record([
      { application: '=HYPERLINK("x")', at: new Date().toISOString(), seats: 1, used: 1 },
    ]);
    const csv = await request(api).get('/api/reports/licenses.csv').set(auth).expect(200);
    const rows = parse(csv.text, { columns: true }) as Array<Record<string, string>>;
    assert.deepEqual(Object.keys(rows[0]!), ['application', 'at', 'seats', 'used', 'remaining']);
    assert.ok(
      rows.some((r) => r.application === `'=HYPERLINK("x")`),
      'neutralised',
    );
    assert.ok(!rows.some((r) => r.application!.startsWith('=')));

    const config = writeConfigFile(stackConfig(stack.sim, stack.prefix, extra(smtp.url), false));
    try {
      const text = spawnReclaim(['report', 'licenses', '--config', config.file]);
      processes.push(text);
      assert.equal((await text.exited).code, 0, text.output());
      assert.match(text.output(), /^jira-software\t10\t9\t1\t90%\t/m);
      assert.match(text.output(), /^jira-servicedesk\tunlimited\t2\t-\t-\t/m);
      const asCsv = spawnReclaim(['report', 'licenses', '--csv', '--config', config.file]);
      processes.push(asCsv);
      assert.equal((await asCsv.exited).code, 0, asCsv.output());
      assert.match(asCsv.output(), /^application,at,seats,used,remaining$/m);
      assert.match(asCsv.output(), /^jira-software,[^,]+,10,9,1$/m);
    } finally {
      config.remove();
    }
  });
});
