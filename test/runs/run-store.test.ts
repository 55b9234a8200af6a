import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { configSchema } from '../../config/schema.js';
import { runIndexKey, runKeys } from '../../services/runs/keys.js';
import { RunLifecycle } from '../../services/runs/run-lifecycle.js';
import { RunStore } from '../../services/runs/run-store.js';
import type { CreateRunInput, Run, RunStatus } from '../../services/runs/types.js';
import { openTestRecords, type TestRecords } from '../support/records.js';
import { testRedisUrl, usePrefix } from '../support/redis.js';

describe('run store', () => {
  const scope = usePrefix('runs-store');
  const listScope = usePrefix('runs-list');
  const policy = configSchema.parse({}).policy;
  const dryRun: CreateRunInput = { mode: 'dry-run', trigger: { type: 'cli', by: 'alice' }, policy };
  let redis: Redis;
  let records: TestRecords;
  let runs: RunStore;

  before(async () => {
    redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
    records = await openTestRecords('run-store');
    runs = new RunStore(redis, scope.prefix, records.db);
  });
  after(async () => {
    await redis.quit();
    await records?.close();
  });

  /** A new run moved along the happy path up to `status`. */
  async function runIn(status: RunStatus): Promise<string> {
    const path: RunStatus[] = ['scanning', 'evaluating', 'planned', 'awaiting-approval', 'applying', 'done'];
    const run = await runs.create(dryRun);
    for (let i = 1; i <= path.indexOf(status); i++) {
      assert.ok(await runs.transition(run.id, [path[i - 1]!], path[i]!), `to ${path[i]}`);
    }
    return run.id;
  }

  it('creates a scanning run with a URL-safe sortable id and the hash of the policy it used', async () => {
    const asOf = new Date('2026-11-29T13:05:01Z');
    const run = await runs.create({ ...dryRun, asOf, only: 'inactive' });
    assert.match(run.id, /^r\d{8}T\d{9}Z-[0-9a-f]{6}$/);
    assert.equal(run.status, 'scanning');
    assert.equal(run.asOf, '2026-11-29T13:05:01.000Z');
    assert.equal(run.only, 'inactive');
    assert.deepEqual(run.trigger, { type: 'cli', by: 'alice' });
    assert.deepEqual(run.policy, policy);
    assert.match(run.policyHash, /^[0-9a-f]{64}$/);
    assert.deepEqual(run.notes, []);
    assert.equal(run.counters.evaluated, 0);
    assert.equal(run.counters.total, null);
    assert.equal(run.counters.byVerdict.inactive, 0);
    assert.deepEqual(await runs.get(run.id), run);
  });

  it('gives the same policy hash to the same policy written in another key order', async () => {
    const reordered = Object.fromEntries(Object.entries(policy).reverse()) as typeof policy;
    const a = await runs.create(dryRun);
    const b = await runs.create({ ...dryRun, policy: reordered });
    const c = await runs.create({ ...dryRun, policy: { ...policy, inactiveDays: 91 } });
    assert.equal(a.policyHash, b.policyHash);
    assert.notEqual(a.policyHash, c.policyHash);
  });

  it('walks the whole status machine and stamps plannedAt and finishedAt', async () => {
    const id = await runIn('applying');
    assert.ok(await runs.transition(id, ['applying'], 'done', 'apply mode executes nothing yet'));
    const run = (await runs.get(id))!;
    assert.equal(run.status, 'done');
    assert.equal(run.statusReason, 'apply mode executes nothing yet');
    assert.ok(run.plannedAt && run.finishedAt && run.plannedAt <= run.finishedAt);
  });

  it('refuses illegal transitions and leaves the run as it was', async () => {
    const id = await runIn('scanning');
    assert.equal(await runs.transition(id, ['scanning'], 'planned'), false, 'skips evaluating');
    assert.equal(await runs.transition(id, ['evaluating'], 'planned'), false, 'not in from');
    assert.equal(await runs.transition(id, ['scanning'], 'scanning'), false, 'to itself');
    assert.equal((await runs.get(id))!.status, 'scanning');

    const done = await runIn('done');
    assert.equal(await runs.transition(done, ['done'], 'applying'), false);
    assert.equal(await runs.cancel(done, 'too late'), false);
    assert.equal(await runs.fail(done, 'too late'), false);
    const after = (await runs.get(done))!;
    assert.equal(after.status, 'done');
    assert.equal(after.statusReason, undefined);

    assert.equal(await runs.transition('r-unknown', ['scanning'], 'evaluating'), false);
    assert.equal(await runs.get('r-unknown'), null);
  });

  it('reaches failed and cancelled from every non-final status, with the reason', async () => {
    for (const status of ['scanning', 'evaluating', 'planned', 'awaiting-approval', 'applying'] as const) {
      const failed = await runIn(status);
      assert.ok(await runs.fail(failed, `Jira unreachable while ${status}`), status);
      const cancelled = await runIn(status);
      assert.ok(await runs.cancel(cancelled, 'cancelled by ops'), status);
      const [f, c] = [(await runs.get(failed))!, (await runs.get(cancelled))!];
      assert.equal(f.status, 'failed');
      assert.equal(f.statusReason, `Jira unreachable while ${status}`);
      assert.equal(c.status, 'cancelled');
      assert.ok(c.finishedAt);
    }
  });

  it('lets exactly one of 20 concurrent workers move a run from evaluating to planned', async () => {
    const id = await runIn('evaluating');
    const workers = Array.from({ length: 5 }, () => new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 }));
    try {
      const stores = workers.map((w) => new RunStore(w, scope.prefix, records.db));
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          stores[i % stores.length]!.transition(id, ['evaluating'], 'planned'),
        ),
      );
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal((await runs.get(id))!.status, 'planned');
    } finally {
      await Promise.all(workers.map((w) => w.quit()));
    }
  });

  it('lists runs newest first, page by page', async () => {
    // A records store of its own: the listing sees only these runs.
    const listRecords = await openTestRecords('run-list');
    const listed = new RunStore(redis, listScope.prefix, listRecords.db);
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push((await listed.create(dryRun)).id);
    try {
      const first = await listed.list({ limit: 2 });
      assert.deepEqual(
        first.map((r) => r.id),
        [created[4], created[3]],
      );
      const second = await listed.list({ limit: 2, before: first[1]!.id });
      assert.deepEqual(
        second.map((r) => r.id),
        [created[2], created[1]],
      );
      const last = await listed.list({ limit: 2, before: second[1]!.id });
      assert.deepEqual(
        last.map((r) => r.id),
        [created[0]],
      );
      assert.deepEqual(await listed.list({ limit: 2, before: 'r-unknown' }), []);
      assert.deepEqual([...created].sort(), created, 'ids sort in creation order');
    } finally {
      await Promise.all(created.map((id) => listed.delete(id)));
      assert.deepEqual(await listed.list({ limit: 10 }), []);
      await listRecords.close();
    }
  });

  it('keeps Jira facts, directory status and notes, and never creates a run by updating one', async () => {
    const id = await runIn('scanning');
    assert.ok(await runs.markStarted(id, new Date('2026-11-29T13:00:00Z')));
    assert.equal(await runs.markStarted(id, new Date('2026-11-29T14:00:00Z')), false, 'a retried scan');
    assert.ok(await runs.setJira(id, { version: '11.0.1', profile: 'dc11', facts: { userList: true } }));
    assert.ok(
      await runs.setDirectories(id, [
        { source: 'scim', trusted: false, reason: 'absent rate above maxAbsentPercent', absentPercent: 12.5 },
      ]),
    );
    assert.ok(await runs.addNote(id, 'directory scim not believed: 12.5% absent (max 5%)'));
    assert.ok(await runs.addNote(id, 'second note'));
    const run = (await runs.get(id))!;
    assert.equal(run.startedAt, '2026-11-29T13:00:00.000Z');
    assert.deepEqual(run.jira, { version: '11.0.1', profile: 'dc11', facts: { userList: true } });
    assert.equal(run.directories?.[0]?.absentPercent, 12.5);
    assert.deepEqual(run.notes, ['directory scim not believed: 12.5% absent (max 5%)', 'second note']);

    assert.equal(await runs.setJira('r-missing', { version: '9.12.0' }), false);
    assert.equal(await runs.addNote('r-missing', 'note'), false);
    assert.equal(await runs.get('r-missing'), null);
  });

  it('adds up counters bumped concurrently by many workers', async () => {
    const id = await runIn('scanning');
    await Promise.all([
      ...Array.from({ length: 100 }, () => runs.addScanned(id, 10)),
      ...Array.from({ length: 30 }, () => runs.addJiraRequests(id, 1)),
      runs.countActionOutcome(id, 'done', 3),
      runs.countActionOutcome(id, 'failed'),
      runs.countActionOutcome(id, 'skipped', 2),
      runs.countActionOutcome(id, 'not-possible'),
    ]);
    const { counters } = (await runs.get(id))!;
    assert.equal(counters.scanned, 1000);
    assert.equal(counters.jiraRequests, 30);
    assert.deepEqual(
      [counters.actionsDone, counters.actionsFailed, counters.actionsSkipped, counters.actionsNotPossible],
      [3, 1, 2, 1],
    );
  });

  describe('a run that is over moves to the records store', () => {
    /** How many of the run's own Redis keys exist, and whether the index of runs in flight holds it. */
    async function inRedis(id: string): Promise<{ keys: number; indexed: boolean }> {
      const keys = runKeys(scope.prefix, id);
      return {
        keys: await redis.exists(keys.record, keys.counters, keys.notes),
        indexed: (await redis.zscore(runIndexKey(scope.prefix), id)) !== null,
      };
    }

    async function row(id: string) {
      const { rows } = await records.db.query<{ status: string; archived: boolean; record: string }>(
        `SELECT status, finished_at IS NOT NULL AS archived, record::text AS record FROM runs WHERE id = $1`,
        [id],
      );
      return rows[0] ? { ...rows[0], record: JSON.parse(rows[0].record) as Run } : null;
    }

    it('has a row from its creation, kept current at each status change', async () => {
      const id = await runIn('evaluating');
      assert.equal((await row(id))?.status, 'evaluating');
      assert.equal((await row(id))?.archived, false);
      assert.ok(await runs.transition(id, ['evaluating'], 'planned'));
      const planned = (await row(id))!;
      assert.equal(planned.status, 'planned');
      assert.equal(planned.record.plannedAt, (await runs.get(id))!.plannedAt);
      assert.deepEqual(await inRedis(id), { keys: 1, indexed: true }, 'in flight, Redis holds it');
    });

    it('leaves Redis with its whole record — counters, notes, directories, Jira facts — in the records store', async () => {
      const lifecycle = new RunLifecycle(runs);
      const id = await runIn('applying');
      await runs.markStarted(id, new Date('2026-11-29T13:00:00Z'));
      // Keys in an order of their own: the records store must give them back in it.
      const facts = {
        'licence:jira-software': 'jira-software-users',
        'licence:jira-core': 'jira-core-users',
      };
      await runs.setJira(id, { version: '11.0.1', profile: 'dc11', facts });
      await runs.setDirectories(id, [{ source: 'scim', trusted: true }]);
      await runs.addScanned(id, 40);
      await runs.countActionOutcome(id, 'done', 3);
      await runs.addNote(id, 'a note while applying');
      const before = (await runs.get(id))!;

      assert.ok(await lifecycle.finishApplying(id, 'applied: 3 done'));
      assert.deepEqual(await inRedis(id), { keys: 0, indexed: false });
      const stored = (await row(id))!;
      assert.equal(stored.status, 'done');
      assert.ok(stored.archived);
      const after = (await runs.get(id))!;
      assert.deepEqual(after, stored.record);
      assert.equal(after.status, 'done');
      assert.equal(after.statusReason, 'applied: 3 done');
      assert.ok(after.finishedAt);
      assert.deepEqual(after.counters, before.counters);
      assert.equal(after.counters.scanned, 40);
      assert.equal(after.counters.actionsDone, 3);
      assert.deepEqual(after.notes, ['a note while applying']);
      assert.deepEqual(after.jira, { version: '11.0.1', profile: 'dc11', facts });
      assert.deepEqual(Object.keys(after.jira?.facts ?? {}), Object.keys(facts));
      assert.deepEqual(Object.keys(after.counters.byVerdict), Object.keys(before.counters.byVerdict));
      assert.equal(JSON.stringify(after.policy), JSON.stringify(before.policy));
      assert.deepEqual(after.directories, [{ source: 'scim', trusted: true }]);
      assert.equal(after.startedAt, '2026-11-29T13:00:00.000Z');
      assert.ok((await runs.list({ limit: 50 })).some((r) => r.id === id && r.status === 'done'));
      assert.ok(!(await runs.listUnfinished()).some((r) => r.id === id));
    });

    it('takes every write after the end in the records store, and never brings back a Redis key', async () => {
      const lifecycle = new RunLifecycle(runs);
      const id = await runIn('evaluating');
      assert.ok(await lifecycle.cancel(id, 'cancelled by ops'));
      assert.deepEqual(await inRedis(id), { keys: 0, indexed: false });

      assert.ok(await runs.addNote(id, 'undone by ops: 0 action(s) reversed'));
      await runs.countActionOutcome(id, 'done', 2);
      await runs.countActionOutcome(id, 'failed');
      await runs.addJiraRequests(id, 5);
      await runs.addScanned(id, 1);
      assert.ok(await runs.markStarted(id, new Date('2026-11-30T10:00:00Z')));
      assert.equal(await runs.markStarted(id, new Date('2026-11-30T11:00:00Z')), false, 'set once');
      assert.ok(await runs.setDirectories(id, [{ source: 'ldap', trusted: false, reason: 'late' }]));
      assert.ok(await runs.markPlanPruned(id, 'older than 90 days', { 'jira-software': 4 }));
      assert.equal(await runs.markPlanPruned(id, 'again', { 'jira-software': 4 }), false, 'pruned once');

      assert.deepEqual(await inRedis(id), { keys: 0, indexed: false });
      const run = (await runs.get(id))!;
      assert.equal(run.status, 'cancelled');
      assert.equal(run.counters.actionsDone, 2);
      assert.equal(run.counters.actionsFailed, 1);
      assert.equal(run.counters.jiraRequests, 5);
      assert.equal(run.counters.scanned, 1);
      assert.equal(run.startedAt, '2026-11-30T10:00:00.000Z');
      assert.deepEqual(run.directories, [{ source: 'ldap', trusted: false, reason: 'late' }]);
      assert.deepEqual(run.licencesFreed, { 'jira-software': 4 });
      assert.ok(run.planPrunedAt);
      assert.equal(run.notes[0], 'undone by ops: 0 action(s) reversed');
      assert.match(run.notes[1] ?? '', /^plan pruned .* by retention \(older than 90 days\)/);
      assert.equal(run.notes.length, 2);
      assert.ok(run.updatedAt >= run.finishedAt!);
    });

    it('completes a move cut short (final in Redis only) for the first reader, whoever it is', async () => {
      // The status changed in Redis, and the process stopped before the move.
      const read = await runIn('evaluating');
      assert.ok(await runs.fail(read, 'Jira unreachable'));
      assert.deepEqual(await inRedis(read), { keys: 1, indexed: true });
      assert.equal((await row(read))?.archived, false);
      assert.equal((await runs.get(read))?.status, 'failed');
      assert.deepEqual(await inRedis(read), { keys: 0, indexed: false });
      assert.equal((await row(read))?.record.statusReason, 'Jira unreachable');

      const swept = await runIn('planned');
      assert.ok(await runs.transition(swept, ['planned'], 'done'));
      assert.ok(!(await runs.listUnfinished()).some((r) => r.id === swept));
      assert.deepEqual(await inRedis(swept), { keys: 0, indexed: false });
      assert.equal((await row(swept))?.status, 'done');

      const listed = await runIn('awaiting-approval');
      assert.ok(await runs.cancel(listed, 'not approved'));
      assert.equal((await runs.list({ limit: 50 })).find((r) => r.id === listed)?.status, 'cancelled');
      assert.deepEqual(await inRedis(listed), { keys: 0, indexed: false });
    });

    it('loses no late write to concurrent moves by many workers', async () => {
      const id = await runIn('applying');
      await runs.countActionOutcome(id, 'done', 7);
      assert.ok(await runs.transition(id, ['applying'], 'done', 'applied'));
      const workers = Array.from({ length: 4 }, () => new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 }));
      try {
        const stores = workers.map((w) => new RunStore(w, scope.prefix, records.db));
        await Promise.all([
          ...stores.map((store) => store.archive(id)),
          ...stores.map((store) => store.get(id)),
          ...Array.from({ length: 12 }, (_, i) => stores[i % stores.length]!.addNote(id, `late note ${i}`)),
          ...Array.from({ length: 12 }, (_, i) =>
            stores[i % stores.length]!.countActionOutcome(id, 'skipped'),
          ),
        ]);
      } finally {
        await Promise.all(workers.map((w) => w.quit()));
      }
      assert.deepEqual(await inRedis(id), { keys: 0, indexed: false });
      const run = (await runs.get(id))!;
      assert.deepEqual([...run.notes].sort(), Array.from({ length: 12 }, (_, i) => `late note ${i}`).sort());
      assert.equal(run.counters.actionsDone, 7);
      assert.equal(run.counters.actionsSkipped, 12);
      assert.equal((await row(id))?.status, 'done');
    });

    it('still lists and ends a run in flight that Redis lost', async () => {
      const lifecycle = new RunLifecycle(runs);
      const id = await runIn('evaluating');
      const keys = runKeys(scope.prefix, id);
      await redis.unlink(keys.record, keys.counters, keys.notes);
      await redis.zrem(runIndexKey(scope.prefix), id);

      const lost = (await runs.listUnfinished()).find((r) => r.id === id);
      assert.equal(lost?.status, 'evaluating');
      assert.equal((await runs.get(id))?.status, 'evaluating');
      assert.ok(await lifecycle.fail(id, 'the scan job is gone'));
      assert.equal(await lifecycle.fail(id, 'again'), false);
      const failed = (await runs.get(id))!;
      assert.equal(failed.status, 'failed');
      assert.equal(failed.statusReason, 'the scan job is gone');
      assert.ok(failed.finishedAt);
      assert.ok((await row(id))?.archived);
      assert.ok(!(await runs.listUnfinished()).some((r) => r.id === id));
      assert.deepEqual(await inRedis(id), { keys: 0, indexed: false });
    });

    it('deletes a whole run from both stores', async () => {
      const inFlight = await runIn('scanning');
      const over = await runIn('done');
      await runs.get(over);
      for (const id of [inFlight, over]) {
        await runs.delete(id);
        assert.equal(await runs.get(id), null);
        assert.equal(await row(id), null);
        assert.deepEqual(await inRedis(id), { keys: 0, indexed: false });
      }
    });
  });
});
