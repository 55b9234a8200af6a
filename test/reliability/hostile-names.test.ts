import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import type { Express } from 'express';
import request from 'supertest';
import { createApiApp } from '../../api/app.js';
import { jobIds } from '../../queues/job-ids.js';
import { JOBS } from '../../queues/names.js';
import { batchCsv } from '../../services/users/batch-csv.js';
import type { FixtureInput } from '../../simulator/index.js';
import { AS_OF } from '../pipeline/verdict-fixture.js';
import { runToEnd, simUser, startStack, type Stack } from '../support/stack.js';

/*
 * Usernames and group names as people and directories write them — unicode, spaces, both kinds
 * of quote, `+ / ? # % ..`, and names a spreadsheet would run as a formula — through every Jira
 * call an apply run and its undo make (listing, group members, group leave and join,
 * deactivation, rename), the users API, a bulk update, every CSV and the audit log. Each name
 * must arrive as it was (the renamed one as `<name>_inactive_<date>`), and no CSV cell may start
 * the way a spreadsheet formula does.
 */

const ODD_USERS = [
  'zoë o’neil',
  'd"quote\'s',
  'a+b/c?d#e%f..g',
  '../../etc/passwd',
  '%2e%2e%2fx',
  '日本 語',
  '=1+1',
  '@SUM(A1)',
  '+plus',
  '-minus',
];
const ODD_GROUPS = ['team “Ö” +/?#%..', '=HYPERLINK("http://evil.example/")', '@team', '  spaced  out '];
const TRACKING = 'inactive "users" +/?#%..';
const SOFTWARE = 'jira-software-users';
const RENAMED = (name: string) => `${name}_inactive_20261129`;
const TOKEN = 'operator-token-0123456789';
/** How a spreadsheet knows a formula (OWASP): these first characters. */
const FORMULA = /^[=+\-@\t\r]/;
const asWritten = (name: string) => (FORMULA.test(name) ? `'${name}` : name);

function fixture(): FixtureInput {
  const users = ODD_USERS.map((name, i) => ({
    name,
    key: `JIRAUSER${20000 + i}`,
    displayName: i % 2 === 0 ? `=HYPERLINK("http://evil.example/?${i}")` : `\t=1+${i}`,
    emailAddress: `user${i}@example.com`,
    active: true,
    directoryId: 1,
    groups: [SOFTWARE, ODD_GROUPS[i % ODD_GROUPS.length]!],
    lastLoginTime: '2026-11-20T08:00:00Z',
  }));
  return {
    profile: 'dc11',
    applicationRoles: [
      {
        key: 'jira-software',
        name: 'Jira Software',
        groups: [SOFTWARE],
        defaultGroups: [SOFTWARE],
        numberOfSeats: 100,
      },
    ],
    directories: [{ id: 1, name: 'Jira Internal Directory', readOnly: false }],
    groups: [SOFTWARE, 'jira-administrators', TRACKING, ...ODD_GROUPS],
    users: [
      ...users,
      {
        name: 'keeper',
        key: 'JIRAUSER29999',
        displayName: 'Keeper',
        emailAddress: 'keeper@example.com',
        active: true,
        directoryId: 1,
        groups: [SOFTWARE],
        lastLoginTime: '2026-11-20T08:00:00Z',
      },
    ],
    // Every odd user has left: only the keeper is in the directory.
    externalDirectory: { type: 'scim', users: [{ userName: 'keeper', active: true }] },
  };
}

/** Every cell of a CSV body; fails on a cell a spreadsheet would run. */
function cellsOf(csv: string, what: string): string[][] {
  const rows = parse(csv, { relax_column_count: true }) as string[][];
  for (const [r, row] of rows.entries())
    for (const cell of row)
      assert.doesNotMatch(cell, FORMULA, `${what}, row ${r + 1}: ${JSON.stringify(cell)}`);
  return rows;
}

function column(rows: string[][], name: string): string[] {
  const index = rows[0]!.indexOf(name);
  assert.ok(index >= 0, `no ${name} column in ${rows[0]!.join(',')}`);
  return rows.slice(1).map((row) => row[index]!);
}

