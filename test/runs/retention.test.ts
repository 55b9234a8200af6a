import assert from 'node:assert/strict';
import { runKey } from '../../queues/connection.js';
import { jobIds } from '../../queues/job-ids.js';
import { QUEUES } from '../../queues/names.js';
import { prefixMemoryUsage } from '../../runtime/prefix-keys.js';
import { PRUNE_EVERY_MS } from '../../runtime/schedules.js';
import { pruneRuns } from '../../services/runs/prune-runs.js';
import { countArchivedLines } from '../../services/runs/plan-archive.js';
import { runToEnd, startStack, type Stack } from '../support/stack.js';
import { keysMatching } from './plan-stores.js';

/*
 * Redis stays bounded however many runs there are: ten dry runs with retainCount 3, the
 * hourly prune after each (called directly here), and the keys of the installation take no
 * more after the tenth run than after the third. Measured on the test's own keys (MEMORY
 * USAGE summed), not used_memory: other work on the same Redis must not move the figure.
 */

const USERS = 2000;
const RUNS = 10;

describe('Redis memory over many runs', function () {
  this.timeout(300_000);
  let stack: Stack;

  before(async () => {
    stack = await startStack({ sim: { users: USERS }, config: { runs: { retainCount: 3 } } });
  });
  after(() => stack?.close());

  it('schedules the prune hourly on the run-control queue', async () => {
    const schedulers = await stack.app.registry.queue(QUEUES.runControl).getJobSchedulers();
    const prune = schedulers.find((s) => s.key === jobIds.pruneRunsScheduler);
    assert.ok(prune, `schedulers: ${schedulers.map((s) => s.key).join(', ')}`);
    assert.equal(Number(prune.every), PRUNE_EVERY_MS);
  });

  it('after ten dry runs holds what it held after three, and no run leaves a scratch key', async () => {
    const { app } = stack;
    const after: number[] = [];
    const ids: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      const run = await runToEnd(stack, {}, 120_000);
      assert.equal(run.status, 'done', run.statusReason);
      assert.equal(run.counters.evaluated, USERS);
      ids.push(run.id);
      assert.deepEqual(await scratchKeysOf(run.id), [], `run ${i + 1} left scratch keys`);
      await pruneRuns(
        { redis: app.redis, prefix: stack.prefix, runs: app.runs, plans: app.plans },
        app.config.runs,
      );
      after.push((await prefixMemoryUsage(app.redis, stack.prefix)).bytes);
    }
    console.log(`      prefix memory after each run (bytes): ${after.join(', ')}`);

    const third = after[2]!;
    const tenth = after[RUNS - 1]!;
    assert.ok(
      Math.abs(tenth - third) <= third * 0.1,
      `after the 3rd: ${third} B, after the 10th: ${tenth} B`,
    );

    // Only the newest three keep a plan; every run keeps its summary.
    const retained = ids.slice(-3);
    for (const id of ids) {
      const run = (await app.runs.get(id))!;
      assert.equal(run.counters.evaluated, USERS);
      assert.equal(run.planPrunedAt === undefined, retained.includes(id), id);
    }
    // The plans are in the records store: the retained ones whole, the pruned ones gone; none in Redis.
    for (const id of ids) {
      assert.equal(
        await countArchivedLines(app.records, id),
        retained.includes(id) ? USERS : 0,
        `rows of ${id} in the records store`,
      );
      assert.deepEqual(
        await keysMatching(app.redis, `${runKey(stack.prefix, id, 'plan')}:*`),
        [],
        `plan keys of ${id} in Redis`,
      );
    }
  });

  /** The run's keys under run:ID: other than its record (counters, notes). */
  async function scratchKeysOf(runId: string): Promise<string[]> {
    const base = `${runKey(stack.prefix, runId)}:`;
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await stack.app.redis.scan(cursor, 'MATCH', `${base}*`, 'COUNT', 1000);
      cursor = next;
      found.push(...keys.filter((k) => k !== `${base}counters` && k !== `${base}notes`));
    } while (cursor !== '0');
    return found;
  }
});
