import pg from 'pg';
import { applyMigrations } from './migrate.js';
import {
  RecordsUnavailableError,
  assertNoNul,
  describeRecordsUrl,
  type RecordsDb,
  type RecordsQueryable,
  type RecordsResult,
} from './records-db.js';

export interface PostgresRecordsOptions {
  url: string;
  poolSize: number;
  /** The role queries run as (`role` at connection start); null: the connecting user. */
  appRole: string | null;
  /** Apply pending migrations before the first query (default true). */
  migrate?: boolean;
}

/** The records store on a PostgreSQL server: a pool whose sessions run as the application's role. */
export function openPostgresRecords(options: PostgresRecordsOptions): RecordsDb {
  const location = describeRecordsUrl(options.url);
  // Migrations run as the connecting user (the schema's owner), on a connection of their own,
  // before the pool opens its first session as the application's role.
  const migrated = options.migrate === false ? Promise.resolve() : migrateAs(options.url, location);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    ...(options.appRole ? { options: `-c role=${options.appRole}` } : {}),
  });
  // An idle session that breaks (a server restart) is dropped; the next query opens another.
  pool.on('error', () => {});
  const ready = migrated.then(() => checkRole(pool, options.appRole, location));
  // Awaited by every query (and by ready()): left unawaited here, a failure is not "unhandled".
  ready.catch(() => {});
  let closing: Promise<void> | undefined;

  const query = async <R extends object>(text: string, params?: unknown[]): Promise<RecordsResult<R>> => {
    assertNoNul(params);
    await ready;
    const result = await pool.query(text, params as unknown[]);
    return { rows: result.rows as R[], rowCount: result.rowCount ?? result.rows.length };
  };

  return {
    kind: 'postgres',
    location,
    query,
    ready: () => ready,
    async transaction<T>(work: (tx: RecordsQueryable) => Promise<T>): Promise<T> {
      await ready;
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work({
          async query<R extends object>(text: string, params?: unknown[]) {
            assertNoNul(params);
            const r = await client.query(text, params as unknown[]);
            return { rows: r.rows as R[], rowCount: r.rowCount ?? r.rows.length };
          },
        });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    close() {
      // Idempotent: a process role and its test may both close the app.
      closing ??= ready.catch(() => {}).then(() => pool.end());
      return closing;
    },
  };
}

async function migrateAs(url: string, location: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch (error) {
    throw new RecordsUnavailableError(
      `records.url: cannot connect to ${location}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  try {
    await applyMigrations(client);
  } catch (error) {
    throw new RecordsUnavailableError(
      `records: the migrations of ${location} failed: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  } finally {
    await client.end().catch(() => {});
  }
}

/** A role the login user may not take fails every session: said once, naming the setting. */
async function checkRole(pool: pg.Pool, role: string | null, location: string): Promise<void> {
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new RecordsUnavailableError(
      role
        ? `records.appRole: cannot open a session of ${location} as role ${role}: ${why} ` +
            '(grant the login user that role, or set records.appRole: null)'
        : `records.url: cannot open a session of ${location}: ${why}`,
      { cause: error },
    );
  }
}
