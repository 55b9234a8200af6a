/*
 * The inactive report over a large plan: N synthetic plan lines recorded straight into a
 * PlanStore (no Jira, no workers), the run moved to planned and its plan archived into a records
 * database of the bench's own (as a real run's finishing step does), then the first page (100
 * lines) of several filters timed, each 3 times: SQL over plan_lines.
 *
 *   npx tsx bench/report-filter.ts [--users 1000000] [--shared-redis]
 *
 * A throwaway redis-server by default (--shared-redis: REDIS_URL or 127.0.0.1:6379 instead).
 */
import { parseArgs } from 'node:util';
import { configSchema } from '../config/schema.js';
import { createRedis } from '../queues/connection.js';
import { ensureRedis, startThrowawayRedis } from '../runtime/local-redis.js';
import { deletePrefixKeys, settledUsedMemory } from '../runtime/prefix-keys.js';
import {
  reportPage,
  DEFAULT_REPORT_VERDICTS,
  type ReportFilter,
} from '../services/reports/inactive-report.js';
import { openPostgresRecords } from '../services/records/postgres-records.js';
import { PlanStore } from '../services/runs/plan-store.js';
import { RunLifecycle } from '../services/runs/run-lifecycle.js';
import { RunStore } from '../services/runs/run-store.js';
import type { PlanLine } from '../services/runs/types.js';
import { createThrowawayDatabase } from '../test/support/sql-databases.js';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '1000000' },
    'shared-redis': { type: 'boolean', default: false },
  },
});
const users = Number(values.users);
const redisServer = values['shared-redis'] ? await ensureRedis() : await startThrowawayRedis();
const prefix = `bench-report-${Date.now()}`;
const redis = createRedis(redisServer.url, 'worker', 'bench-report');
const database = await createThrowawayDatabase(
  process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  'bench',
);
const records = openPostgresRecords({ url: database.url, poolSize: 4, appRole: 'reclaim_app' });
const runs = new RunStore(redis, prefix, records);
const plans = new PlanStore(redis, prefix, records, runs);
const lifecycle = new RunLifecycle(runs);
const DAY = 24 * 3600 * 1000;

try {
  const run = await runs.create({
    mode: 'dry-run',
    trigger: { type: 'cli', by: 'bench' },
    policy: configSchema.parse({}).policy,
  });
  const asOf = Date.parse(run.asOf);
  const line = (i: number): PlanLine => {
    const kind = i % 20;
    const verdict =
      kind < 12 ? 'keep' : kind < 17 ? 'inactive' : kind < 19 ? 'never-logged-in' : 'left-company';
    const days = verdict === 'keep' ? i % 90 : 91 + ((i * 37) % 400);
    const lastLogin = verdict === 'never-logged-in' ? null : new Date(asOf - days * DAY).toISOString();
    const licence = i % 3 === 0 ? 'jira-servicedesk-users' : 'jira-software-users';
    return {
      key: `JIRAUSER${100000 + i}`,
      name: `user${i}`,
      displayName: `User Number ${i}`,
      emailAddress: `user${i}@example.com`,
      active: true,
      lastLogin,
      lastLoginStatus: lastLogin === null ? 'never' : 'known',
      verdict,
      actions: verdict === 'keep' ? [] : [{ type: 'revoke-license', groups: [licence] }],
      reasons: [
        { signal: 'last-login', rule: 'last login more than inactiveDays before asOf', threshold: '90 days' },
      ],
    };
  };
  const settledUsed = () => settledUsedMemory(redis);
  const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  const usedBefore = await settledUsed();
  const started = Date.now();
  await lifecycle.startEvaluating(run.id);
  for (let from = 0; from < users; from += 1_000) {
    await Promise.all(
      Array.from({ length: Math.min(1_000, users - from) }, (_, j) => plans.record(run.id, line(from + j))),
    );
  }
  await lifecycle.markPlanned(run.id);
  const usedWithPlan = await settledUsed();
  const recorded = Date.now();
  await plans.archive(run.id);
  const archived = Date.now();
  console.log(
    `recorded ${users.toLocaleString('en-US')} plan lines in ${((recorded - started) / 1000).toFixed(1)} s, archived them in ${((archived - recorded) / 1000).toFixed(1)} s`,
  );
  const { rows: sizes } = await records.query<{ bytes: number; heap: number }>(
    `SELECT pg_total_relation_size('plan_lines')::float8 AS bytes, pg_relation_size('plan_lines')::float8 AS heap`,
  );
  console.log(
    `plan_lines: ${mib(sizes[0]!.bytes)} with its indexes (${mib(sizes[0]!.heap)} of rows), ${Math.round(sizes[0]!.bytes / users)} bytes per user`,
  );
  const usedAfter = await settledUsed();
  console.log(
    `Redis used_memory: ${mib(usedBefore)} before, ${mib(usedWithPlan)} with the live plan, ${mib(usedAfter)} after the archive (${(((usedAfter - usedBefore) / usedBefore) * 100).toFixed(1)} % from before)`,
  );

  const filters: Array<[string, Omit<ReportFilter, 'verdicts'> & { verdicts?: ReportFilter['verdicts'] }]> = [
    ['default verdicts', {}],
    ['minDays=300', { minDays: 300 }],
    ['maxDays=100 (1 in 50 of the inactive match)', { maxDays: 100 }],
    ['application jira-servicedesk', { applicationGroups: ['jira-servicedesk-users'] }],
    ['maxDays=90 (nothing matches: whole scan)', { maxDays: 90 }],
    [
      'minDays=1000, inactive+left (none: whole scan)',
      { verdicts: ['inactive', 'left-company'], minDays: 1000 },
    ],
    ['application jira-core (none: whole scan)', { applicationGroups: ['jira-core-users'] }],
    ['group=no-such-group (nothing: whole scan)', { group: 'no-such-group' }],
    ['q=user99999 (one in 100,000+)', { q: 'user99999' }],
    ['q=no-such-user (nothing matches: whole scan)', { q: 'no-such-user' }],
  ];
  for (const [label, filter] of filters) {
    const times: number[] = [];
    let count = 0;
    for (let attempt = 0; attempt < 3; attempt++) {
      const t0 = process.hrtime.bigint();
      const page = await reportPage(
        plans,
        run,
        { verdicts: DEFAULT_REPORT_VERDICTS, ...filter },
        { limit: 100 },
      );
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      count = page.lines.length;
    }
    times.sort((a, b) => a - b);
    console.log(
      `${label.padEnd(48)} first page ${String(count).padStart(3)} lines: median ${times[1]!.toFixed(0)} ms (min ${times[0]!.toFixed(0)}, max ${times[2]!.toFixed(0)})`,
    );
  }
} finally {
  await records.close();
  await database.drop();
  await deletePrefixKeys(redisServer.url, prefix);
  await redis.quit();
  await redisServer.stop();
}
