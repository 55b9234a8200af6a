import assert from 'node:assert/strict';
import type { Express } from 'express';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import request from 'supertest';
import { createApiApp } from '../../api/app.js';
import type { JiraUser } from '../../services/jira/types.js';
import { startStack, type Stack } from '../support/stack.js';
import { bulkFixture, keyOf, nameOf, READ_ONLY_FROM } from '../users/bulk-fixture.js';

const TOKENS = { viewer: 'viewer-token-0123456789', operator: 'operator-token-0123456789' };

/** What each good row asks, by the user's number: four kinds, in turn. */
function goodRow(i: number): Record<string, string> {
  const row = {
    username: nameOf(i),
    new_username: '',
    email: '',
    display_name: '',
    active: '',
    add_groups: '',
    remove_groups: '',
  };
  switch (i % 4) {
    case 0:
      return { ...row, new_username: `${nameOf(i)}-renamed`, add_groups: 'support' };
    case 1:
      return { ...row, email: `new${i}@example.org`, display_name: `New Name ${i}` };
    case 2:
      return { ...row, active: 'false', remove_groups: 'developers' };
    default:
      return { ...row, add_groups: 'support', remove_groups: 'developers' };
  }
}

/** The 50 bad rows, by the reason they must fail with. */
function badRows(): Array<[Record<string, string>, RegExp]> {
  const blank = {
    new_username: '',
    email: '',
    display_name: '',
    active: '',
    add_groups: '',
    remove_groups: '',
  };
  const rows: Array<[Record<string, string>, RegExp]> = [];
  for (let i = 1951; i <= 1960; i++)
    rows.push([{ ...blank, username: nameOf(i), new_username: nameOf(1) }, /u0001 already exists/]);
  for (let i = 1961; i <= 1970; i++)
    rows.push([
      { ...blank, username: nameOf(i), email: 'not-an-address' },
      /^email: expected an e-mail address/,
    ]);
  for (let i = 1971; i <= 1980; i++)
    rows.push([
      { ...blank, username: nameOf(i), add_groups: 'no-such-group' },
      /unknown group: no-such-group/,
    ]);
  for (let i = 1; i <= 10; i++)
    rows.push([{ ...blank, username: `ghost-${i}`, display_name: 'Nobody' }, /no Jira user named ghost-/]);
  for (let i = READ_ONLY_FROM; i <= 2000; i++)
    rows.push([{ ...blank, username: nameOf(i), display_name: 'Read Only' }, /read-only/]);
  return rows;
}

