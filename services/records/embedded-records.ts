import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { applyMigrations, type MigrationClient } from './migrate.js';
import {
  RecordsUnavailableError,
  assertNoNul,
  type RecordsDb,
  type RecordsQueryable,
  type RecordsResult,
} from './records-db.js';

/*
 * The embedded records store: PostgreSQL compiled to WebAssembly (PGlite), in a directory. One
 * process may open a directory: the first to open it writes its pid in a lock file, and any
 * other process is refused with a message that names `records.url`. Within that process every
 * opener (`reclaim start` runs the API and the workers side by side) shares one database, closed
 * when the last of them closes.
 */

export interface EmbeddedRecordsOptions {
  dataDir: string;
  appRole: string | null;
}

interface SharedDatabase {
  db: PGlite;
  ready: Promise<void>;
  openers: number;
  lockFile: string;
}

const open = new Map<string, SharedDatabase>();

export function openEmbeddedRecords(options: EmbeddedRecordsOptions): RecordsDb {
  const dir = resolve(options.dataDir);
  let shared = open.get(dir);
  if (!shared) {
    const lockFile = takeLock(dir);
    const db = new PGlite(dir);
    const ready = db.waitReady.then(async () => {
      await applyMigrations(migrationClient(db));
      if (options.appRole) await db.exec(`SET ROLE ${options.appRole}`);
    });
    ready.catch(() => {});
    shared = { db, ready, openers: 0, lockFile };
    open.set(dir, shared);
  }
  shared.openers++;
  const { db } = shared;
  const ready = shared.ready.catch((error: unknown) => {
    throw new RecordsUnavailableError(
      `records: the embedded store in ${dir} cannot be opened: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  });
  ready.catch(() => {});
  let closed = false;

  const query = async <R extends object>(text: string, params?: unknown[]): Promise<RecordsResult<R>> => {
    assertNoNul(params);
    await ready;
    return toResult<R>(await db.query<R>(text, params));
  };

  return {
    kind: 'embedded',
    location: dir,
    query,
    ready: () => ready,
    async transaction<T>(work: (tx: RecordsQueryable) => Promise<T>): Promise<T> {
      await ready;
      // PGlite runs one statement at a time; its transaction holds the database meanwhile.
      return db.transaction((tx) =>
        work({
          async query<R extends object>(text: string, params?: unknown[]) {
            assertNoNul(params);
            return toResult<R>(await tx.query<R>(text, params));
          },
        }),
      );
    },
    async close() {
      if (closed) return;
      closed = true;
      const entry = open.get(dir);
      if (!entry || --entry.openers > 0) return;
      open.delete(dir);
      await entry.ready.catch(() => {});
      await entry.db.close().catch(() => {});
      rmSync(entry.lockFile, { force: true });
    },
  };
}

function toResult<R>(result: { rows: R[]; affectedRows?: number }): RecordsResult<R> {
  return { rows: result.rows, rowCount: result.affectedRows || result.rows.length };
}

/** node-pg-migrate hands whole SQL files over as one query: PGlite runs those with exec(). */
function migrationClient(db: PGlite): MigrationClient {
  return {
    async query(text: string | { text: string; values?: unknown[] }, params?: unknown[]) {
      const sql = typeof text === 'string' ? text : text.text;
      const values = typeof text === 'string' ? params : text.values;
      if (values && values.length > 0) return toResult(await db.query(sql, values));
      const results = await db.exec(sql);
      const last = results.at(-1);
      return { rows: last?.rows ?? [], rowCount: last?.affectedRows ?? 0 };
    },
  } as MigrationClient;
}

/** The directory's lock file, taken for this process; refused while another live process holds it. */
function takeLock(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const lockFile = join(dir, 'reclaim.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return lockFile;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(lockFile, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
        throw new RecordsUnavailableError(
          `records: the embedded store in ${dir} is open in process ${holder}; only one process can use it. ` +
            'Stop that process, or set records.url (RECORDS_URL) to a PostgreSQL server to share the records',
        );
      }
      // Left behind by a process that is gone: take it over.
      rmSync(lockFile, { force: true });
    }
  }
  throw new RecordsUnavailableError(`records: could not take the lock file ${lockFile}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
