import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { configSchema } from '../../config/schema.js';
import { runKey } from '../../queues/connection.js';
import { AuditLog } from '../../services/audit/audit-log.js';
import { MembershipIndex } from '../../services/pipeline/membership-index.js';
import { summarizeRun } from '../../services/reports/run-summary.js';
import { openPostgresRecords } from '../../services/records/postgres-records.js';
import type { RecordsDb } from '../../services/records/records-db.js';
import { countArchivedLines } from '../../services/runs/plan-archive.js';
import { BucketedSet, bucketOf } from '../../services/runs/bucketed-set.js';
import { PlanStore } from '../../services/runs/plan-store.js';
import { pruneRuns } from '../../services/runs/prune-runs.js';
import { runPlanKeys, runScratchKeys, SCRATCH_TTL_SECONDS } from '../../services/runs/run-keyspace.js';
import { RunLifecycle } from '../../services/runs/run-lifecycle.js';
import { RunStore } from '../../services/runs/run-store.js';
import type { Run, RunStatus } from '../../services/runs/types.js';
import { revokeEntry } from '../audit/audit-entries.js';
import { spawnReclaim, writeConfigFile } from '../support/child.js';
import { createRecordsFor, recordsConfigFor } from '../support/records.js';
import { testRedisUrl, usePrefix } from '../support/redis.js';
import type { ThrowawayDatabase } from '../support/sql-databases.js';
import { inactiveLine, keepLine } from './plan-lines.js';
import { openPlanStores, type PlanStores } from './plan-stores.js';

const DAY_MS = 24 * 3600 * 1000;

