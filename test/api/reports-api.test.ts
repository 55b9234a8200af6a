import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Express } from 'express';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { createApiApp } from '../../api/app.js';
import { PLAN_CSV_COLUMNS } from '../../services/runs/plan-csv.js';
import { killAll, spawnReclaim, writeConfigFile, type ReclaimProcess } from '../support/child.js';
import { runToEnd, stackConfig, startStack, type Stack } from '../support/stack.js';
import { AS_OF, VERDICT_POLICY, verdictFixture } from '../pipeline/verdict-fixture.js';

const TOKENS = { viewer: 'viewer-token-0123456789', operator: 'operator-token-0123456789' };
const EXTRA = {
  policy: VERDICT_POLICY,
  directories: { maxAbsentPercent: 20 },
  api: {
    tokens: [
      { name: 'dashboards', token: TOKENS.viewer, role: 'viewer' },
      { name: 'ops', token: TOKENS.operator, role: 'operator' },
    ],
  },
};

describe('users and reports (API and CLI)', function () {
  this.timeout(90_000);
  let stack: Stack;
  let api: Express;
  let configFile: { file: string; remove(): void };
  const processes: ReclaimProcess[] = [];
  const as = (role: keyof typeof TOKENS) => ({ Authorization: `Bearer ${TOKENS[role]}` });

  before(async () => {
    stack = await startStack({ sim: { fixture: verdictFixture() }, config: EXTRA });
    api = createApiApp(stack.app);
    configFile = writeConfigFile(stackConfig(stack.sim, stack.prefix, EXTRA));
  });
  after(async () => {
    await killAll(processes);
    configFile?.remove();
    await stack?.close();
  });

  const names = (lines: Array<{ name: string }>) => lines.map((line) => line.name).sort();
  const report = async (query: string) =>
    (await request(api).get(`/api/reports/inactive${query}`).set(as('viewer')).expect(200)).body;

  it('says there is no run to report on before the first one', async () => {
    const response = await request(api).get('/api/reports/inactive').set(as('viewer')).expect(404);
    assert.match(response.body.error.message, /no planned or done run/);
  });

  it('reports the newest plan by verdict, days since login, application, group and text', async () => {
    const run = await runToEnd(stack, { asOf: AS_OF });
    assert.equal(run.status, 'done');
    const all = await report('');
    assert.equal(all.runId, run.id);
    assert.deepEqual(names(all.lines), [
      'bob',
      'carol',
      'frank',
      'grace',
      'ivan',
      'judy',
      'ken',
      'zoë o’neil+test',
    ]);
    assert.deepEqual(names((await report('?minDays=200')).lines), [
      'bob',
      'carol',
      'judy',
      'zoë o’neil+test',
    ]);
    assert.deepEqual(names((await report('?maxDays=100')).lines), ['frank', 'grace', 'ivan', 'ken']);
    assert.deepEqual(names((await report('?minDays=90&maxDays=95')).lines), ['ivan']);
    assert.deepEqual(names((await report('?verdict=left-company')).lines), ['frank', 'grace', 'ken']);
    assert.deepEqual(names((await report('?verdict=keep,exempt')).lines), [
      'alice',
      'erin',
      'heidi',
      'mallory',
      'nina',
      'svc-bot',
    ]);
    assert.deepEqual(names((await report('?application=jira-servicedesk')).lines), ['grace']);
    assert.deepEqual(names((await report('?application=jira-core')).lines), ['zoë o’neil+test']);
    assert.deepEqual(names((await report('?group=developers')).lines), ['frank', 'ken']);
    assert.deepEqual(names((await report(`?q=${encodeURIComponent('ZO')}`)).lines), ['zoë o’neil+test']);
    assert.deepEqual(names((await report(`?q=${encodeURIComponent('Ë O’N')}`)).lines), ['zoë o’neil+test']);
    assert.deepEqual(names((await report('?q=EXAMPLE.COM&verdict=left-company')).lines), [
      'frank',
      'grace',
      'ken',
    ]);
    assert.deepEqual((await report('?q=inactive')).lines, []);

    // Paged: every line once, in the same set.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await report(`?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      assert.ok(page.lines.length <= 3);
      seen.push(...page.lines.map((line: { name: string }) => line.name));
      cursor = page.nextCursor;
    } while (cursor !== null);
    assert.deepEqual(seen.sort(), names(all.lines));

    const csv = await request(api).get('/api/reports/inactive.csv?minDays=200').set(as('viewer')).expect(200);
    assert.match(csv.headers['content-type'] ?? '', /text\/csv/);
    const records = parse(csv.text, { columns: true }) as Array<Record<string, string>>;
    assert.deepEqual(Object.keys(records[0]!), [...PLAN_CSV_COLUMNS]);
    assert.deepEqual(records.map((r) => r.username).sort(), ['bob', 'carol', 'judy', 'zoë o’neil+test']);
  });

  it('answers bad report filters with a 400 naming the field, and needs a token', async () => {
    const cases: Array<[string, string]> = [
      ['?verdict=sleepy', 'verdict'],
      ['?minDays=-1', 'minDays'],
      ['?minDays=ten', 'minDays'],
      ['?minDays=10&maxDays=5', 'maxDays'],
      ['?application=jira-nothing', 'application'],
      ['?cursor=not-a-cursor', 'cursor'],
      ['?limit=0', 'limit'],
    ];
    for (const [query, field] of cases) {
      const response = await request(api).get(`/api/reports/inactive${query}`).set(as('viewer')).expect(400);
      assert.match(
        response.body.error.message,
        new RegExp(`^${field}`),
        `${query}: ${JSON.stringify(response.body)}`,
      );
    }
    for (const path of ['/api/reports/inactive', '/api/reports/inactive.csv', '/api/users/bob']) {
      await request(api).get(path).expect(401);
    }
  });

  it('shows a user: Jira facts, the last verdict with reasons, runs and audited changes; 404 naming an unknown user', async () => {
    const patched = await request(api)
      .patch('/api/users/bob')
      .set(as('operator'))
      .send({ displayName: 'Bob B' })
      .expect(202);
    for (;;) {
      const batch = await stack.app.batches.get(patched.body.batchId);
      if (batch?.status === 'done') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const view = (await request(api).get('/api/users/bob').set(as('viewer')).expect(200)).body;
    assert.equal(view.jira.name, 'bob');
    assert.equal(view.jira.displayName, 'Bob B');
    assert.ok(view.jira.groups.includes('developers'));
    assert.equal(view.jira.lastLogin.status, 'known');
    assert.equal(view.lastVerdict.verdict, 'inactive');
    assert.ok(view.lastVerdict.reasons.length > 0);
    assert.ok(view.runs.length >= 1);
    assert.ok(view.runs.every((r: { verdict: string }) => r.verdict === 'inactive'));
    assert.equal(view.actions.length, 1);
    assert.equal(view.actions[0].action, 'update-user');
    assert.equal(view.actions[0].runId, patched.body.batchId);

    const missing = await request(api).get('/api/users/nobody-here').set(as('viewer')).expect(404);
    assert.match(missing.body.error.message, /user nobody-here not found/);
  });

  it('reclaim users update changes a user and prints its outcome (--wait); a bad flag is named', async () => {
    const update = spawnReclaim([
      'users',
      'update',
      'alice',
      '--config',
      configFile.file,
      '--display-name',
      'Alice A',
      '--remove-group',
      'developers',
      '--wait',
    ]);
    processes.push(update);
    const exit = await update.exited;
    assert.equal(exit.code, 0, update.output());
    assert.match(update.output(), /batch batch-\w+: 1 done, 0 failed, 0 skipped/);
    const alice = await stack.app.jira().getUser('alice', { expand: ['groups'] });
    assert.equal(alice.displayName, 'Alice A');
    assert.ok(!alice.groups!.includes('developers'));

    const bad = spawnReclaim(['users', 'update', 'alice', '--config', configFile.file, '--email', 'nope']);
    processes.push(bad);
    assert.equal((await bad.exited).code, 1);
    assert.match(bad.output(), /--email: expected an e-mail address/);
    const badActive = spawnReclaim([
      'users',
      'update',
      'alice',
      '--config',
      configFile.file,
      '--active',
      'perhaps',
    ]);
    processes.push(badActive);
    assert.equal((await badActive.exited).code, 1);
    assert.match(badActive.output(), /--active: expected true or false, got "perhaps"/);
  });

  it('reclaim users bulk-update FILE --wait shows progress and names the rows that failed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reclaim-bulk-'));
    try {
      const file = join(dir, 'users.csv');
      writeFileSync(
        file,
        'username,display_name,add_groups\nmallory,Mallory M,\nnina,,support\nnobody-at-all,Ghost,\n',
      );
      const bulk = spawnReclaim(['users', 'bulk-update', file, '--config', configFile.file, '--wait']);
      processes.push(bulk);
      const exit = await bulk.exited;
      assert.match(bulk.output(), /batch batch-\w+: 3 row\(s\) queued/);
      assert.match(bulk.output(), /rows 3\/3/);
      assert.match(bulk.output(), /: 2 done, 1 failed, 0 skipped/);
      assert.match(bulk.output(), /row 3 nobody-at-all: failed: no Jira user named nobody-at-all/);
      assert.equal(exit.code, 1, 'a failed row makes the exit code 1');
      assert.equal((await stack.app.jira().getUser('mallory')).displayName, 'Mallory M');
      assert.ok((await stack.app.jira().getUser('nina', { expand: ['groups'] })).groups!.includes('support'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reclaim report inactive prints the filtered report, as text or CSV', async () => {
    const text = spawnReclaim(['report', 'inactive', '--config', configFile.file, '--min-days', '200']);
    processes.push(text);
    assert.equal((await text.exited).code, 0, text.output());
    assert.match(text.output(), /^bob\tinactive\t/m);
    assert.match(text.output(), /^4 user\(s\)$/m);
    assert.doesNotMatch(text.output(), /^ivan\t/m);

    const csv = spawnReclaim([
      'report',
      'inactive',
      '--config',
      configFile.file,
      '--csv',
      '--verdict',
      'left-company',
      '--q',
      'gra',
    ]);
    processes.push(csv);
    assert.equal((await csv.exited).code, 0, csv.output());
    const records = parse(csv.output(), { columns: true }) as Array<Record<string, string>>;
    assert.deepEqual(
      records.map((r) => r.username),
      ['grace'],
    );
    assert.equal(records[0]!.verdict, 'left-company');

    const bad = spawnReclaim(['report', 'inactive', '--config', configFile.file, '--min-days', 'soon']);
    processes.push(bad);
    assert.equal((await bad.exited).code, 1);
    assert.match(bad.output(), /--min-days: expected a number/);
  });
});
