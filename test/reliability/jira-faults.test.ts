import assert from 'node:assert/strict';
import type { AuditEntry } from '../../services/audit/types.js';
import { summarizeRun } from '../../services/reports/run-summary.js';
import { AS_OF, EXPECTED, VERDICT_POLICY, verdictFixture } from '../pipeline/verdict-fixture.js';
import { runToEnd, simUser, startStack, type Stack } from '../support/stack.js';
import { startJiraFaultProxy, storms, type JiraFaultProxy } from './support/jira-fault-proxy.js';

/*
 * An apply run against a Jira that misbehaves: a proxy in front of the simulator answers storms
 * of 5xx, cuts connections, holds requests past the client's time limit, rate-limits with a long
 * Retry-After, and stops accepting the token in the middle of the run. Whatever happens, the run
 * ends with its reason, every action has one audit entry, and no change in Jira lacks a record.
 */

const NAMES = Object.keys(EXPECTED);
const PLANNED_ACTIONS = Object.values(EXPECTED).reduce((sum, e) => sum + e.actions.length, 0);
/** The client's time limit for one request: the proxy's stalls outlast it. */
const TIMEOUT_MS = 800;

type SimUser = Awaited<ReturnType<typeof simUser>>;

/** Every fixture user as the simulated Jira holds it now, by key (renamed users included). */
async function jiraState(stack: Stack): Promise<Map<string, SimUser>> {
  const users = new Map<string, SimUser>();
  for (const name of NAMES.flatMap((n) => [n, `${n}_inactive_20261129`])) {
    const user = await simUser(stack.sim, name).catch(() => undefined);
    if (user) users.set(user.key, { ...user, groups: [...user.groups].sort() });
  }
  return users;
}

async function auditOf(stack: Stack, runId: string): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  for await (const entry of stack.app.audit.stream({ runId })) entries.push(entry);
  return entries;
}