describe('retention of plans', () => {
  const scope = usePrefix('runs-prune');
  let stores: PlanStores;
  let redis: Redis;
  let runs: RunStore;
  let plans: PlanStore;
  let audit: AuditLog;
  const deps = () => ({ redis, prefix: scope.prefix, runs, plans });
  const policy = configSchema.parse({}).policy;

  before(async () => {
    stores = await openPlanStores(scope.prefix);
    ({ redis, runs, plans } = stores);
    audit = new AuditLog(stores.records);
  });
  after(async () => {
    await stores.close();
  });

  /** A run with a plan of two lines, left in `status` (through the statuses a run goes). */
  async function runIn(status: RunStatus, mode: Run['mode'] = 'dry-run'): Promise<Run> {
    const run = await runs.create({ mode, trigger: { type: 'cli', by: 'test' }, policy });
    await plans.record(run.id, keepLine('JIRAUSER1'));
    await plans.record(run.id, inactiveLine('JIRAUSER2'));
    const path: Record<RunStatus, RunStatus[]> = {
      scanning: [],
      evaluating: ['evaluating'],
      planned: ['evaluating', 'planned'],
      'awaiting-approval': ['evaluating', 'planned', 'awaiting-approval'],
      applying: ['evaluating', 'planned', 'applying'],
      done: ['evaluating', 'planned', 'done'],
      failed: ['failed'],
      cancelled: ['cancelled'],
    };
    let from: RunStatus = 'scanning';
    for (const to of path[status]) {
      assert.ok(await runs.transition(run.id, [from], to), `${from} → ${to}`);
      if (to === 'planned') await plans.archive(run.id);
      from = to;
    }
    return (await runs.get(run.id))!;
  }

  const planOf = async (id: string) => (await plans.page(id, { limit: 10 })).lines.map((l) => l.key);
  const planKeyCount = async (id: string) => (await stores.planKeysLeft(id)).length;

  it('keeps the newest retainCount finished runs, lists before it removes, and never touches a run in progress', async () => {
    const oldest = await runIn('done');
    await runs.setJira(oldest.id, {
      version: '11.0.0',
      facts: { 'licence:jira-software': 'jira-software-users' },
    });
    const freedBefore = (await summarizeRun(plans, (await runs.get(oldest.id))!)).licencesFreed;
    assert.deepEqual(freedBefore, { 'jira-software': 1 });
    await audit.append(revokeEntry('prune-a1', oldest.id));
    const failed = await runIn('failed');
    const inProgress = await runIn('evaluating');
    const held = await runIn('awaiting-approval', 'apply');
    const newer = await runIn('cancelled');
    const newest = await runIn('done');
    const retention = { retainDays: 90, retainCount: 2 };

    const listed = await pruneRuns(deps(), retention, { dryRun: true });
    assert.deepEqual(
      listed.runs.map((r) => r.id),
      [failed.id, oldest.id],
    );
    assert.ok(listed.runs.every((r) => /not among the newest 2 finished runs/.test(r.reason)));
    assert.equal(listed.lines, 4);
    assert.equal(listed.keys, 0);
    assert.deepEqual(await planOf(oldest.id), ['JIRAUSER2', 'JIRAUSER1'], 'a dry run removes nothing');
    assert.equal((await runs.get(oldest.id))!.planPrunedAt, undefined);

    const pruned = await pruneRuns(deps(), retention);
    assert.deepEqual(
      pruned.runs.map((r) => r.id),
      [failed.id, oldest.id],
    );
    assert.ok(pruned.keys > 0, "the failed run's plan was still in Redis");
    assert.equal(pruned.rows, 2, "the done run's plan was in the records store");
    for (const run of [oldest, failed]) {
      const after = (await runs.get(run.id))!;
      assert.ok(after.planPrunedAt, `${run.id} says its plan was pruned`);
      assert.ok(after.notes.some((n) => /^plan pruned .* by retention/.test(n)));
      // The summary stays: status, counters, notes.
      assert.equal(after.status, run.status);
      assert.equal(after.counters.evaluated, 2);
      assert.equal(after.counters.byVerdict.inactive, 1);
      assert.equal(await planKeyCount(run.id), 0);
      assert.equal(await countArchivedLines(stores.records, run.id), 0);
    }
    const auditOfRun = [];
    for await (const entry of audit.stream({ runId: oldest.id })) auditOfRun.push(entry.actionId);
    assert.deepEqual(auditOfRun, ['prune-a1'], 'the audit log keeps the run');
    const summary = await summarizeRun(plans, (await runs.get(oldest.id))!);
    assert.deepEqual(summary.licencesFreed, freedBefore, 'the summary still counts the licences freed');
    assert.equal(summary.byVerdict.inactive, 1);
    for (const run of [inProgress, held, newer, newest]) {
      assert.deepEqual(await planOf(run.id), ['JIRAUSER2', 'JIRAUSER1'], `${run.status} keeps its plan`);
      assert.equal((await runs.get(run.id))!.planPrunedAt, undefined);
    }

    assert.equal(await plans.isArchived(newer.id), true, 'a run cancelled while evaluating is archived');
    assert.equal(await planKeyCount(newer.id), 0, 'and its plan keys are gone from Redis');
    assert.equal(await countArchivedLines(stores.records, newer.id), 2);
    assert.equal(await plans.isArchived(inProgress.id), false, 'not one in progress');
    assert.ok(
      (await redis.exists(...runPlanKeys(scope.prefix, inProgress.id).linesByVerdict)) > 0,
      'which keeps its plan in Redis',
    );

    const again = await pruneRuns(deps(), retention);
    assert.deepEqual(again.runs, [], 'a pruned run is not pruned twice');
  });

  it('removes the plans of finished runs older than retainDays, whatever their number', async () => {
    const done = await runIn('done');
    const scanning = await runIn('scanning');
    const retention = { retainDays: 30, retainCount: 1000 };
    assert.deepEqual((await pruneRuns(deps(), retention)).runs, [], 'nothing is 30 days old yet');

    const later = new Date(Date.now() + 31 * DAY_MS);
    const result = await pruneRuns(deps(), retention, { now: later });
    const ids = result.runs.map((r) => r.id);
    assert.ok(ids.includes(done.id));
    assert.ok(!ids.includes(scanning.id), 'a run in progress is never pruned');
    assert.ok(result.runs.every((r) => r.reason === 'older than 30 days'));
    assert.equal(await planKeyCount(done.id), 0);
    assert.equal(await countArchivedLines(stores.records, done.id), 0);
    assert.deepEqual(await planOf(scanning.id), ['JIRAUSER2', 'JIRAUSER1']);
  });

  it('a cancelled or failed run drops its scratch keys at once; every scratch key has a TTL before', async () => {
    for (const end of ['cancel', 'fail'] as const) {
      const run = await runs.create({ mode: 'apply', trigger: { type: 'cli', by: 'test' }, policy });
      const scratch = runScratchKeys(scope.prefix, run.id);
      await new MembershipIndex(redis, scope.prefix, run.id).add('Jira-Software-Users', ['JIRAUSER1']);
      await new MembershipIndex(redis, scope.prefix, run.id).add('developers', ['JIRAUSER1', 'JIRAUSER2']);
      const written = await scratchKeysOf(run.id);
      // The registry, and for each group its size and the buckets its members fall in.
      const buckets = new Set(['JIRAUSER1', 'JIRAUSER2'].map(bucketOf)).size;
      assert.equal(written.length, 1 + 2 + 1 + buckets, written.join(', '));
      for (const key of written) {
        const ttl = await redis.ttl(key);
        assert.ok(ttl > 0 && ttl <= SCRATCH_TTL_SECONDS, `${key} has a TTL (${ttl})`);
      }
      await new BucketedSet(redis, scratch.seenUsers, SCRATCH_TTL_SECONDS).add(['JIRAUSER1', 'JIRAUSER2']);
      assert.ok(
        (await scratchKeysOf(run.id)).length > written.length,
        'the users seen are in scratch keys too',
      );

      const lifecycle = new RunLifecycle(runs, { discardScratch: (id) => runs.discardScratch(id) });
      assert.ok(
        end === 'cancel' ? await lifecycle.cancel(run.id, 'test') : await lifecycle.fail(run.id, 'test'),
      );
      assert.deepEqual(await scratchKeysOf(run.id), [], `after ${end}`);
      const left = (await runs.get(run.id))!;
      assert.equal(left.status, end === 'cancel' ? 'cancelled' : 'failed');

      // A job still running at the cancel writes once more: the hourly prune sweeps it.
      await new MembershipIndex(redis, scope.prefix, run.id).add('developers', ['JIRAUSER3']);
      await pruneRuns(deps(), { retainDays: 90, retainCount: 100 });
      assert.deepEqual(await scratchKeysOf(run.id), [], `swept after ${end}`);
    }
  });

  /** The run's keys under run:ID: that are not its record (counters, notes). */
  async function scratchKeysOf(runId: string): Promise<string[]> {
    const base = `${runKey(scope.prefix, runId)}:`;
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${base}*`, 'COUNT', 1000);
      cursor = next;
      found.push(...keys.filter((k) => k !== `${base}counters` && k !== `${base}notes`));
    } while (cursor !== '0');
    return found.sort();
  }
});

describe('reclaim runs prune and reclaim plan', function () {
  this.timeout(60_000);
  const scope = usePrefix('runs-prune-cli');
  let redis: Redis;
  let database: ThrowawayDatabase;
  let records: RecordsDb;
  let config: { file: string; remove(): void };
  const policy = configSchema.parse({}).policy;

  before(async () => {
    redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
    database = await createRecordsFor(scope.prefix);
    records = openPostgresRecords({ url: database.url, poolSize: 2, appRole: 'reclaim_app' });
    config = writeConfigFile({
      redis: { url: testRedisUrl(), prefix: scope.prefix },
      records: recordsConfigFor(scope.prefix),
      runs: { retainCount: 1 },
    });
  });
  after(async () => {
    config.remove();
    await records.close();
    await database.drop();
    await redis.quit();
  });

  const reclaim = async (...args: string[]) => {
    const child = spawnReclaim([...args, '--config', config.file], { REDIS_URL: '' });
    const { code } = await child.exited;
    return { code, output: child.output() };
  };

  it('lists, then removes, and a pruned plan is reported as pruned', async () => {
    const runs = new RunStore(redis, scope.prefix, records);
    const plans = new PlanStore(redis, scope.prefix, records, runs);
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const run = await runs.create({ mode: 'dry-run', trigger: { type: 'cli', by: 'test' }, policy });
      await plans.record(run.id, keepLine('JIRAUSER1'));
      await runs.transition(run.id, ['scanning'], 'cancelled');
      ids.push(run.id);
    }
    const listed = await reclaim('runs', 'prune', '--dry-run');
    assert.equal(listed.code, 0, listed.output);
    assert.match(listed.output, new RegExp(`${ids[0]}.*not among the newest 1 finished runs`));
    assert.doesNotMatch(listed.output, new RegExp(ids[1]!));
    assert.match(listed.output, /would prune 1 plan\(s\), 1 line\(s\); nothing removed/);

    const shown = await reclaim('plan', ids[0]!);
    assert.equal(shown.code, 0, shown.output);
    assert.match(shown.output, /JIRAUSER1/);

    const pruned = await reclaim('runs', 'prune');
    assert.equal(pruned.code, 0, pruned.output);
    assert.match(
      pruned.output,
      /pruned 1 plan\(s\), 1 line\(s\), 0 row\(s\) of the records store, [1-9]\d* Redis key\(s\)/,
    );

    const gone = await reclaim('plan', ids[0]!);
    assert.notEqual(gone.code, 0);
    assert.match(gone.output, new RegExp(`the plan of run ${ids[0]} was pruned`));
    assert.match((await reclaim('plan', ids[1]!)).output, /JIRAUSER1/);
  });
});
