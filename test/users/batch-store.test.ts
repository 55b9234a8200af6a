import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedRecords } from '../../services/records/embedded-records.js';
import type { RecordsDb } from '../../services/records/records-db.js';
import { BATCH_RETAIN_DAYS, BatchStore } from '../../services/users/batch-store.js';
import type { BatchRow, UserProfile } from '../../services/users/types.js';
import { openTestRecords, type TestRecords } from '../support/records.js';

const profile = (name: string, groups: string[]): UserProfile => ({
  key: 'JIRAUSER1',
  name,
  active: true,
  groups,
  emailAddress: `${name}@example.com`,
  displayName: null,
});

/** `n` pending rows asking for a display name, and one row that did not parse. */
function received(n: number): BatchRow[] {
  const rows: BatchRow[] = Array.from({ length: n }, (_, i) => ({
    row: i + 1,
    username: `u${i + 1}`,
    update: { displayName: `User ${i + 1}`, groups: { add: ['support'], remove: [] } },
    outcome: 'pending',
  }));
  rows.push({ row: n + 1, username: 'bad', outcome: 'failed', reason: 'email: expected an e-mail address' });
  return rows;
}

/** The same behaviour on the server and on the embedded store. */
function batchStoreBehaviour(open: () => Promise<{ db: RecordsDb; close(): Promise<void> }>) {
  let store: BatchStore;
  let db: RecordsDb;
  let close: () => Promise<void>;
  before(async () => {
    ({ db, close } = await open());
    store = new BatchStore(db);
  });
  after(() => close());

  it('knows no batch it was not given', async () => {
    assert.equal(await store.get('batch-none'), null);
    assert.equal(await store.row('batch-none', 1), null);
    assert.deepEqual(await store.rows('batch-none', 1, 10), []);
  });

  it('receives rows, counts them, is sealed with its total and pages its rows in order', async () => {
    const before = Date.now();
    await store.create('batch-a', 'api:ops');
    const fresh = await store.get('batch-a');
    assert.equal(fresh?.status, 'receiving');
    assert.equal(fresh?.total, null);
    assert.deepEqual(fresh?.counts, { pending: 0, done: 0, failed: 0, skipped: 0 });
    assert.equal(fresh?.actor, 'api:ops');
    assert.ok(Date.parse(fresh!.createdAt) >= before - 5_000, fresh?.createdAt);

    const rows = received(1200);
    await store.addRows('batch-a', rows.slice(0, 500));
    await store.addRows('batch-a', rows.slice(500));
    await store.addRows('batch-a', rows.slice(0, 500)); // a chunk sent again adds nothing
    await store.addRows('batch-a', []);
    assert.equal((await store.get('batch-a'))?.status, 'receiving');
    await store.seal('batch-a', 1201);
    const sealed = await store.get('batch-a');
    assert.equal(sealed?.status, 'running');
    assert.equal(sealed?.total, 1201);
    assert.deepEqual(sealed?.counts, { pending: 1200, done: 0, failed: 1, skipped: 0 });

    const page = await store.rows('batch-a', 1195, 10);
    assert.deepEqual(
      page.map((row) => row.row),
      [1195, 1196, 1197, 1198, 1199, 1200, 1201],
    );
    assert.deepEqual(page[0], rows[1194]);
    assert.deepEqual(page.at(-1), rows[1200]);
    assert.deepEqual(await store.row('batch-a', 7), rows[6]);
  });

  it('records an outcome once, over the pending row as read, counted with it', async () => {
    const pending = (await store.row('batch-a', 1))!;
    const done = { outcome: 'done' as const, key: 'JIRAUSER1', changes: [] };
    const stale = { ...pending, update: { displayName: 'Someone else' } };
    assert.equal(await store.recordOutcome('batch-a', stale, done), false, 'not the row as stored');

    const [first, second] = await Promise.all([
      store.recordOutcome('batch-a', pending, done),
      store.recordOutcome('batch-a', pending, { outcome: 'failed', reason: 'timeout' }),
    ]);
    assert.equal([first, second].filter(Boolean).length, 1, 'one of two attempts at once');
    assert.equal(await store.recordOutcome('batch-a', pending, done), false, 'a retry later');

    const row = (await store.row('batch-a', 1))!;
    const counts = (await store.get('batch-a'))!.counts;
    assert.equal(counts.pending, 1199);
    assert.equal(counts.done + counts.failed, 2, 'the one recorded and the row that did not parse');
    if (first) {
      assert.deepEqual(row, { row: 1, username: 'u1', outcome: 'done', key: 'JIRAUSER1', changes: [] });
    } else {
      assert.deepEqual(row, { row: 1, username: 'u1', outcome: 'failed', reason: 'timeout' });
    }
  });

  it('counts every row exactly once when each job is delivered three times at once', async () => {
    const rows = (await store.rows('batch-a', 2, 1199)).filter((row) => row.outcome === 'pending');
    assert.equal(rows.length, 1199);
    const attempt = (row: BatchRow) =>
      store.recordOutcome('batch-a', row, {
        outcome: row.row % 10 === 0 ? 'skipped' : 'done',
        key: `JIRAUSER${row.row}`,
        changes: [{ op: 'update', field: 'displayName', from: null, to: `User ${row.row}` }],
        ...(row.row % 10 === 0 ? { reason: 'already as requested: nothing to change' } : {}),
      });
    let recorded = 0;
    for (let i = 0; i < rows.length; i += 100) {
      const wave = rows.slice(i, i + 100).flatMap((row) => [attempt(row), attempt(row), attempt(row)]);
      recorded += (await Promise.all(wave)).filter(Boolean).length;
    }
    assert.equal(recorded, 1199);
    const batch = (await store.get('batch-a'))!;
    assert.equal(batch.status, 'done');
    assert.equal(batch.counts.pending, 0);
    assert.equal(batch.counts.skipped, 120, 'rows 10, 20 … 1200');
    assert.equal(batch.counts.done + batch.counts.skipped + batch.counts.failed, 1201);
    const { rows: stored } = await db.query<{ outcome: string; n: number }>(
      "SELECT outcome, count(*)::int AS n FROM batch_rows WHERE batch_id = 'batch-a' GROUP BY outcome ORDER BY outcome",
    );
    assert.deepEqual(
      Object.fromEntries(stored.map((row) => [row.outcome, row.n])),
      Object.fromEntries(Object.entries(batch.counts).filter(([, n]) => n > 0)),
      'the counts are the rows',
    );
    const shown = (await store.row('batch-a', 20))!;
    assert.equal(shown.update, undefined, 'a row with its outcome no longer shows the update');
    assert.deepEqual(shown.changes, [{ op: 'update', field: 'displayName', from: null, to: 'User 20' }]);
  });

  it('keeps the user as the first attempt read it', async () => {
    assert.equal(await store.subject('batch-a', 3), null);
    const first = profile('u3', ['developers']);
    const [a, b] = await Promise.all([
      store.rememberSubject('batch-a', 3, first),
      store.rememberSubject('batch-a', 3, first),
    ]);
    assert.deepEqual(a, first);
    assert.deepEqual(b, first);
    const renamed = await store.rememberSubject('batch-a', 3, profile('u3-renamed', ['support']));
    assert.deepEqual(renamed, first, 'a retry after a rename gets the first state');
    assert.deepEqual(await store.subject('batch-a', 3), first);
  });

  it('records the undo summary', async () => {
    const summary = {
      at: '2026-11-30T10:00:00.000Z',
      by: 'api:ops',
      done: 1079,
      skipped: 120,
      notPossible: 2,
    };
    await store.recordUndo('batch-a', summary);
    assert.deepEqual((await store.get('batch-a'))?.undo, summary);
  });

  it('discards a refused batch with its rows', async () => {
    await store.create('batch-refused', 'cli:ops');
    await store.addRows('batch-refused', received(10));
    await store.discard('batch-refused');
    assert.equal(await store.get('batch-refused'), null);
    assert.deepEqual(await store.rows('batch-refused', 1, 20), []);
  });

  it(`keeps a batch ${BATCH_RETAIN_DAYS} days after its last change, then removes it`, async () => {
    await store.create('batch-old', 'cli:ops');
    await store.addRows('batch-old', received(3));
    await store.seal('batch-old', 4);
    await db.query(
      `UPDATE batches SET updated_at = now() - interval '${BATCH_RETAIN_DAYS - 1} days' WHERE id = 'batch-old'`,
    );
    assert.equal((await store.get('batch-old'))?.total, 4, 'still within its retention');
    await db.query(
      `UPDATE batches SET updated_at = now() - interval '${BATCH_RETAIN_DAYS + 1} days' WHERE id = 'batch-old'`,
    );
    assert.equal(await store.get('batch-old'), null, 'past it: no longer found');
    await store.create('batch-new', 'cli:ops');
    const { rows } = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM batch_rows WHERE batch_id = 'batch-old'",
    );
    assert.equal(rows[0]!.n, 0, 'removed with its rows once the next batch is created');
    assert.equal((await store.get('batch-a'))?.total, 1201, 'a batch changed recently stays');
  });
}

describe('batch store', function () {
  this.timeout(120_000);

  describe('on PostgreSQL', () => {
    batchStoreBehaviour(async () => {
      const records: TestRecords = await openTestRecords('batches');
      return { db: records.db, close: () => records.close() };
    });
  });

  describe('on the embedded store', () => {
    batchStoreBehaviour(async () => {
      const dir = mkdtempSync(join(tmpdir(), 'reclaim-batches-'));
      const db = openEmbeddedRecords({ dataDir: dir, appRole: 'reclaim_app' });
      return {
        db,
        async close() {
          await db.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    });
  });
});