describe('reliability: an apply run against a faulty Jira', function () {
  this.timeout(150_000);
  let stack: Stack | undefined;
  let proxy: JiraFaultProxy | undefined;
  afterEach(async () => {
    await stack?.close();
    await proxy?.close();
    stack = proxy = undefined;
  });

  const start = async (faulty: boolean) => {
    const jiraProxy = faulty ? await startJiraFaultProxy() : undefined;
    proxy = jiraProxy;
    return startStack({
      sim: { fixture: verdictFixture() },
      config: (sim) => {
        jiraProxy?.forwardTo(sim.url);
        return {
          policy: VERDICT_POLICY,
          directories: { maxAbsentPercent: 20 },
          brake: { maxActions: 1000, maxPercentOfUsers: 100 },
          jira: { ...(jiraProxy ? { url: jiraProxy.url } : {}), timeoutMs: TIMEOUT_MS, retries: 2 },
        };
      },
    });
  };

  it('rides out 5xx storms, cut connections, stalls and 429 storms: the planned state, each change once', async () => {
    stack = await start(false);
    const clean = await runToEnd(stack, { mode: 'apply', asOf: AS_OF });
    assert.equal(clean.status, 'done', clean.statusReason);
    const expected = await jiraState(stack);
    await stack.close();

    stack = await start(true);
    // The scan's storms stay within the client's own retries (a longer one fails the scan job,
    // which starts the listing again); the apply's outlast them, so whole jobs fail and are retried.
    let firstChange: number | undefined;
    const scanStorms = storms(
      { at: 2, count: 2, fault: { kind: 'status', status: 503 } },
      { at: 6, count: 2, fault: { kind: 'reset' } },
      { at: 10, count: 1, fault: { kind: 'stall', ms: 30_000 } },
      { at: 14, count: 1, fault: { kind: 'rate-limit', retryAfterSeconds: 3 } },
    );
    const applyStorms = storms(
      { at: 0, count: 6, fault: { kind: 'status', status: 503 } },
      { at: 10, count: 6, fault: { kind: 'reset' } },
      { at: 20, count: 3, fault: { kind: 'stall', ms: 30_000 } },
      { at: 28, count: 6, fault: { kind: 'status', status: 502 } },
      { at: 38, count: 4, fault: { kind: 'rate-limit', retryAfterSeconds: 5 } },
      { at: 46, count: 6, fault: { kind: 'status', status: 500 } },
      { at: 56, count: 6, fault: { kind: 'reset' } },
    );
    proxy!.setSchedule((request) => {
      if (request.method !== 'GET' && firstChange === undefined) firstChange = request.index;
      return firstChange === undefined
        ? scanStorms(request)
        : applyStorms({ ...request, index: request.index - firstChange });
    });
    const run = await runToEnd(stack, { mode: 'apply', asOf: AS_OF }, 120_000);
    assert.equal(run.status, 'done', run.statusReason);
    const injected = proxy!.injected();
    assert.deepEqual(
      Object.keys(injected).sort(),
      ['rate-limit', 'reset', 'stall', 'status:500', 'status:502', 'status:503'],
      JSON.stringify(injected),
    );

    const now = await jiraState(stack);
    for (const [key, user] of expected) {
      const got = now.get(key);
      assert.ok(got, `${user.name} is still in Jira`);
      assert.deepEqual(
        { name: got.name, active: got.active, groups: got.groups },
        { name: user.name, active: user.active, groups: user.groups },
        user.name,
      );
      // A change whose answer was lost is retried against Jira's "already done": never applied twice.
      assert.equal(got.mutations, user.mutations, `${user.name}: changes applied`);
    }
    const audit = await auditOf(stack, run.id);
    assert.equal(audit.length, PLANNED_ACTIONS, 'one audit entry per planned action');
    assert.equal(new Set(audit.map((e) => e.actionId)).size, audit.length, 'no action audited twice');
    assert.equal(run.counters.actionsFailed, 0);
    assert.equal((await stack.app.audit.verify()).ok, true);
    console.log(`      injected: ${JSON.stringify(injected)} over ${proxy!.requests()} Jira requests`);
  });

  it('stops cleanly when the token is revoked mid-run: each failure listed, no change unrecorded', async () => {
    stack = await start(true);
    const before = await jiraState(stack);
    // The token works for the scan and the first changes, then Jira refuses it for good.
    let firstChange: number | undefined;
    proxy!.setSchedule(({ index, method }) => {
      if (method !== 'GET' && firstChange === undefined) firstChange = index;
      return firstChange !== undefined && index >= firstChange + 4 ? { kind: 'unauthorized' } : undefined;
    });
    const run = await runToEnd(stack, { mode: 'apply', asOf: AS_OF }, 120_000);
    assert.ok(['done', 'failed'].includes(run.status), `final status: ${run.status}`);
    assert.ok(run.statusReason, 'the run says why it ended so');
    assert.ok((proxy!.injected().unauthorized ?? 0) > 0, 'the revoked token was refused');

    const audit = await auditOf(stack, run.id);
    const failed = audit.filter((e) => e.outcome === 'failed');
    assert.ok(failed.length > 0, 'failures are in the audit log');
    for (const entry of failed) assert.match(entry.reason ?? '', /credentials|401/, entry.actionId);
    // The run lists the same failures: counted, and grouped by reason in its summary.
    assert.equal(run.counters.actionsFailed, failed.length);
    assert.match(run.statusReason ?? '', new RegExp(`\\b${failed.length} failed`));
    const summary = await summarizeRun(stack.app.plans, run, stack.app.audit);
    const listed = summary.exceptions.filter((e) => e.outcome === 'failed').reduce((n, e) => n + e.count, 0);
    assert.equal(listed, failed.length);
    assert.equal(new Set(audit.map((e) => e.actionId)).size, audit.length, 'no action audited twice');

    // Every user Jira changed has done entries whose changes account for it.
    const now = await jiraState(stack);
    for (const [key, was] of before) {
      const user = now.get(key)!;
      const changed =
        user.name !== was.name || user.active !== was.active || user.groups.join() !== was.groups.join();
      if (!changed) continue;
      const recorded = audit.filter((e) => e.user.key === key && e.changes.length > 0);
      assert.ok(recorded.length > 0, `${was.name} changed in Jira without an audit entry`);
    }
    // Every user with a planned action either has an entry or was never reached by its chain.
    const users = new Set(audit.map((e) => e.user.name));
    for (const [name, { actions }] of Object.entries(EXPECTED)) {
      if (actions.length > 0) assert.ok(users.has(name), `${name}: no audit entry for the planned actions`);
    }
    assert.equal((await stack.app.audit.verify()).ok, true);
  });
});