async function until(what: string, done: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await done()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not happen within 30 s`);
}

describe('reliability: hostile names round-trip through Jira, the CSVs and the audit log', function () {
  this.timeout(90_000);
  let stack: Stack;
  let api: Express;
  const operator = { Authorization: `Bearer ${TOKEN}` };
  const get = (path: string) => request(api).get(path).set(operator).expect(200);

  before(async () => {
    stack = await startStack({
      sim: { fixture: fixture() },
      config: {
        policy: { trackingGroup: TRACKING, rename: { enabled: true }, existingUsersSeenSince: '2026-01-01' },
        directories: { maxAbsentPercent: 100 },
        brake: { maxActions: 1000, maxPercentOfUsers: 100 },
        api: { tokens: [{ name: 'ops', token: TOKEN, role: 'operator' }] },
      },
    });
    api = createApiApp(stack.app);
  });
  after(() => stack?.close());

  it('an apply run offboards each of them, and its undo brings each back, name and groups', async () => {
    const run = await runToEnd(stack, { mode: 'apply', asOf: AS_OF });
    assert.equal(run.status, 'done', run.statusReason);
    assert.equal(run.counters.actionsFailed, 0, run.statusReason);
    assert.equal(run.counters.actionsNotPossible, 0, run.statusReason);

    for (const name of ODD_USERS) {
      const user = await simUser(stack.sim, RENAMED(name));
      assert.deepEqual([user.active, user.groups], [false, [TRACKING]], name);
    }

    // The plan and the inactive report, as CSV: each name as written, no cell a formula.
    const plan = cellsOf((await get(`/api/runs/${run.id}/plan.csv`)).text, 'plan.csv');
    assert.deepEqual(column(plan, 'username').sort(), [...ODD_USERS, 'keeper'].map(asWritten).sort());
    const actions = column(plan, 'actions').join('\n');
    for (const group of [...ODD_GROUPS, TRACKING])
      assert.ok(actions.includes(group), `${group} in the plan's actions`);
    cellsOf((await get('/api/reports/inactive.csv')).text, 'inactive.csv');
    cellsOf((await get('/api/reports/licenses.csv')).text, 'licenses.csv');

    // The audit log: JSON holds the names exactly, its CSV as written.
    const entries = (await get(`/api/audit?runId=${run.id}&limit=500`)).body.entries as Array<{
      user: { name: string };
      after: { name: string; groups: string[] } | null;
    }>;
    assert.deepEqual([...new Set(entries.map((e) => e.user.name))].sort(), [...ODD_USERS].sort());
    const audit = cellsOf((await get(`/api/audit.csv?runId=${run.id}`)).text, 'audit.csv');
    assert.equal(audit.length - 1, entries.length);

    // The users API finds each renamed user by its name in the path.
    for (const name of ODD_USERS) {
      const response = await get(`/api/users/${encodeURIComponent(RENAMED(name))}`);
      assert.equal(response.body.jira?.name, RENAMED(name), JSON.stringify(response.body).slice(0, 300));
    }

    await stack.app.registry.add(JOBS.undoRun, { runId: run.id, actor: 'test' }, jobIds.undoRun(run.id));
    const undo = await stack.app.registry.queue('undo').getJob(jobIds.undoRun(run.id));
    await until('the undo', async () => (await undo!.isCompleted()) || (await undo!.isFailed()));
    assert.ok(await undo!.isCompleted(), undo!.failedReason);
    for (const [i, name] of ODD_USERS.entries()) {
      const user = await simUser(stack.sim, name);
      assert.deepEqual(
        [user.active, [...user.groups].sort()],
        [true, [SOFTWARE, ODD_GROUPS[i % ODD_GROUPS.length]!].sort()],
        name,
      );
    }
    assert.equal((await stack.app.audit.verify()).ok, true);
  });

  it('a bulk update by CSV joins each to an odd group; its CSV and audit entries keep the names', async () => {
    const group = ODD_GROUPS[0]!;
    const quote = (cell: string) => `"${cell.replace(/"/g, '""')}"`;
    const ghost = "\t=cmd|' /C calc'!A0";
    const csv = [
      'username,add_groups',
      ...[...ODD_USERS, ghost].map((name) => `${quote(name)},${quote(group)}`),
    ].join('\n');
    const accepted = await request(api)
      .post('/api/users/bulk-update')
      .set(operator)
      .set('Content-Type', 'text/csv')
      .send(csv)
      .expect(202);
    const batchId = accepted.body.batchId as string;
    await until('the batch', async () => (await get(`/api/batches/${batchId}`)).body.status === 'done');

    for (const name of ODD_USERS) assert.ok((await simUser(stack.sim, name)).groups.includes(group), name);
    const rows = cellsOf((await get(`/api/batches/${batchId}.csv`)).text, 'batch csv');
    // A bulk update trims what it is given (the tab goes), then writes each name as written.
    const given = [...ODD_USERS, ghost].map((name) => asWritten(name.trim()));
    assert.deepEqual(column(rows, 'username').sort(), given.sort());
    const outcomes = new Map(rows.slice(1).map((row) => [row[1], row[3]]));
    assert.equal(outcomes.get(asWritten(ghost.trim())), 'failed');
    for (const name of ODD_USERS) assert.notEqual(outcomes.get(asWritten(name)), 'failed', name);

    const entries = (await get(`/api/audit?limit=500`)).body.entries as Array<{
      action: string;
      user: { name: string };
    }>;
    const updated = entries.filter((e) => e.action === 'update-user').map((e) => e.user.name);
    for (const name of ODD_USERS) assert.ok(updated.includes(name), `${name} in the audit log`);
    cellsOf((await get('/api/audit.csv')).text, 'audit.csv');
  });

  it('the batch CSV neutralises a cell starting with a tab or a carriage return, as every CSV does', async () => {
    const rows = (async function* () {
      yield { row: 1, username: '\t=1+1', outcome: 'failed' as const, reason: "\r=cmd|' /C calc'!A0" };
    })();
    let text = '';
    for await (const chunk of batchCsv(rows)) text += String(chunk);
    const [, row] = cellsOf(text, 'batch csv');
    assert.deepEqual([row![1], row![4]], ["'\t=1+1", "'\r=cmd|' /C calc'!A0"]);
  });
});
