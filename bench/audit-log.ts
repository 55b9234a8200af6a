/*
 * The audit log in PostgreSQL: `--stores` records stores (each a pool of its own, as separate
 * worker processes have) append `--entries` entries between them at once, `--concurrency`
 * appends in flight per store; then the whole chain is verified, and the first page of one
 * user's entries and of one run's read back.
 *
 *   npx tsx bench/audit-log.ts [--entries 20000] [--stores 4] [--concurrency 8]
 *
 * On a throwaway database of the machine's PostgreSQL (PG_TEST_URL to use another server).
 */
import { parseArgs } from 'node:util';
import { AuditLog } from '../services/audit/audit-log.js';
import type { NewAuditEntry } from '../services/audit/types.js';
import { openPostgresRecords } from '../services/records/postgres-records.js';
import { createThrowawayDatabase } from '../test/support/sql-databases.js';

const { values } = parseArgs({
  options: {
    entries: { type: 'string', default: '20000' },
    stores: { type: 'string', default: '4' },
    concurrency: { type: 'string', default: '8' },
  },
});
const total = Number(values.entries);
const storeCount = Number(values.stores);
const concurrency = Number(values.concurrency);
const RUNS = 20;

function entry(i: number): NewAuditEntry {
  const key = `JIRAUSER${100000 + (i % 5000)}`;
  return {
    runId: `run-bench-${i % RUNS}`,
    actionId: `run-bench-${i % RUNS}-${key}-${i}`,
    actor: 'schedule:weekly',
    action: 'revoke-license',
    user: { key, name: `user${i % 5000}` },
    before: { key, name: `user${i % 5000}`, active: true, groups: ['developers', 'jira-software-users'] },
    after: { key, name: `user${i % 5000}`, active: true, groups: ['developers'] },
    outcome: 'done',
    changes: [{ op: 'remove-group', group: 'jira-software-users' }],
  };
}

const database = await createThrowawayDatabase(
  process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  'bench_audit',
);
const stores = Array.from({ length: storeCount }, () =>
  openPostgresRecords({ url: database.url, poolSize: concurrency, appRole: 'reclaim_app' }),
);
try {
  await Promise.all(stores.map((store) => store.ready()));
  const logs = stores.map((store) => new AuditLog(store));
  let next = 0;
  const started = performance.now();
  await Promise.all(
    logs.flatMap((log) =>
      Array.from({ length: concurrency }, async () => {
        for (let i = next++; i < total; i = next++) await log.append(entry(i));
      }),
    ),
  );
  const appendMs = performance.now() - started;
  const audit = logs[0]!;

  const verifyStarted = performance.now();
  const verdict = await audit.verify();
  const verifyMs = performance.now() - verifyStarted;

  const timed = async (work: () => Promise<unknown>) => {
    const at = performance.now();
    await work();
    return performance.now() - at;
  };
  const userPageMs = await timed(() => audit.entries({ userKey: 'JIRAUSER100042', limit: 100 }));
  const runPageMs = await timed(() => audit.entries({ runId: 'run-bench-7', limit: 100 }));
  const { rows } = await stores[0]!.query<{ bytes: number }>(
    "SELECT pg_total_relation_size('audit_log')::float8 AS bytes",
  );

  console.log(
    JSON.stringify(
      {
        entries: total,
        stores: storeCount,
        concurrencyPerStore: concurrency,
        appendSeconds: +(appendMs / 1000).toFixed(1),
        appendsPerSecond: Math.round(total / (appendMs / 1000)),
        verify: verdict,
        verifySeconds: +(verifyMs / 1000).toFixed(2),
        firstPageOfUserMs: Math.round(userPageMs),
        firstPageOfRunMs: Math.round(runPageMs),
        tableMiB: +(rows[0]!.bytes / 2 ** 20).toFixed(1),
      },
      null,
      2,
    ),
  );
} finally {
  await Promise.all(stores.map((store) => store.close()));
  await database.drop();
}
