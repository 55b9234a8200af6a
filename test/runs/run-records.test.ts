import assert from 'node:assert/strict';
import request from 'supertest';
import { createApiApp } from '../../api/app.js';
import { bullPrefix, prefixPattern } from '../../queues/connection.js';
import { QUEUES } from '../../queues/names.js';
import { runIndexKey, runKeys } from '../../services/runs/keys.js';
import type { Run } from '../../services/runs/types.js';
import { AS_OF, VERDICT_POLICY, verdictFixture } from '../pipeline/verdict-fixture.js';
import { spawnReclaim, writeConfigFile } from '../support/child.js';
import { runToEnd, stackConfig, startStack, type Stack } from '../support/stack.js';

/*
 * Redis keeps the work in flight; the records store keeps what must last. A run that is over
 * has left Redis — nothing of it there but BullMQ's own jobs (its plan is archived in the
 * records store too) — and the CLI and the API still show it whole, late notes included. A move
 * cut short by a crash is completed by the run sweeper.
 */

const TOKEN = 'operator-token-0123456789';
const CONFIG = {
  policy: VERDICT_POLICY,
  directories: { maxAbsentPercent: 20 },
  api: { tokens: [{ name: 'ops', token: TOKEN, role: 'operator' }] },
  // A sweep every 1.2 s: the crash test waits seconds, not minutes.
  runs: { sweepEveryMinutes: 0.02 },
};

describe('run records after the run', function () {
  this.timeout(120_000);
  let stack: Stack;
  let config: { file: string; remove(): void };

  before(async () => {
    stack = await startStack({ sim: { fixture: verdictFixture() }, config: CONFIG });
    config = writeConfigFile(stackConfig(stack.sim, stack.prefix, CONFIG));
  });
  after(async () => {
    await stack?.close();
    config?.remove();
  });

  const auth = { Authorization: `Bearer ${TOKEN}` };

  /** Every key of the prefix that names the run, but BullMQ's (the queues' keys). */
  async function keysOfRun(runId: string): Promise<string[]> {
    const queueKeys = Object.values(QUEUES).map((queue) => `${bullPrefix(stack.prefix, queue)}:`);
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await stack.app.redis.scan(
        cursor,
        'MATCH',
        prefixPattern(stack.prefix),
        'COUNT',
        1000,
      );
      cursor = next;
      found.push(
        ...keys.filter((key) => key.includes(runId) && !queueKeys.some((queue) => key.startsWith(queue))),
      );
    } while (cursor !== '0');
    return found.sort();
  }

  async function row(runId: string) {
    const { rows } = await stack.app.records.query<{ status: string; archived: boolean; record: string }>(
      `SELECT status, finished_at IS NOT NULL AS archived, record::text AS record FROM runs WHERE id = $1`,
      [runId],
    );
    return rows[0] ? { ...rows[0], record: JSON.parse(rows[0].record) as Run } : null;
  }

  const reclaim = async (...args: string[]) => {
    const child = spawnReclaim([...args, '--config', config.file], { REDIS_URL: '' });
    const { code } = await child.exited;
    return { code, output: child.output() };
  };

  it('a dry run that ended has left Redis, and the CLI and the API show it with its counters', async () => {
    const ended = await runToEnd(stack, { mode: 'dry-run', asOf: AS_OF });
    assert.equal(ended.status, 'done', ended.statusReason);
    assert.ok(ended.counters.evaluated > 0);

    assert.deepEqual(await keysOfRun(ended.id), []);
    assert.equal(await stack.app.redis.zscore(runIndexKey(stack.prefix), ended.id), null);
    const stored = (await row(ended.id))!;
    assert.equal(stored.status, 'done');
    assert.ok(stored.archived);
    assert.deepEqual(stored.record.counters, ended.counters);

    const api = createApiApp(stack.app);
    const listed = await request(api).get('/api/runs').set(auth).expect(200);
    const inList = (listed.body.runs as Run[]).find((run) => run.id === ended.id);
    assert.equal(inList?.status, 'done');
    assert.deepEqual(inList?.counters, ended.counters);
    const shown = await request(api).get(`/api/runs/${ended.id}`).set(auth).expect(200);
    assert.deepEqual(shown.body, ended);

    const cliList = await reclaim('runs');
    assert.equal(cliList.code, 0, cliList.output);
    assert.match(cliList.output, new RegExp(`Run ${ended.id} — dry-run, done`));
    const cliShow = await reclaim('runs', ended.id, '--json');
    assert.equal(cliShow.code, 0, cliShow.output);
    assert.deepEqual((JSON.parse(cliShow.output) as Run).counters, ended.counters);
  });

  it('a note written after the end (an undo) shows on the run, and Redis stays without it', async () => {
    const ended = await runToEnd(stack, { mode: 'dry-run', asOf: AS_OF });
    assert.equal(ended.status, 'done', ended.statusReason);
    const api = createApiApp(stack.app);
    await request(api).post(`/api/runs/${ended.id}/undo`).set(auth).expect(202);

    const deadline = Date.now() + 30_000;
    let run = ended;
    while (!run.notes.some((note) => note.startsWith('undone by api:ops'))) {
      if (Date.now() > deadline) throw new Error(`no undo note: ${JSON.stringify(run.notes)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      run = (await stack.app.runs.get(ended.id))!;
    }
    assert.match(run.notes.at(-1)!, /^undone by api:ops: 0 action\(s\) reversed/);
    assert.deepEqual(await keysOfRun(ended.id), []);
    const shown = await request(api).get(`/api/runs/${ended.id}`).set(auth).expect(200);
    assert.deepEqual(shown.body.notes, run.notes);
    const cli = await reclaim('runs', ended.id);
    assert.equal(cli.code, 0, cli.output);
    assert.match(cli.output, /note: undone by api:ops: 0 action\(s\) reversed/);
  });

  it('the sweeper completes the move of a run whose process stopped right after its final transition', async () => {
    const { app } = stack;
    const run = await app.runs.create({
      mode: 'dry-run',
      trigger: { type: 'cli' },
      policy: stack.config.policy,
    });
    await app.plans.markScanComplete(run.id, 0);
    assert.ok(await app.lifecycle.startEvaluating(run.id));
    assert.ok(await app.lifecycle.markPlanned(run.id));
    await app.runs.addNote(run.id, 'written before the crash');
    // The Redis transition only: what a process that died before the move leaves behind.
    assert.ok(await app.runs.transition(run.id, ['planned'], 'done', 'dry run: the plan is ready'));
    const record = runKeys(stack.prefix, run.id).record;
    assert.equal(await app.redis.exists(record), 1);
    assert.equal((await row(run.id))?.archived, false);

    // Nothing reads the run here: the sweeper, every 1.2 s, is what moves it.
    const deadline = Date.now() + 30_000;
    while ((await app.redis.exists(record)) === 1) {
      if (Date.now() > deadline) throw new Error('the sweeper never moved the run');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.deepEqual(await keysOfRun(run.id), []);
    const stored = (await row(run.id))!;
    assert.ok(stored.archived);
    assert.equal(stored.status, 'done');
    assert.deepEqual(stored.record.notes, ['written before the crash']);
    assert.equal(stored.record.statusReason, 'dry run: the plan is ready');
    assert.deepEqual(await app.runs.get(run.id), stored.record);
  });
});
