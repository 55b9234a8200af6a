import assert from 'node:assert/strict';
import { formatReason } from '../../services/runs/plan-csv.js';
import { AS_OF, VERDICT_POLICY, verdictFixture } from '../pipeline/verdict-fixture.js';
import { startTestSmtp, type TestSmtp } from '../support/smtp.js';
import { planByName, runToEnd, simHook, simUser, startStack, type Stack } from '../support/stack.js';

const ADMINS = ['jira-admins@example.com'];
const DAY = 24 * 3600 * 1000;
const GRACE_UNTIL = new Date(AS_OF.getTime() + 7 * DAY).toISOString();
/** Those a login rule takes from (or will within 7 days): bob, ivan, judy, zoë inactive, carol never, heidi in 0 days. */
const WARNED = ['bob', 'carol', 'heidi', 'ivan', 'judy', 'zoë o’neil+test'];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('warnings before a licence is taken (notify.warnUsersDaysBefore)', function () {
  this.timeout(240_000);
  let smtp: TestSmtp;
  let stack: Stack;

  before(async () => {
    smtp = await startTestSmtp();
    stack = await startStack({
      sim: { fixture: verdictFixture() },
      config: {
        policy: VERDICT_POLICY,
        directories: { maxAbsentPercent: 20 },
        brake: { maxActions: 1000, maxPercentOfUsers: 100 },
        notify: { smtpUrl: smtp.url, admins: ADMINS, warnUsersDaysBefore: 7 },
      },
    });
  });
  after(async () => {
    await stack?.close();
    await smtp?.stop();
  });

  const reasonsOf = async (runId: string, name: string) => {
    const line = (await planByName(stack.app, runId)).get(name)!;
    return { verdict: line.verdict, actions: line.actions, reasons: line.reasons.map(formatReason) };
  };

  it('a dry run warns no one; its plan says who an apply run would warn', async () => {
    const run = await runToEnd(stack, { mode: 'dry-run', asOf: AS_OF });
    assert.equal(run.status, 'done', run.statusReason);
    const bob = await reasonsOf(run.id, 'bob');
    assert.equal(bob.verdict, 'keep');
    assert.deepEqual(bob.actions, []);
    assert.ok(
      bob.reasons.includes(`to be warned (an apply run mails the warning), grace until ${GRACE_UNTIL}`),
      bob.reasons.join('\n'),
    );
    await smtp.waitFor(1);
    await sleep(2_000);
    assert.deepEqual(
      smtp.messages.map((m) => m.to.join(',')),
      ADMINS,
      'only the summary',
    );
    smtp.messages.length = 0;
  });

  it('an apply run warns each user once, keeps them through the grace, and reclaims them after it', async () => {
    const first = await runToEnd(stack, { mode: 'apply', asOf: AS_OF }, 120_000);
    assert.equal(first.status, 'done', first.statusReason);
    const plan = await planByName(stack.app, first.id);
    for (const name of WARNED) {
      const line = plan.get(name)!;
      assert.equal(line.verdict, 'keep', `${name}: ${line.reasons.map(formatReason).join('; ')}`);
      assert.deepEqual(line.actions, []);
      assert.ok(
        line.reasons.map(formatReason).includes(`warned, grace until ${GRACE_UNTIL}: ${AS_OF.toISOString()}`),
      );
    }
    // Leavers are not warned: their access goes at once.
    assert.equal(plan.get('frank')!.verdict, 'left-company');
    assert.equal(plan.get('alice')!.verdict, 'keep');
    assert.ok(
      !plan.get('alice')!.reasons.some((r) => r.signal === 'warning'),
      'alice is not due for 2 months',
    );

    const mails = await smtp.waitFor(1 + WARNED.length);
    await sleep(2_000);
    assert.equal(
      smtp.messages.length,
      1 + WARNED.length,
      smtp.messages.map((m) => m.to.join(',')).join('; '),
    );
    const warnings = mails.filter((m) => !m.to.includes(ADMINS[0]!));
    assert.deepEqual(
      warnings.map((m) => m.to.join(',')).sort(),
      WARNED.map((n) => `${n.replace(/[^a-z]/g, '')}@example.com`).sort(),
    );
    const bobMail = warnings.find((m) => m.to[0] === 'bob@example.com')!;
    assert.equal(bobMail.subject, 'Your Jira access ends on 2026-12-06 unless you log in');
    assert.match(
      bobMail.text,
      /you have not logged in to Jira since 2026-05-01\. Your Jira access \(bob\) ends on\n2026-12-06/,
    );
    assert.match(bobMail.html, /<strong>2026-12-06<\/strong>/);
    const carolMail = warnings.find((m) => m.to[0] === 'carol@example.com')!;
    assert.match(carolMail.text, /you have not logged in to Jira since never/);
    assert.deepEqual((await simUser(stack.sim, 'bob')).groups.sort(), ['developers', 'jira-software-users']);
    smtp.messages.length = 0;

    // ivan logs in during the grace: the warning no longer holds, and he keeps his licence.
    await simHook(stack.sim, '/__sim/users/ivan/login');

    // During the grace: kept, the plan says until when, and no second warning is sent.
    const during = await runToEnd(
      stack,
      { mode: 'apply', asOf: new Date(AS_OF.getTime() + 3 * DAY) },
      120_000,
    );
    assert.equal(during.status, 'done', during.statusReason);
    const bobDuring = await reasonsOf(during.id, 'bob');
    assert.equal(bobDuring.verdict, 'keep');
    assert.ok(bobDuring.reasons.includes(`warned, grace until ${GRACE_UNTIL}: ${AS_OF.toISOString()}`));
    await smtp.waitFor(1);
    await sleep(2_000);
    assert.deepEqual(
      smtp.messages.map((m) => m.to.join(',')),
      ADMINS,
      'only the summary during the grace',
    );
    assert.deepEqual((await simUser(stack.sim, 'bob')).groups.sort(), ['developers', 'jira-software-users']);
    smtp.messages.length = 0;

    // After the grace: reclaimed, and the plan says the grace ended.
    const after = await runToEnd(
      stack,
      { mode: 'apply', asOf: new Date(AS_OF.getTime() + 8 * DAY) },
      120_000,
    );
    assert.equal(after.status, 'done', after.statusReason);
    const bobAfter = await reasonsOf(after.id, 'bob');
    assert.equal(bobAfter.verdict, 'inactive');
    assert.ok(
      bobAfter.reasons.includes(`warned ${AS_OF.toISOString()}, grace ended ${GRACE_UNTIL}`),
      bobAfter.reasons.join('\n'),
    );
    assert.deepEqual((await simUser(stack.sim, 'bob')).groups.sort(), ['developers', 'jira-inactive-users']);
    const ivan = await reasonsOf(after.id, 'ivan');
    assert.equal(ivan.verdict, 'keep', ivan.reasons.join('\n'));
    assert.ok(!ivan.reasons.some((r) => r.startsWith('warned')), 'his login voided the warning');
  });
});
