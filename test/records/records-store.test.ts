import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedRecords } from '../../services/records/embedded-records.js';
import { openPostgresRecords } from '../../services/records/postgres-records.js';
import { RecordsUnavailableError, type RecordsDb } from '../../services/records/records-db.js';
import { spawnReclaim, writeConfigFile } from '../support/child.js';
import { createRecordsDatabase } from '../support/records.js';
import type { ThrowawayDatabase } from '../support/sql-databases.js';

const TABLES = [
  'audit_log',
  'audit_tail',
  'batch_rows',
  'batches',
  'first_seen',
  'licence_history',
  'plan_archives',
  'plan_lines',
  'records_meta',
  'restore_cursor',
  'restore_ledger',
  'restore_watch',
  'runs',
];

async function tablesOf(db: RecordsDb): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'reclaim_migrations' ORDER BY 1",
  );
  return rows.map((row) => row.name);
}

async function runCli(args: string[], env: Record<string, string> = {}) {
  const child = spawnReclaim(args, { REDIS_URL: '', RECORDS_URL: '', ...env });
  const { code } = await child.exited;
  return { code, output: child.output() };
}

describe('the records store', function () {
  this.timeout(60_000);

  describe('on PostgreSQL', () => {
    let database: ThrowawayDatabase;
    beforeEach(async () => {
      database = await createRecordsDatabase('store');
    });
    afterEach(async () => {
      await database.drop();
    });

    it('applies every migration at the first query, and none when opened again', async () => {
      const first = openPostgresRecords({ url: database.url, poolSize: 2, appRole: 'reclaim_app' });
      try {
        assert.deepEqual(await tablesOf(first), TABLES);
        const role = await first.query<{ role: string }>('SELECT current_user AS role');
        assert.equal(role.rows[0]!.role, 'reclaim_app', 'queries run as the application role');
      } finally {
        await first.close();
      }
      const config = writeConfigFile({ records: { url: database.url } });
      try {
        const again = await runCli(['records', 'migrate', '--config', config.file]);
        assert.equal(again.code, 0, again.output);
        assert.match(again.output, /is up to date/);
      } finally {
        config.remove();
      }
    });

    it('reclaim records migrate lists what it applies to a new database', async () => {
      const config = writeConfigFile({ records: { url: database.url } });
      try {
        const dry = await runCli(['records', 'migrate', '--dry-run', '--config', config.file]);
        assert.equal(dry.code, 0, dry.output);
        assert.match(dry.output, /would apply \d+ migration\(s\)[\s\S]*003_audit_log/);
        const applied = await runCli(['records', 'migrate', '--config', config.file]);
        assert.equal(applied.code, 0, applied.output);
        assert.match(
          applied.output,
          /applied \d+ migration\(s\)[\s\S]*000_app_role[\s\S]*006_licences_and_restores/,
        );
      } finally {
        config.remove();
      }
    });

    it('processes starting at once migrate once between them', async () => {
      const stores = Array.from({ length: 4 }, () =>
        openPostgresRecords({ url: database.url, poolSize: 1, appRole: 'reclaim_app' }),
      );
      try {
        await Promise.all(stores.map((store) => store.ready()));
        // The migrations table is the owner's: the application's role cannot even read it.
        await assert.rejects(stores[0]!.query('SELECT 1 FROM reclaim_migrations'), /permission denied/);
        const owner = openPostgresRecords({ url: database.url, poolSize: 1, appRole: null, migrate: false });
        try {
          const { rows } = await owner.query<{ name: string }>(
            'SELECT name FROM reclaim_migrations ORDER BY id',
          );
          assert.equal(rows.length, 7);
          assert.equal(new Set(rows.map((row) => row.name)).size, 7, 'each migration applied once');
        } finally {
          await owner.close();
        }
      } finally {
        await Promise.all(stores.map((store) => store.close()));
      }
    });

    it('a server that does not answer is an error that names records.url, without the password', async () => {
      const store = openPostgresRecords({
        url: 'postgres://reclaim:s3cret@127.0.0.1:1/reclaim',
        poolSize: 1,
        appRole: null,
      });
      try {
        await assert.rejects(store.ready(), (error: Error) => {
          assert.ok(error instanceof RecordsUnavailableError);
          assert.match(
            error.message,
            /records\.url: cannot connect to postgres:\/\/reclaim:\*\*\*@127\.0\.0\.1:1/,
          );
          assert.doesNotMatch(error.message, /s3cret/);
          return true;
        });
      } finally {
        await store.close();
      }
    });
  });

  describe('embedded (PGlite)', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'reclaim-records-'));
    });
    afterEach(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    it('keeps its records across a close and a reopen, with the same schema', async () => {
      const first = openEmbeddedRecords({ dataDir: dir, appRole: 'reclaim_app' });
      try {
        assert.deepEqual(await tablesOf(first), TABLES);
        await first.query("INSERT INTO records_meta (key, value) VALUES ('kept', 'yes')");
      } finally {
        await first.close();
      }
      const second = openEmbeddedRecords({ dataDir: dir, appRole: 'reclaim_app' });
      try {
        const { rows } = await second.query<{ value: string }>(
          "SELECT value FROM records_meta WHERE key = 'kept'",
        );
        assert.deepEqual(rows, [{ value: 'yes' }]);
      } finally {
        await second.close();
      }
    });

    it('is shared within a process and refused to a second process, naming records.url', async () => {
      const worker = openEmbeddedRecords({ dataDir: dir, appRole: null });
      const api = openEmbeddedRecords({ dataDir: dir, appRole: null });
      const config = writeConfigFile({ records: { dataDir: dir } });
      try {
        await worker.query("INSERT INTO records_meta (key, value) VALUES ('a', '1')");
        const { rows } = await api.query<{ n: number }>('SELECT count(*)::int AS n FROM records_meta');
        assert.equal(rows[0]!.n, 1);
        const other = await runCli(['records', 'migrate', '--config', config.file]);
        assert.equal(other.code, 1, other.output);
        assert.match(other.output, new RegExp(`open in process ${process.pid}.*records\\.url`));
      } finally {
        await worker.close();
        await api.close();
        config.remove();
      }
    });
  });

  for (const role of ['api', 'worker']) {
    it(`reclaim ${role} refuses the embedded store and names records.url`, async () => {
      const result = await runCli([role], { RECLAIM_CONFIG: '' });
      assert.equal(result.code, 1, result.output);
      assert.match(
        result.output,
        new RegExp(`reclaim ${role} .*needs a shared records store: set records\\.url`),
      );
    });
  }
});
