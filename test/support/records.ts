import { openPostgresRecords } from '../../services/records/postgres-records.js';
import type { RecordsDb } from '../../services/records/records-db.js';
import { SQL_SERVERS, createThrowawayDatabase, type ThrowawayDatabase } from './sql-databases.js';

/*
 * A records store of the test's own: a database created on the machine's PostgreSQL (or
 * PG_TEST_URL) under a unique name, migrated on first use, dropped afterwards.
 */

const POSTGRES_ADMIN_URL = SQL_SERVERS[0].admin;

/** Records databases by Redis prefix, so that every config built for a stack shares its records. */
const byPrefix = new Map<string, ThrowawayDatabase>();

export function createRecordsDatabase(label = 'records'): Promise<ThrowawayDatabase> {
  return createThrowawayDatabase(POSTGRES_ADMIN_URL, label);
}

/** A records database for everything configured under this Redis prefix (see stackConfig). */
export async function createRecordsFor(prefix: string): Promise<ThrowawayDatabase> {
  const database = await createRecordsDatabase('records');
  byPrefix.set(prefix, database);
  return {
    url: database.url,
    async drop() {
      byPrefix.delete(prefix);
      await database.drop();
    },
  };
}

/** The `records` config of a prefix set up with createRecordsFor. */
export function recordsConfigFor(prefix: string): { url: string } {
  const database = byPrefix.get(prefix);
  if (!database) {
    throw new Error(`no records database for prefix ${prefix}: await createRecordsFor(prefix) first`);
  }
  return { url: database.url };
}

export interface TestRecords {
  db: RecordsDb;
  url: string;
  /** Closes the store and drops its database. */
  close(): Promise<void>;
}

/** An open, migrated records store on a database of its own. */
export async function openTestRecords(label = 'records'): Promise<TestRecords> {
  const database = await createRecordsDatabase(label);
  const db = openPostgresRecords({ url: database.url, poolSize: 4, appRole: 'reclaim_app' });
  await db.ready();
  return {
    db,
    url: database.url,
    async close() {
      await db.close();
      await database.drop();
    },
  };
}
