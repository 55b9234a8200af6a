import assert from 'node:assert/strict';
import request from 'supertest';
import type { Express } from 'express';
import { createApiApp } from '../../api/app.js';
import { ALL_QUEUES } from '../../queues/names.js';
import { parse } from 'csv-parse/sync';
import { pruneRuns } from '../../services/runs/prune-runs.js';
import { runToEnd, startStack, waitForRun, type Stack } from '../support/stack.js';
import { AS_OF, VERDICT_POLICY, verdictFixture } from '../pipeline/verdict-fixture.js';

const TOKENS = {
  viewer: 'viewer-token-0123456789',
  operator: 'operator-token-0123456789',
};

describe('the HTTP API', function () {
  this.timeout(60_000);
  let stack: Stack;
  let api: Express;

  before(async () => {
    stack = await startStack({
      sim: { fixture: verdictFixture() },
      config: {
        policy: VERDICT_POLICY,
        directories: { maxAbsentPercent: 20 },
        api: {
          tokens: [
            { name: 'dashboards', token: TOKENS.viewer, role: 'viewer' },
            { name: 'ops', token: TOKENS.operator, role: 'operator' },
          ],
        },
      },
    });
    api = createApiApp(stack.app);
  });
  after(() => stack?.close());

  const as = (role: keyof typeof TOKENS) => ({ Authorization: `Bearer ${TOKENS[role]}` });

  it('answers the health probes without a token; readyz checks Redis', async () => {
    await request(api).get('/healthz').expect(200, { status: 'ok' });
    const ready = await request(api).get('/readyz').expect(200);
    assert.equal(ready.body.redis, 'ok');
  });

  it('refuses every /api route and Bull Board without a valid token', async () => {
    for (const path of ['/api/runs', '/api/runs/x', '/admin/queues', '/admin/queues/api/queues']) {
      const response = await request(api).get(path).set('Accept', 'application/json').expect(401);
      assert.equal(response.body.error.code, 'unauthorized');
      assert.equal(response.headers['www-authenticate'], undefined, 'no browser Basic prompt');
    }
    await request(api).get('/api/runs').set('Authorization', 'Bearer not-a-token').expect(401);
  });

  it('lets a viewer read but not start a run (403 naming the role)', async () => {
    await request(api).get('/api/runs').set(as('viewer')).expect(200);
    const response = await request(api)
      .post('/api/runs')
      .set(as('viewer'))
      .send({ mode: 'dry-run' })
      .expect(403);
    assert.match(response.body.error.message, /operator/);
  });

  it('answers bad input with a 400 naming the field, never a 500', async () => {
    const cases: Array<[unknown, string]> = [
      [{ mode: 'destroy' }, 'mode'],
      [{ mode: 'dry-run', asOf: 'yesterday' }, 'asOf'],
      [{ mode: 'dry-run', asOf: '2026-11-29T00:00' }, 'asOf: .*local time without an offset'],
      [{ mode: 'dry-run', asOf: new Date(Date.now() + 3600_000).toISOString() }, 'asOf: .*in the future'],
      [{ mode: 'dry-run', asOf: 20261129 }, 'asOf'],
      [{ mode: 'dry-run', only: 'everyone' }, 'only'],
      [{ mode: 'dry-run', surprise: true }, 'surprise'],
    ];
    for (const [body, field] of cases) {
      const response = await request(api)
        .post('/api/runs')
        .set(as('operator'))
        .send(body as object)
        .expect(400);
      assert.match(response.body.error.message, new RegExp(field), JSON.stringify(response.body));
      assert.equal(response.body.error.code, 'bad_request');
      if (field.startsWith('asOf')) assert.equal(response.body.error.details[0].field, 'asOf');
    }
    const malformed = await request(api)
      .post('/api/runs')
      .set(as('operator'))
      .set('Content-Type', 'application/json')
      .send('{"mode": ')
      .expect(400);
    assert.equal(malformed.body.error.code, 'bad_request');
    await request(api).get('/api/runs?limit=many').set(as('viewer')).expect(400);
    await request(api).get('/api/runs/no-such-run').set(as('viewer')).expect(404);
  });

  it('takes a bare date asOf as 00:00 UTC', async () => {
    const created = await request(api)
      .post('/api/runs')
      .set(as('operator'))
      .send({ mode: 'dry-run', asOf: '2026-11-29' })
      .expect(202);
    const run = await waitForRun(stack.app, created.body.id);
    assert.equal(run.asOf, '2026-11-29T00:00:00.000Z');
  });

  it('starts a dry run (202 + id), shows it, and serves its plan paged and as CSV', async () => {
    const created = await request(api)
      .post('/api/runs')
      .set(as('operator'))
      .send({ mode: 'dry-run', asOf: AS_OF.toISOString() })
      .expect(202);
    assert.match(created.body.id, /^r/);
    const run = await waitForRun(stack.app, created.body.id);
    assert.equal(run.status, 'done');
    assert.equal(run.trigger.type, 'api');
    assert.equal(run.trigger.by, 'ops');

    const shown = await request(api).get(`/api/runs/${run.id}`).set(as('viewer')).expect(200);
    assert.equal(shown.body.counters.evaluated, 15);
    const listed = await request(api).get('/api/runs').set(as('viewer')).expect(200);
    assert.ok(listed.body.runs.some((r: { id: string }) => r.id === run.id));

    const names: string[] = [];
    let cursor: string | null = null;
    do {
      const page: request.Response = await request(api)
        .get(`/api/runs/${run.id}/plan`)
        .query({ limit: 4, ...(cursor ? { cursor } : {}) })
        .set(as('viewer'))
        .expect(200);
      assert.ok(page.body.lines.length <= 4);
      names.push(...page.body.lines.map((line: { name: string }) => line.name));
      cursor = page.body.nextCursor;
    } while (cursor);
    assert.equal(names.length, 15);
    assert.equal(new Set(names).size, 15);

    const inactive = await request(api)
      .get(`/api/runs/${run.id}/plan?verdict=inactive`)
      .set(as('viewer'))
      .expect(200);
    assert.deepEqual(inactive.body.lines.map((l: { name: string }) => l.name).sort(), [
      'bob',
      'ivan',
      'judy',
      'zoë o’neil+test',
    ]);
    await request(api).get(`/api/runs/${run.id}/plan?cursor=garbage`).set(as('viewer')).expect(400);

    const csv = await request(api).get(`/api/runs/${run.id}/plan.csv`).set(as('viewer')).expect(200);
    assert.match(csv.headers['content-type'] ?? '', /text\/csv/);
    const rows = parse(csv.text, { columns: true }) as Array<Record<string, string>>;
    assert.equal(rows.length, 15);
    assert.deepEqual(Object.keys(rows[0]!), [
      'username',
      'key',
      'display_name',
      'email',
      'active',
      'last_login',
      'verdict',
      'actions',
      'reasons',
    ]);
    const bob = rows.find((row) => row.username === 'bob')!;
    assert.equal(bob.verdict, 'inactive');
    assert.equal(bob.last_login, '2026-05-01T08:00:00.000Z');
    assert.deepEqual(bob.actions?.split(';').sort(), [
      'add-groups(jira-inactive-users)',
      'revoke-license(jira-software-users)',
    ]);
  });

  it('cancels a run that is not finished, and refuses to cancel a finished one (409)', async () => {
    await stack.stopWorkers();
    try {
      const created = await request(api).post('/api/runs').set(as('operator')).send({}).expect(202);
      const cancelled = await request(api)
        .post(`/api/runs/${created.body.id}/cancel`)
        .set(as('operator'))
        .expect(200);
      assert.equal(cancelled.body.status, 'cancelled');
      assert.match(cancelled.body.statusReason, /ops/);
      await request(api).post(`/api/runs/${created.body.id}/cancel`).set(as('operator')).expect(409);
    } finally {
      await stack.startWorkers();
    }
  });

  it('approves a held apply run, shows the audit log, and undoes an action and the run', async () => {
    const created = await request(api)
      .post('/api/runs')
      .set(as('operator'))
      .send({ mode: 'apply', asOf: AS_OF.toISOString() })
      .expect(202);
    const held = await waitForRun(stack.app, created.body.id);
    assert.equal(held.status, 'awaiting-approval');
    assert.match(held.statusReason ?? '', /maxPercentOfUsers/);
    await request(api).post(`/api/runs/${held.id}/approve`).set(as('viewer')).expect(403);
    const approved = await request(api).post(`/api/runs/${held.id}/approve`).set(as('operator')).expect(200);
    assert.equal(approved.body.status, 'applying');
    assert.match(approved.body.statusReason, /approved by api:ops/);
    const done = await waitForRun(stack.app, held.id);
    assert.equal(done.status, 'done');
    await request(api).post(`/api/runs/${held.id}/approve`).set(as('operator')).expect(409);

    const audit = await request(api)
      .get(`/api/audit?runId=${held.id}&limit=500`)
      .set(as('viewer'))
      .expect(200);
    const entries = audit.body.entries as Array<{
      actionId: string;
      action: string;
      actor: string;
      user: { name: string };
    }>;
    assert.ok(entries.length > 5);
    // Every change names the token that started the run.
    assert.deepEqual([...new Set(entries.map((e) => e.actor))], ['api:ops']);
    const csv = await request(api).get(`/api/audit.csv?runId=${held.id}`).set(as('viewer')).expect(200);
    assert.equal((parse(csv.text, { columns: true }) as unknown[]).length, entries.length);
    await request(api).get('/api/audit?fromId=abc').set(as('viewer')).expect(400);

    const bobsRevoke = entries.find((e) => e.user.name === 'bob' && e.action === 'revoke-license')!;
    await request(api).post(`/api/actions/${bobsRevoke.actionId}/undo`).set(as('operator')).expect(202);
    // The undo is logged under the token that asked for it.
    let undone: { actor: string } | undefined;
    for (let i = 0; i < 200 && !undone; i++) {
      const all = await stack.app.audit.entries({ runId: held.id, limit: 1000 });
      undone = all.entries.find((e) => e.undoOf !== undefined && e.user.name === 'bob');
      if (!undone) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(undone?.actor, 'api:ops');
    await request(api).post('/api/actions/no-such-action/undo').set(as('operator')).expect(404);
    const undo = await request(api).post(`/api/runs/${held.id}/undo`).set(as('operator')).expect(202);
    assert.match(undo.body.job, /^undo-run-/);
  });

  it('serves Bull Board to an operator, with every queue', async () => {
    await request(api).get('/admin/queues').set(as('operator')).expect(200);
    const queues = await request(api).get('/admin/queues/api/queues').set(as('operator')).expect(200);
    const names = (queues.body.queues as Array<{ name: string }>).map((q) => q.name).sort();
    // Every queue of the one registry, the restore and notify queues included.
    assert.deepEqual(names, [...ALL_QUEUES].sort());
    assert.ok(names.includes('restore') && names.includes('notify'));
    await request(api).get('/admin/queues').set(as('viewer')).expect(403);
  });

  it('says a plan removed by retention is gone (410), and still shows the run and its summary', async () => {
    const run = await runToEnd(stack, { asOf: AS_OF });
    assert.equal(run.status, 'done');
    await request(api).get(`/api/runs/${run.id}/plan`).set(as('viewer')).expect(200);
    // Every finished run of this file is "older" than a day, seen from a week on.
    const weekOn = new Date(Date.now() + 7 * 24 * 3600 * 1000);
    const pruned = await pruneRuns(
      { redis: stack.app.redis, prefix: stack.prefix, runs: stack.app.runs, plans: stack.app.plans },
      { retainDays: 1, retainCount: 100 },
      { now: weekOn },
    );
    assert.ok(pruned.runs.some((r) => r.id === run.id));
    for (const path of [`/api/runs/${run.id}/plan`, `/api/runs/${run.id}/plan.csv`]) {
      const gone = await request(api).get(path).set(as('viewer')).expect(410);
      assert.equal(gone.body.error.code, 'gone');
      assert.match(gone.body.error.message, new RegExp(`plan of run ${run.id} was pruned`));
    }
    const shown = await request(api).get(`/api/runs/${run.id}`).set(as('viewer')).expect(200);
    assert.equal(shown.body.status, 'done');
    assert.equal(shown.body.counters.evaluated, 15);
    assert.ok(shown.body.planPrunedAt);
  });
});
