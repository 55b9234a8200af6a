import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { entryHash } from '../../services/audit/audit-hash.js';
import { AuditLog } from '../../services/audit/audit-log.js';
import { GENESIS_HASH, type AuditEntry } from '../../services/audit/types.js';
import { openEmbeddedRecords } from '../../services/records/embedded-records.js';
import { openPostgresRecords } from '../../services/records/postgres-records.js';
import { canonicalJson } from '../../services/runs/canonical-json.js';
import { openTestRecords, type TestRecords } from '../support/records.js';
import { revokeEntry } from './audit-entries.js';

/**
 * A session as the database's owner (postgres), with triggers off the way replication applies
 * rows: what a superuser tampering with the log can do that the application's role cannot.
 */
async function asSuperuser(url: string, work: (client: pg.Client) => Promise<void>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('SET session_replication_role = replica');
    await work(client);
  } finally {
    await client.end();
  }
}

function ids(count: number): string[] {
  return Array.from({ length: count }, (_, i) => String(i + 1).padStart(12, '0'));
}

describe('audit log', () => {
  /** Each test gets a database of its own: the chain starts empty. */
  let records: TestRecords;
  let audit: AuditLog;

  beforeEach(async () => {
    records = await openTestRecords('audit');
    audit = new AuditLog(records.db);
  });
  afterEach(async () => {
    await records.close();
  });

  async function appendMany(count: number, runId?: string): Promise<AuditEntry[]> {
    const logged: AuditEntry[] = [];
    for (let i = 1; i <= count; i++) logged.push(await audit.append(revokeEntry(`a${i}`, runId)));
    return logged;
  }

  it('chains each entry to the one before and verifies the chain', async () => {
    const [first, second, third] = await appendMany(3);
    assert.equal(first!.id, '000000000001');
    assert.equal(first!.prevHash, GENESIS_HASH);
    assert.equal(second!.prevHash, first!.hash);
    assert.equal(third!.prevHash, second!.hash);
    assert.match(third!.hash, /^[0-9a-f]{64}$/);
    const { hash, ...unsigned } = third!;
    assert.equal(entryHash(unsigned), hash);
    assert.deepEqual(await audit.get(third!.id), third);
    assert.deepEqual(await audit.verify(), { ok: true, count: 3 });
  });

  it('an empty log verifies with no entries', async () => {
    assert.deepEqual(await audit.verify(), { ok: true, count: 0 });
    assert.equal(await audit.count(), 0);
  });

  describe("the application's role", () => {
    it('cannot UPDATE, DELETE or TRUNCATE the log', async () => {
      await appendMany(2);
      const role = await records.db.query<{ role: string }>('SELECT current_user AS role');
      assert.equal(role.rows[0]!.role, 'reclaim_app');
      await assert.rejects(
        records.db.query(`UPDATE audit_log SET entry = '{}' WHERE seq = 1`),
        /permission denied for table audit_log/,
      );
      await assert.rejects(records.db.query('DELETE FROM audit_log WHERE seq = 2'), /permission denied/);
      await assert.rejects(records.db.query('TRUNCATE audit_log'), /permission denied/);
      await assert.rejects(records.db.query('DELETE FROM audit_tail'), /permission denied/);
      await assert.rejects(
        records.db.query(`INSERT INTO audit_tail (only_row, seq, hash) VALUES (false, 9, 'x')`),
        /permission denied/,
      );
      assert.deepEqual(await audit.verify(), { ok: true, count: 2 });
    });

    it('and the owner, subject to the trigger, cannot change an entry either', async () => {
      await appendMany(1);
      const owner = new pg.Client({ connectionString: records.url });
      await owner.connect();
      try {
        await assert.rejects(owner.query(`UPDATE audit_log SET hash = 'x'`), /append-only: UPDATE refused/);
        await assert.rejects(owner.query('DELETE FROM audit_log'), /append-only: DELETE refused/);
      } finally {
        await owner.end();
      }
      assert.deepEqual(await audit.verify(), { ok: true, count: 1 });
    });
  });

  describe('names the first entry a superuser tampered with', () => {
    it("an entry's text altered", async () => {
      await appendMany(4);
      await asSuperuser(records.url, async (client) => {
        const { rows } = await client.query<{ entry: string }>('SELECT entry FROM audit_log WHERE seq = 3');
        const stored = JSON.parse(rows[0]!.entry) as AuditEntry;
        stored.after!.active = false;
        const updated = await client.query('UPDATE audit_log SET entry = $1 WHERE seq = 3', [
          canonicalJson(stored),
        ]);
        assert.equal(updated.rowCount, 1);
      });
      const verdict = await audit.verify();
      assert.ok(!verdict.ok);
      assert.equal(verdict.entryId, '000000000003');
      assert.match(verdict.problem, /altered/);
    });

    it("an entry's hash altered", async () => {
      await appendMany(3);
      await asSuperuser(records.url, async (client) => {
        await client.query(`UPDATE audit_log SET hash = repeat('a', 64) WHERE seq = 2`);
      });
      const verdict = await audit.verify();
      assert.ok(!verdict.ok);
      assert.equal(verdict.entryId, '000000000002');
      assert.match(verdict.problem, /altered/);
    });

    it('an entry re-hashed after tampering: the next one no longer links to it', async () => {
      await appendMany(3);
      await asSuperuser(records.url, async (client) => {
        const { rows } = await client.query<{ entry: string }>('SELECT entry FROM audit_log WHERE seq = 2');
        const unsigned = { ...(JSON.parse(rows[0]!.entry) as Omit<AuditEntry, 'hash'>), outcome: 'skipped' };
        await client.query('UPDATE audit_log SET entry = $1, hash = $2 WHERE seq = 2', [
          canonicalJson(unsigned),
          entryHash(unsigned as Omit<AuditEntry, 'hash'>),
        ]);
      });
      const verdict = await audit.verify();
      assert.ok(!verdict.ok);
      assert.equal(verdict.entryId, '000000000003');
      assert.match(verdict.problem, /prevHash/);
    });

    it('an entry moved to another run (its column, not its text)', async () => {
      await appendMany(3, 'run-a');
      await asSuperuser(records.url, async (client) => {
        await client.query(`UPDATE audit_log SET run_id = 'run-b' WHERE seq = 2`);
      });
      const verdict = await audit.verify();
      assert.ok(!verdict.ok);
      assert.equal(verdict.entryId, '000000000002');
      assert.match(verdict.problem, /run_id/);
    });

    it('an entry deleted from the middle: the gap', async () => {
      await appendMany(4);
      await asSuperuser(records.url, async (client) => {
        assert.equal((await client.query('DELETE FROM audit_log WHERE seq = 2')).rowCount, 1);
      });
      const middle = await audit.verify();
      assert.ok(!middle.ok);
      assert.equal(middle.entryId, '000000000002');
      assert.match(middle.problem, /missing/);
      const page = await audit.entries({ limit: 10 });
      assert.deepEqual(
        page.entries.map((entry) => entry.id),
        ['000000000001', '000000000003', '000000000004'],
      );
    });

    it('the last entries deleted: the log still ends where it did', async () => {
      await appendMany(4);
      await asSuperuser(records.url, async (client) => {
        await client.query('DELETE FROM audit_log WHERE seq >= 3');
      });
      const verdict = await audit.verify();
      assert.ok(!verdict.ok);
      assert.equal(verdict.entryId, '000000000003');
      assert.match(verdict.problem, /missing/);
      // The next entry still goes after the removed ones, so the gap stays visible.
      assert.equal((await audit.append(revokeEntry('after-removal'))).id, '000000000005');
    });
  });

  it('4 stores with pools of their own append 200 entries at once: one unbroken chain', async () => {
    const stores = Array.from({ length: 4 }, () =>
      openPostgresRecords({ url: records.url, poolSize: 4, appRole: 'reclaim_app' }),
    );
    try {
      const logs = stores.map((store) => new AuditLog(store));
      const logged = await Promise.all(
        Array.from({ length: 200 }, (_, i) => logs[i % 4]!.append(revokeEntry(`parallel-${i}`))),
      );
      assert.deepEqual(logged.map((entry) => entry.id).sort(), ids(200));
      const all: AuditEntry[] = [];
      for await (const entry of audit.stream()) all.push(entry);
      assert.deepEqual(
        all.map((entry) => entry.id),
        ids(200),
      );
      assert.deepEqual(
        all.map((entry) => entry.actionId).sort(),
        Array.from({ length: 200 }, (_, i) => `parallel-${i}`).sort(),
      );
      for (let i = 1; i < all.length; i++) assert.equal(all[i]!.prevHash, all[i - 1]!.hash);
      assert.deepEqual(await audit.verify(), { ok: true, count: 200 });
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  it('logs a retried action once, even when retries in separate processes race', async () => {
    const stores = Array.from({ length: 4 }, () =>
      openPostgresRecords({ url: records.url, poolSize: 2, appRole: 'reclaim_app' }),
    );
    try {
      const logs = stores.map((store) => new AuditLog(store));
      for (let round = 0; round < 5; round++) {
        const raced = await Promise.all(
          [...logs, ...logs].map((log) => log.append(revokeEntry(`retried-${round}`))),
        );
        for (const entry of raced) assert.deepEqual(entry, raced[0]);
      }
      assert.equal(await audit.count(), 5);
      const { rows } = await records.db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log');
      assert.equal(rows[0]!.n, 5);
      assert.deepEqual(await audit.verify(), { ok: true, count: 5 });
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }

    const first = await audit.findByAction('retried-0');
    assert.equal(first!.id, '000000000001');
    assert.deepEqual(await audit.append(revokeEntry('retried-0')), first);
    assert.equal(await audit.findByAction('never-logged'), null);
    const undo = await audit.append({
      ...revokeEntry('retried-0'),
      action: 'undo:revoke-license',
      undoOf: first!.id,
    });
    assert.equal(undo.idempotencyKey, 'retried-0:undo');
    assert.deepEqual(await audit.findByKey('retried-0:undo'), undo);
    assert.equal(await audit.count(), 6);
  });

  it('pages the whole log, one run and one user in log order', async () => {
    await audit.append(revokeEntry('x1', 'run-a'));
    await audit.append(revokeEntry('x2', 'run-b'));
    await audit.append(revokeEntry('x3', 'run-a'));
    await audit.append(revokeEntry('x4', 'run-a'));
    await audit.append(revokeEntry('x5', 'run-b'));
    await audit.append({ ...revokeEntry('x6', 'run-b'), user: { key: 'JIRAUSER-x1', name: 'user-x1' } });

    const first = await audit.entries({ limit: 2 });
    assert.deepEqual(
      first.entries.map((e) => e.actionId),
      ['x1', 'x2'],
    );
    assert.equal(first.nextFromId, '000000000003');
    const rest = await audit.entries({ limit: 10, fromId: first.nextFromId! });
    assert.deepEqual(
      rest.entries.map((e) => e.actionId),
      ['x3', 'x4', 'x5', 'x6'],
    );
    assert.equal(rest.nextFromId, null);

    const runA = await audit.entries({ runId: 'run-a', limit: 2 });
    assert.deepEqual(
      runA.entries.map((e) => e.actionId),
      ['x1', 'x3'],
    );
    assert.equal(runA.nextFromId, '000000000004');
    const runARest = await audit.entries({ runId: 'run-a', limit: 2, fromId: runA.nextFromId! });
    assert.deepEqual(
      runARest.entries.map((e) => e.actionId),
      ['x4'],
    );
    assert.equal(runARest.nextFromId, null);

    const streamed = [];
    for await (const entry of audit.stream({ runId: 'run-b' })) streamed.push(entry.actionId);
    assert.deepEqual(streamed, ['x2', 'x5', 'x6']);
    const ofUser = [];
    for await (const entry of audit.stream({ userKey: 'JIRAUSER-x1' })) ofUser.push(entry.actionId);
    assert.deepEqual(ofUser, ['x1', 'x6']);
    await assert.rejects(audit.entries({ limit: 1, fromId: 'abc' }), /not an audit entry id/);
  });

  it('streams and verifies more entries than one page or batch holds, in order', async () => {
    const total = 1_200;
    for (let i = 1; i <= total; i++) await audit.append(revokeEntry(`bulk-${i}`));
    let count = 0;
    let lastId = '';
    for await (const entry of audit.stream()) {
      assert.ok(entry.id > lastId);
      lastId = entry.id;
      count++;
    }
    assert.equal(count, total);
    assert.deepEqual(await audit.verify(), { ok: true, count: total });
    await asSuperuser(records.url, async (client) => {
      await client.query('DELETE FROM audit_log WHERE seq = 1100');
    });
    const verdict = await audit.verify();
    assert.ok(!verdict.ok);
    assert.equal(verdict.entryId, '000000001100');
  });
});

describe('audit log on the embedded store', () => {
  it('appends, pages and verifies the chain on PGlite as on PostgreSQL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reclaim-audit-'));
    const db = openEmbeddedRecords({ dataDir: dir, appRole: 'reclaim_app' });
    try {
      const audit = new AuditLog(db);
      const logged = await Promise.all(
        Array.from({ length: 20 }, (_, i) => audit.append(revokeEntry(`embedded-${i % 10}`))),
      );
      assert.equal(new Set(logged.map((entry) => entry.id)).size, 10);
      assert.equal(await audit.count(), 10);
      const page = await audit.entries({ limit: 4, fromId: '000000000003' });
      assert.deepEqual(
        page.entries.map((entry) => entry.id),
        ids(6).slice(2),
      );
      assert.equal(page.nextFromId, '000000000007');
      assert.deepEqual(await audit.verify(), { ok: true, count: 10 });
      await assert.rejects(db.query('DELETE FROM audit_log'), /permission denied/);
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
