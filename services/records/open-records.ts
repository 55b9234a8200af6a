import type { RecordsConfig } from '../../config/schema.js';
import { openEmbeddedRecords } from './embedded-records.js';
import { openPostgresRecords } from './postgres-records.js';
import { RecordsUnavailableError, type RecordsDb } from './records-db.js';

/** The records store the configuration names: PostgreSQL at `records.url`, else the embedded one. */
export function openRecords(config: Readonly<RecordsConfig>): RecordsDb {
  return config.url
    ? openPostgresRecords({ url: config.url, poolSize: config.poolSize, appRole: config.appRole })
    : openEmbeddedRecords({ dataDir: config.dataDir, appRole: config.appRole });
}

/**
 * For a process that runs beside others (`reclaim api`, `reclaim worker`): they must share one
 * records store, which the embedded one cannot be.
 */
export function requireSharedRecords(config: Readonly<RecordsConfig>, role: string): void {
  if (config.url) return;
  throw new RecordsUnavailableError(
    `reclaim ${role} runs beside other processes and needs a shared records store: set records.url ` +
      '(or RECORDS_URL) to a PostgreSQL server. The embedded store (records.dataDir) serves a single ' +
      'process only: reclaim start or reclaim demo',
  );
}
