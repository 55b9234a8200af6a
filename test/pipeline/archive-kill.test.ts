import assert from 'node:assert/strict';
import { validateConfig } from '../../config/load.js';
import { runKey } from '../../queues/connection.js';
import { jobIds } from '../../queues/job-ids.js';
import { JOBS } from '../../queues/names.js';
import { createApp, type App } from '../../runtime/app.js';
import { silentLogger } from '../../runtime/logger.js';
import { deletePrefixKeys } from '../../runtime/prefix-keys.js';
import { countArchivedLines } from '../../services/runs/plan-archive.js';
import { killAll, startWorkerProcess, writeConfigFile, type ReclaimProcess } from '../support/child.js';
import { createRecordsFor, recordsConfigFor } from '../support/records.js';
import { testRedisUrl, uniquePrefix } from '../support/redis.js';
import { waitForRun } from '../support/stack.js';
import { mixedLine } from '../runs/plan-lines.js';
import { keysMatching } from '../runs/plan-stores.js';

/*
 * The archive of a plan is cut short by a SIGKILL of the worker doing it: the finish-run job is
 * then taken up again by the next worker, and the plan ends up in PostgreSQL with every user
 * exactly once, and nothing of it left in Redis.
 */

const USERS = 20_000;

describe('a plan archive whose worker is killed', function () {
  this.timeout(240_000);
  let app: App | undefined;
  let prefix: string | undefined;
  let config: { file: string; remove(): void } | undefined;
  let records: { drop(): Promise<void> } | undefined;
  const workers: ReclaimProcess[] = [];

  after(async () => {
    await killAll(workers);
    await app?.close();
    config?.remove();
    if (prefix) await deletePrefixKeys(testRedisUrl(), prefix);
    await records?.drop();
  });

  it('after a restart holds every user in PostgreSQL exactly once and no plan key in Redis', async () => {
    prefix = uniquePrefix('archive-kill');
    records = await createRecordsFor(prefix);
    const raw = {
      redis: { url: testRedisUrl(), prefix },
      records: recordsConfigFor(prefix),
      worker: { lockDurationMs: 2_000, shutdownTimeoutMs: 5_000 },
    };
    config = writeConfigFile(raw);
    app = createApp(validateConfig(raw), 'producer', silentLogger());
    const { runs, plans, lifecycle, records: db } = app;

    // A run whose users are all evaluated: its plan in Redis, as the evaluate jobs leave it.
    const run = await runs.create({
      mode: 'dry-run',
      trigger: { type: 'cli', by: 'test' },
      policy: validateConfig(raw).policy,
    });
    await lifecycle.startEvaluating(run.id);
    for (let from = 0; from < USERS; from += 1000) {
      await Promise.all(Array.from({ length: 1000 }, (_, i) => plans.record(run.id, mixedLine(from + i))));
    }
    assert.equal(await plans.markScanComplete(run.id, USERS), true);
    const planKeys = `${runKey(prefix, run.id, 'plan')}:*`;
    assert.ok((await keysMatching(app.redis, planKeys)).length > 0);

    const first = await startWorkerProcess(config.file, workers);
    // What the last evaluate job does: queue the run's finishing step.
    await app.registry.add(JOBS.finishRun, { runId: run.id }, jobIds.finishRun(run.id));
    // Killed once some rows are in and before the last ones are.
    let rowsAtKill = 0;
    for (const deadline = Date.now() + 120_000; Date.now() < deadline;) {
      rowsAtKill = await countArchivedLines(db, run.id);
      if (rowsAtKill > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    first.child.kill('SIGKILL');
    await first.exited;
    const rowsAfterKill = await countArchivedLines(db, run.id);
    assert.ok(rowsAtKill > 0, 'the archive had begun');
    assert.ok(rowsAfterKill < USERS, `killed in the middle of the archive (${rowsAfterKill} rows)`);
    assert.equal(await plans.isArchived(run.id), false);
    assert.equal((await runs.get(run.id))!.status, 'planned');
    // Readers still have the whole plan meanwhile: from Redis.
    assert.equal((await plans.summary(run.id)).evaluated, USERS);
    assert.ok((await plans.get(run.id, mixedLine(USERS - 1).key)) !== null);

    await startWorkerProcess(config.file, workers);
    const done = await waitForRun(app, run.id, 180_000);
    assert.equal(done.status, 'done', done.statusReason);

    assert.equal(await plans.isArchived(run.id), true);
    const { rows } = await db.query<{ n: number; users: number }>(
      'SELECT count(*)::int AS n, count(DISTINCT user_key)::int AS users FROM plan_lines WHERE run_id = $1',
      [run.id],
    );
    assert.deepEqual(rows[0], { n: USERS, users: USERS });
    assert.deepEqual(await keysMatching(app.redis, planKeys), [], 'no plan key of the run is left in Redis');
    const streamed = new Set<string>();
    for await (const line of plans.stream(run.id)) streamed.add(line.key);
    assert.equal(streamed.size, USERS);
    assert.deepEqual(await plans.get(run.id, mixedLine(7).key), JSON.parse(JSON.stringify(mixedLine(7))));
  });
});