describe('the users API', function () {
  this.timeout(180_000);
  let stack: Stack;
  let api: Express;
  const as = (role: keyof typeof TOKENS) => ({ Authorization: `Bearer ${TOKENS[role]}` });

  before(async () => {
    stack = await startStack({
      sim: { fixture: bulkFixture() },
      scim: false,
      config: {
        worker: { concurrency: { 'user-update': 40 } },
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

  async function waitForBatch(
    id: string,
    done: (body: Record<string, unknown>) => boolean = (b) => b.status === 'done',
  ) {
    const deadline = Date.now() + 150_000;
    for (;;) {
      const response = await request(api).get(`/api/batches/${id}?limit=1`).set(as('viewer')).expect(200);
      if (done(response.body)) return response.body;
      if (Date.now() > deadline) throw new Error(`batch ${id} not done: ${JSON.stringify(response.body)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  async function allRows(id: string) {
    const rows: Array<{ row: number; username: string; outcome: string; reason?: string; key?: string }> = [];
    let cursor: string | null = null;
    do {
      const response: request.Response = await request(api)
        .get(`/api/batches/${id}?limit=500${cursor ? `&cursor=${cursor}` : ''}`)
        .set(as('viewer'))
        .expect(200);
      rows.push(...response.body.rows);
      cursor = response.body.next;
    } while (cursor !== null);
    return rows;
  }

  /** Every user of the fixture as Jira holds it now, by key. */
  async function jiraUsers(numbers: number[]): Promise<Map<number, JiraUser>> {
    const jira = stack.app.jira();
    const users = new Map<number, JiraUser>();
    for (let from = 0; from < numbers.length; from += 50) {
      await Promise.all(
        numbers.slice(from, from + 50).map(async (i) => {
          users.set(i, await jira.getUser({ key: keyOf(i) }, { expand: ['groups'] }));
        }),
      );
    }
    return users;
  }

  it('refuses every route without a token, and the operator routes to a viewer', async () => {
    const routes: Array<[string, string]> = [
      ['patch', '/api/users/u0001'],
      ['post', '/api/users/bulk-update'],
      ['get', '/api/batches/batch-x'],
      ['get', '/api/batches/batch-x.csv'],
      ['post', '/api/batches/batch-x/undo'],
    ];
    for (const [method, path] of routes) {
      const response = await (request(api) as unknown as Record<string, (p: string) => request.Test>)[
        method
      ]!(path).expect(401);
      assert.equal(response.body.error.code, 'unauthorized', path);
    }
    for (const [method, path] of routes.filter(([method]) => method !== 'get')) {
      const response = await (request(api) as unknown as Record<string, (p: string) => request.Test>)[
        method
      ]!(path)
        .set(as('viewer'))
        .send({ displayName: 'X' })
        .expect(403);
      assert.match(response.body.error.message, /operator/, path);
    }
  });

  it('answers bad input with a 400 naming the field', async () => {
    const patches: Array<[unknown, string]> = [
      [{ emailAddress: 'not-an-address' }, 'emailAddress'],
      [{ active: 'yes' }, 'active'],
      [{ displayName: '' }, 'displayName'],
      [{ groups: { add: 'support' } }, 'groups.add'],
      [{ surprise: true }, 'surprise'],
      [{}, 'nothing to change'],
    ];
    for (const [body, field] of patches) {
      const response = await request(api)
        .patch('/api/users/u0001')
        .set(as('operator'))
        .send(body as object)
        .expect(400);
      assert.equal(response.body.error.code, 'bad_request');
      assert.match(
        response.body.error.message,
        new RegExp(field.replace('.', '\\.')),
        JSON.stringify(response.body),
      );
    }
    const bulk: Array<[string, string, string]> = [
      ['text/plain', 'username\nu0001\n', 'Content-Type'],
      ['text/csv', 'username,shoe_size\nu0001,9\n', 'header: unknown column.*shoe_size'],
      ['text/csv', 'email\na@example.com\n', 'header: the username column is missing'],
      ['text/csv', 'username\n', 'rows: no rows'],
      ['text/csv', 'username,email\n"u0001,a@example.com\n', 'body'],
      ['application/json', '{"users": []}', 'rows'],
    ];
    for (const [type, body, field] of bulk) {
      const response = await request(api)
        .post('/api/users/bulk-update')
        .set(as('operator'))
        .set('Content-Type', type)
        .send(body)
        .expect(400);
      assert.match(response.body.error.message, new RegExp(`^${field}`), JSON.stringify(response.body));
    }
    await request(api).get('/api/batches/batch-none?cursor=abc').set(as('viewer')).expect(404);
    await request(api).get('/api/batches/batch-none').set(as('viewer')).expect(404);
  });

  it('updates one user (202 with a batch id), keeping the key on a rename, and undoes it', async () => {
    const created = await request(api)
      .patch(`/api/users/${nameOf(1981)}`)
      .set(as('operator'))
      .send({
        name: 'carla',
        displayName: 'Carla C',
        emailAddress: 'carla@example.org',
        groups: { add: ['support'], remove: ['developers'] },
      })
      .expect(202);
    assert.match(created.body.batchId, /^batch-/);
    const batch = await waitForBatch(created.body.batchId);
    assert.deepEqual(batch.counts, { pending: 0, done: 1, failed: 0, skipped: 0 });
    const user = await stack.app.jira().getUser({ key: keyOf(1981) }, { expand: ['groups'] });
    assert.equal(user.name, 'carla');
    assert.equal(user.displayName, 'Carla C');
    assert.equal(user.emailAddress, 'carla@example.org');
    assert.deepEqual([...user.groups!].sort(), ['jira-software-users', 'support']);

    const bad = await request(api)
      .get(`/api/batches/${created.body.batchId}?limit=0`)
      .set(as('viewer'))
      .expect(400);
    assert.match(bad.body.error.message, /^limit/);
    const badCursor = await request(api)
      .get(`/api/batches/${created.body.batchId}?cursor=abc`)
      .set(as('viewer'))
      .expect(400);
    assert.match(badCursor.body.error.message, /^cursor/);

    // The same request again changes nothing: the row is skipped, saying why.
    const again = await request(api)
      .patch('/api/users/carla')
      .set(as('operator'))
      .send({ displayName: 'Carla C' })
      .expect(202);
    const repeated = await waitForBatch(again.body.batchId);
    assert.deepEqual(repeated.counts, { pending: 0, done: 0, failed: 0, skipped: 1 });

    await request(api).post(`/api/batches/${created.body.batchId}/undo`).set(as('operator')).expect(202);
    await waitForBatch(created.body.batchId, (b) => b.undo !== undefined);
    const restored = await stack.app.jira().getUser({ key: keyOf(1981) }, { expand: ['groups'] });
    assert.equal(restored.name, nameOf(1981));
    assert.equal(restored.displayName, 'User 1981');
    assert.equal(restored.emailAddress, `${nameOf(1981)}@example.com`);
    assert.deepEqual([...restored.groups!].sort(), ['developers', 'jira-software-users']);
  });

  it('applies a 2,000-row CSV with 50 bad rows: 1,950 applied and audited, 50 with their reasons; undo restores all', async () => {
    const bad = badRows();
    const rows = [...Array.from({ length: 1950 }, (_, i) => goodRow(i + 1)), ...bad.map(([row]) => row)];
    const csv = stringify(rows, { header: true, columns: Object.keys(rows[0]!) });
    const created = await request(api)
      .post('/api/users/bulk-update')
      .set(as('operator'))
      .set('Content-Type', 'text/csv')
      .send(csv)
      .expect(202);
    const batchId = created.body.batchId as string;
    const batch = await waitForBatch(batchId);
    assert.equal(batch.total, 2000);
    assert.deepEqual(batch.counts, { pending: 0, done: 1950, failed: 50, skipped: 0 });

    const outcomes = await allRows(batchId);
    assert.equal(outcomes.length, 2000);
    for (const [index, [, reason]] of bad.entries()) {
      const row = outcomes[1950 + index]!;
      assert.equal(row.outcome, 'failed', JSON.stringify(row));
      assert.match(row.reason ?? '', reason, JSON.stringify(row));
    }
    assert.ok(outcomes.slice(0, 1950).every((row) => row.outcome === 'done'));

    const numbers = Array.from({ length: 1950 }, (_, i) => i + 1);
    const after = await jiraUsers(numbers);
    for (const i of numbers) {
      const user = after.get(i)!;
      const groups = [...user.groups!].sort();
      const expectation = goodRow(i);
      if (i % 4 === 0) {
        assert.equal(user.name, `${nameOf(i)}-renamed`);
        assert.deepEqual(groups, ['developers', 'jira-software-users', 'support']);
      } else if (i % 4 === 1) {
        assert.equal(user.emailAddress, expectation.email);
        assert.equal(user.displayName, expectation.display_name);
      } else if (i % 4 === 2) {
        assert.equal(user.active, false);
        assert.deepEqual(groups, ['jira-software-users']);
      } else {
        assert.deepEqual(groups, ['jira-software-users', 'support']);
      }
    }
    // Refused rows changed nothing.
    const untouched = await jiraUsers([1951, 1971, 1995]);
    for (const [i, user] of untouched) {
      assert.equal(user.name, nameOf(i));
      assert.equal(user.displayName, `User ${i}`);
      assert.deepEqual([...user.groups!].sort(), ['developers', 'jira-software-users']);
    }

    let audited = 0;
    for await (const entry of stack.app.audit.stream({ runId: batchId })) {
      if (entry.action === 'update-user' && entry.outcome === 'done') audited += 1;
    }
    assert.equal(audited, 1950);

    const csvReport = await request(api).get(`/api/batches/${batchId}.csv`).set(as('viewer')).expect(200);
    assert.match(csvReport.headers['content-type'] ?? '', /text\/csv/);
    const records = parse(csvReport.text, { columns: true }) as Array<Record<string, string>>;
    assert.equal(records.length, 2000);
    records.forEach((record, index) => {
      const row = outcomes[index]!;
      assert.equal(record.row, String(row.row));
      assert.equal(record.username, row.username);
      assert.equal(record.outcome, row.outcome);
      assert.equal(record.reason, row.reason ?? '');
    });

    await request(api).post(`/api/batches/${batchId}/undo`).set(as('operator')).expect(202);
    const undone = await waitForBatch(batchId, (b) => b.undo !== undefined);
    assert.equal((undone.undo as { done: number }).done, 1950);
    const restored = await jiraUsers(numbers);
    for (const i of numbers) {
      const user = restored.get(i)!;
      assert.equal(user.name, nameOf(i));
      assert.equal(user.emailAddress, `${nameOf(i)}@example.com`);
      assert.equal(user.displayName, `User ${i}`);
      assert.equal(user.active, true);
      assert.deepEqual([...user.groups!].sort(), ['developers', 'jira-software-users'], nameOf(i));
    }
  });

  it('takes JSON rows too, an invalid row failing on its own', async () => {
    const created = await request(api)
      .post('/api/users/bulk-update')
      .set(as('operator'))
      .send({
        rows: [
          { username: nameOf(1982), displayName: 'Json Person' },
          { username: nameOf(1983), active: 'maybe' },
        ],
      })
      .expect(202);
    const batch = await waitForBatch(created.body.batchId);
    assert.deepEqual(batch.counts, { pending: 0, done: 1, failed: 1, skipped: 0 });
    const rows = await allRows(created.body.batchId);
    assert.match(rows[1]!.reason!, /^active: expected true or false/);
    assert.equal((await stack.app.jira().getUser(nameOf(1982))).displayName, 'Json Person');
  });
});
