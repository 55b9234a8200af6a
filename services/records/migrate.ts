import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import type { RecordsQueryable } from './records-db.js';

/*
 * The records schema is kept as ordered SQL migrations (./migrations, `NNN_name.sql` with
 * `-- Up Migration` / `-- Down Migration` sections), applied by node-pg-migrate at start-up and
 * by `reclaim records migrate`. Several processes starting at once wait for each other on
 * node-pg-migrate's advisory lock; each migration runs in one transaction with the others.
 *
 * A migration that creates a table grants the application's role (`reclaim_app`, created by
 * 000) what it needs on it, and nothing more: the audit log gets SELECT and INSERT only.
 */

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations', import.meta.url));
export const MIGRATIONS_TABLE = 'reclaim_migrations';

/** The client node-pg-migrate drives: a connected one of its own, or the embedded database. */
export type MigrationClient = RecordsQueryable & {
  query(
    text: string | { text: string; values?: unknown[] },
    params?: unknown[],
  ): Promise<{ rows: unknown[] }>;
};

export interface MigrationResult {
  /** The migrations this call applied, in order (empty when the schema was up to date). */
  applied: string[];
}

export async function applyMigrations(
  client: MigrationClient,
  options: { dryRun?: boolean } = {},
): Promise<MigrationResult> {
  const applied = await runner({
    dbClient: client as never,
    dir: MIGRATIONS_DIR,
    direction: 'up',
    migrationsTable: MIGRATIONS_TABLE,
    singleTransaction: true,
    advisoryLockMode: 'wait',
    checkOrder: true,
    dryRun: options.dryRun === true,
    log: () => {},
    logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
  return { applied: applied.map((migration) => migration.name) };
}
