import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { configSchema } from '../../config/schema.js';
import { RunStore } from '../../services/runs/run-store.js';
import type { CreateRunInput, RunStatus } from '../../services/runs/types.js';
import { testRedisUrl, usePrefix } from '../support/redis.js';

describe('run store', () => {
  const scope = usePrefix('runs-store');
  const listScope = usePrefix('runs-list');
  const policy = configSchema.parse({}).policy;
  const dryRun: CreateRunInput = { mode: 'dry-run', trigger: { type: 'cli', by: 'alice' }, policy };
  let redis: Redis;
  let runs: RunStore;

  before(() => {
    redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
    runs = new RunStore(redis, scope.prefix);
  });
  after(async () => {
    await redis.quit();
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
      const stores = workers.map((w) => new RunStore(w, scope.prefix));
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
    const listed = new RunStore(redis, listScope.prefix);
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
});
