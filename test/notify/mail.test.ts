import assert from 'node:assert/strict';
import { jobIds } from '../../queues/job-ids.js';
import { QUEUES } from '../../queues/names.js';
import { launchRun } from '../../runtime/launch-run.js';
import { AS_OF, EXPECTED, VERDICT_POLICY, verdictFixture } from '../pipeline/verdict-fixture.js';
import { startTestSmtp, type TestSmtp } from '../support/smtp.js';
import { runToEnd, simHook, startStack, type Stack } from '../support/stack.js';

const ADMINS = ['jira-admins@example.com', 'ops@example.com'];
const PUBLIC_URL = 'https://reclaim.example.com';
const OPEN_BRAKE = { maxActions: 1000, maxPercentOfUsers: 100 };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function expectedVerdictCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { verdict } of Object.values(EXPECTED)) counts.set(verdict, (counts.get(verdict) ?? 0) + 1);
  return counts;
}

async function waitForJob(stack: Stack, jobId: string, test: (state: string, attempts: number) => boolean) {
  const queue = stack.app.registry.queue(QUEUES.notify);
  const deadline = Date.now() + 60_000;
  for (;;) {
    // The state first, then the job: a job read before its state could be older than it.
    const state = await queue.getJobState(jobId);
    const job = await queue.getJob(jobId);
    if (job && test(state, job.attemptsMade)) return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${state}`);
    await sleep(100);
  }
}

describe('mail through the notify queue, to a real SMTP server', function () {
  this.timeout(180_000);
  let smtp: TestSmtp;
  let stack: Stack;

  before(async () => {
    smtp = await startTestSmtp();
    stack = await startStack({
      sim: { fixture: verdictFixture() },
      config: {
        policy: VERDICT_POLICY,
        directories: { maxAbsentPercent: 20 },
        brake: OPEN_BRAKE,
        notify: {
          smtpUrl: smtp.url,
          from: 'reclaim@corp.example',
          admins: ADMINS,
          publicUrl: PUBLIC_URL,
          noticeToOffboarded: true,
        },
      },
    });
  });
  after(async () => {
    await stack?.close();
    await smtp?.stop();
  });
  beforeEach(() => {
    smtp.messages.length = 0;
  });

  it('sends a dry run’s summary to the admins, and nothing else', async () => {
    const run = await runToEnd(stack, { mode: 'dry-run', asOf: AS_OF });
    assert.equal(run.status, 'done', run.statusReason);
    const [mail] = await smtp.waitFor(1);
    assert.deepEqual(mail!.to.sort(), [...ADMINS].sort());
    assert.equal(mail!.from, 'reclaim@corp.example');
    assert.equal(mail!.subject, `Reclaim run ${run.id} (dry-run): done`);
    assert.equal(mail!.headers['x-reclaim-message'], jobIds.mailRunSummary(run.id));
    for (const [verdict, count] of expectedVerdictCounts()) {
      assert.ok(mail!.text.includes(`  ${verdict}: ${count}\n`), `${verdict}: ${count} in\n${mail!.text}`);
      assert.ok(mail!.html.includes(`<li>${verdict}: ${count}</li>`), `${verdict} in the HTML part`);
    }
    // bob, carol, frank, ivan, ken and zoë hold jira-software; grace service desk; zoë core.
    assert.match(
      mail!.text,
      /Licences that would be freed per application:\n {2}jira-software: 6\n {2}jira-servicedesk: 1\n {2}jira-core: 1\n/,
    );
    const planUrl = `${PUBLIC_URL}/api/runs/${run.id}/plan`;
    assert.ok(mail!.text.includes(`Plan: ${planUrl}`), mail!.text);
    assert.ok(mail!.html.includes(`<a href="${planUrl}">`), mail!.html);
    assert.match(mail!.text, /Actions failed:\n {2}none \(a dry run changes nothing\)/);
    // No warning, notice or second copy follows.
    await sleep(2_000);
    assert.equal(smtp.messages.length, 1, smtp.messages.map((m) => m.subject).join('; '));
  });

  it('after an apply run: the summary names the failed action and its reason; each leaver gets a notice', async () => {
    // Every change to bob is refused, as a Jira that rejects the request does.
    await simHook(stack.sim, '/__sim/users/bob/fail-changes', { after: 0, status: 400 });
    const run = await runToEnd(stack, { mode: 'apply', asOf: AS_OF }, 120_000);
    assert.equal(run.status, 'done', run.statusReason);
    assert.ok(run.counters.actionsFailed >= 1, JSON.stringify(run.counters));
    // The summary, and a notice to each of the three leavers (frank, grace, ken).
    const mails = await smtp.waitFor(4);
    await sleep(2_000);
    assert.equal(smtp.messages.length, 4, smtp.messages.map((m) => `${m.to}: ${m.subject}`).join('\n'));
    const summary = mails.find((m) => m.subject.startsWith(`Reclaim run ${run.id}`))!;
    assert.ok(summary, 'the summary came');
    assert.deepEqual(summary.to.sort(), [...ADMINS].sort());
    assert.equal(summary.subject, `Reclaim run ${run.id} (apply): done`);
    assert.match(summary.text, /Licences freed per application:/);
    const failed = /Actions failed:\n((?: {2}.*\n)+)/.exec(summary.text)?.[1] ?? '';
    assert.match(failed, /Injected fault/, summary.text);
    const notices = mails.filter((m) => m !== summary);
    assert.deepEqual(notices.map((m) => m.to.join(',')).sort(), [
      'frank@example.com',
      'grace@example.com',
      'ken@example.com',
    ]);
    for (const notice of notices) {
      const name = notice.to[0]!.split('@')[0]!;
      assert.equal(notice.subject, 'Your Jira access has been removed');
      assert.ok(notice.text.includes(`your Jira account ${name} no longer has access`), notice.text);
      assert.ok(notice.html.includes(`your Jira account ${name} no longer has access`), notice.html);
    }
    await simHook(stack.sim, '/__sim/users/bob/fail-changes', { status: null });
  });

  it('a cancelled run’s summary goes out too, once however often it is cancelled', async () => {
    const run = await launchRun(stack.app, {
      mode: 'dry-run',
      asOf: AS_OF,
      trigger: { type: 'cli', by: 'test' },
    });
    assert.equal(await stack.app.lifecycle.cancel(run.id, 'cancelled by test'), true);
    assert.equal(await stack.app.lifecycle.cancel(run.id, 'cancelled again'), false);
    const [mail] = await smtp.waitFor(1);
    assert.equal(mail!.subject, `Reclaim run ${run.id} (dry-run): cancelled`);
    assert.match(mail!.text, /^cancelled by test$/m);
    await sleep(2_000);
    assert.equal(smtp.messages.length, 1);
  });

  it('delivers an alert sent twice (same id) once', async () => {
    const alert = {
      id: 'test-alert-1',
      kind: 'licence-threshold',
      subject: 'seats <low>',
      text: 'only 2 left',
    };
    await stack.app.alerts.send(alert);
    await stack.app.alerts.send(alert);
    const [mail] = await smtp.waitFor(1);
    assert.deepEqual(mail!.to.sort(), [...ADMINS].sort());
    assert.equal(mail!.subject, 'Reclaim alert: seats <low>');
    assert.match(mail!.text, /only 2 left/);
    assert.ok(mail!.html.includes('seats &lt;low&gt;'), 'escaped in the HTML part');
    await waitForJob(stack, jobIds.mailAlert(alert.id), (state) => state === 'completed');
    await sleep(1_000);
    assert.equal(smtp.messages.length, 1);
  });

  it('a message queued again after it went out is not sent again', async () => {
    const alert = { id: 'test-alert-2', kind: 'test', subject: 'once', text: 'only once' };
    await stack.app.alerts.send(alert);
    await smtp.waitFor(1);
    const first = await waitForJob(stack, jobIds.mailAlert(alert.id), (state) => state === 'completed');
    assert.deepEqual(first.returnvalue, { outcome: 'sent' });
    // The job is gone (BullMQ's retention), as after a failure past the send: the same
    // message queued again is recognised by its id.
    await first.remove();
    await stack.app.alerts.send(alert);
    const again = await waitForJob(stack, jobIds.mailAlert(alert.id), (state) => state === 'completed');
    assert.deepEqual(again.returnvalue, { outcome: 'already-sent' });
    assert.equal(smtp.messages.length, 1);
  });

  it('with the SMTP server down, retries and delivers once it is back — exactly once', async () => {
    await smtp.stop();
    const alert = {
      id: 'test-alert-outage',
      kind: 'test',
      subject: 'during an outage',
      text: 'still arrives',
    };
    await stack.app.alerts.send(alert);
    const id = jobIds.mailAlert(alert.id);
    const failedOnce = await waitForJob(stack, id, (_state, attempts) => attempts >= 1);
    assert.ok(failedOnce.failedReason, 'the attempt failed while the server was down');
    assert.equal(smtp.messages.length, 0);
    await smtp.start();
    const [mail] = await smtp.waitFor(1, 90_000);
    assert.equal(mail!.subject, 'Reclaim alert: during an outage');
    const done = await waitForJob(stack, id, (state) => state === 'completed');
    assert.ok(done.attemptsMade >= 2, `attempts: ${done.attemptsMade}`);
    await sleep(2_000);
    assert.equal(smtp.messages.length, 1);
    assert.equal(
      await stack.app.registry.queue(QUEUES.notify).getJobCountByTypes('failed', 'delayed', 'wait'),
      0,
    );
  });
});

describe('mail without notify.smtpUrl', function () {
  this.timeout(120_000);
  let stack: Stack;
  after(() => stack?.close());

  it('sends nothing, logs the summary and says so on the run', async () => {
    stack = await startStack({
      sim: { fixture: verdictFixture() },
      config: { policy: VERDICT_POLICY, directories: { maxAbsentPercent: 20 }, notify: { admins: ADMINS } },
    });
    const run = await runToEnd(stack, { mode: 'dry-run', asOf: AS_OF });
    const id = jobIds.mailRunSummary(run.id);
    const job = await waitForJob(stack, id, (state) => state === 'completed');
    assert.deepEqual(job.returnvalue, { outcome: 'logged' });
    const noted = (await stack.app.runs.get(run.id))!.notes;
    assert.ok(
      noted.includes('no notify.smtpUrl: the run summary was written to the log, not mailed'),
      noted.join('\n'),
    );
  });
});
