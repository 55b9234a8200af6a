import assert from 'node:assert/strict';
import type { Job } from 'bullmq';
import { jobIds } from '../../queues/job-ids.js';
import { ACTION_QUEUES, JOBS, QUEUES, type QueueName } from '../../queues/names.js';
import { launchRun } from '../../runtime/launch-run.js';
import { silentLogger } from '../../runtime/logger.js';
import { startWorkerRole, type RunningRole } from '../../runtime/process-roles.js';
import { AS_OF, VERDICT_POLICY, verdictFixture } from '../pipeline/verdict-fixture.js';
import { planByName, startStack, waitForRun, type Stack } from '../support/stack.js';

/*
 * A job BullMQ fails without running its processor — the fate of a job whose worker died more
 * than `maxStalledCount` times — still leaves its mark on the run, through the worker's
 * `failed` event. BullMQ marks such a job with a deferred failure ("defa") and fails it when a
 * worker next takes it; the tests set that mark themselves, as BullMQ's stalled-job check does,
 * so they do not have to kill a worker three times for each kind of job.
 */

const STALLED = 'job stalled more than allowable limit';
const CONFIG = {
  policy: VERDICT_POLICY,
  directories: { maxAbsentPercent: 20 },
  brake: { maxActions: 1000, maxPercentOfUsers: 100 },
  runs: { sweepEveryMinutes: 10 },
};

async function markStalledTooOften(stack: Stack, job: Job): Promise<void> {
  const queue = stack.app.registry.queue(job.queueName as QueueName);
  await stack.app.redis.hset(`${queue.keys['']}${job.id}`, 'defa', STALLED);
}

async function waitingJobs(stack: Stack, queues: QueueName[], runId: string): Promise<Job[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const jobs: Job[] = [];
    for (const name of queues) jobs.push(...(await stack.app.registry.queue(name).getJobs(['waiting'])));
    const ofRun = jobs.filter((job) => job.data.runId === runId);
    if (ofRun.length > 0) return ofRun;
    if (Date.now() > deadline) throw new Error(`no job of run ${runId} is waiting in ${queues.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('jobs failed without their processor running', function () {
  this.timeout(120_000);
  let stack: Stack;
  let partial: RunningRole | undefined;
  before(async () => {
    stack = await startStack({ sim: { fixture: verdictFixture() }, config: CONFIG, workers: false });
  });
  afterEach(async () => {
    await partial?.stop();
    partial = undefined;
    await stack.stopWorkers();
  });
  after(() => stack?.close());

  it('an evaluation: the user gets an undetermined line with the reason, and the run finishes', async () => {
    partial = await startWorkerRole(stack.config, silentLogger(), [QUEUES.scan]);
    const run = await launchRun(stack.app, { mode: 'dry-run', asOf: AS_OF, trigger: { type: 'cli' } });
    const jobs = await waitingJobs(stack, [QUEUES.evaluate], run.id);
    const alice = jobs.find((job) => job.data.user.name === 'alice')!;
    await markStalledTooOften(stack, alice);
    await partial.stop();
    partial = undefined;

    await stack.startWorkers();
    const done = await waitForRun(stack.app, run.id, 30_000);
    assert.equal(done.status, 'done', done.statusReason);
    const line = (await planByName(stack.app, run.id)).get('alice')!;
    assert.equal(line.verdict, 'undetermined');
    assert.deepEqual(line.actions, []);
    assert.equal(line.reasons[0]?.value, STALLED);
  });

  it('a finishing step and an apply start: their run fails with the reason', async () => {
    const create = () =>
      stack.app.runs.create({ mode: 'apply', trigger: { type: 'cli' }, policy: stack.config.policy });
    const finishing = await create();
    assert.ok(await stack.app.lifecycle.startEvaluating(finishing.id));
    const starting = await create();
    assert.ok(await stack.app.lifecycle.startEvaluating(starting.id));
    assert.ok(await stack.app.lifecycle.markPlanned(starting.id));
    assert.ok(await stack.app.lifecycle.startApplying(starting.id));
    await stack.app.registry.add(JOBS.finishRun, { runId: finishing.id }, jobIds.finishRun(finishing.id));
    await stack.app.registry.add(JOBS.startApply, { runId: starting.id }, jobIds.startApply(starting.id));
    const control = stack.app.registry.queue(QUEUES.runControl);
    for (const id of [jobIds.finishRun(finishing.id), jobIds.startApply(starting.id)]) {
      await markStalledTooOften(stack, (await control.getJob(id))!);
    }

    await stack.startWorkers();
    const finishFailed = await waitForRun(stack.app, finishing.id, 30_000);
    assert.equal(finishFailed.status, 'failed');
    assert.equal(finishFailed.statusReason, `finishing the run failed: ${STALLED}`);
    const startFailed = await waitForRun(stack.app, starting.id, 30_000);
    assert.equal(startFailed.status, 'failed');
    assert.equal(startFailed.statusReason, `starting the apply stage failed: ${STALLED}`);
  });

  it('an action step: audited and counted as failed, and the apply run still ends', async () => {
    partial = await startWorkerRole(stack.config, silentLogger(), [
      QUEUES.scan,
      QUEUES.evaluate,
      QUEUES.runControl,
    ]);
    const run = await launchRun(stack.app, { mode: 'apply', asOf: AS_OF, trigger: { type: 'cli' } });
    const [step] = await waitingJobs(stack, ACTION_QUEUES, run.id);
    await markStalledTooOften(stack, step!);
    await partial.stop();
    partial = undefined;

    await stack.startWorkers();
    const done = await waitForRun(stack.app, run.id, 60_000);
    assert.equal(done.status, 'done', done.statusReason);
    assert.equal(done.counters.actionsFailed, 1);
    const entry = await stack.app.audit.findByAction(step!.id!);
    assert.equal(entry?.outcome, 'failed');
    assert.equal(entry?.reason, STALLED);
  });

  it('an undo of a run: the run notes that its undo failed and that asking again is safe', async () => {
    partial = await startWorkerRole(stack.config, silentLogger(), [
      QUEUES.scan,
      QUEUES.evaluate,
      QUEUES.runControl,
    ]);
    const run = await launchRun(stack.app, { mode: 'dry-run', asOf: AS_OF, trigger: { type: 'cli' } });
    assert.equal((await waitForRun(stack.app, run.id, 60_000)).status, 'done');
    await partial.stop();
    partial = undefined;

    await stack.app.registry.add(JOBS.undoRun, { runId: run.id, actor: 'cli:test' }, jobIds.undoRun(run.id));
    const job = await stack.app.registry.queue(QUEUES.undo).getJob(jobIds.undoRun(run.id));
    await markStalledTooOften(stack, job!);
    await stack.startWorkers();
    const note = `undo by cli:test failed: ${STALLED}; asking again is safe`;
    const deadline = Date.now() + 30_000;
    while (!(await stack.app.runs.get(run.id))!.notes.includes(note)) {
      assert.ok(Date.now() < deadline, 'the run never noted its failed undo');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
});
