import assert from 'node:assert/strict';
import request from 'supertest';
import { createApiApp } from '../../api/app.js';
import { UnrecoverableError, Worker } from 'bullmq';
import { bullPrefix, createRedis } from '../../queues/connection.js';
import { jobIds } from '../../queues/job-ids.js';
import { ACTION_QUEUES, JOBS, QUEUES } from '../../queues/names.js';
import { launchRun } from '../../runtime/launch-run.js';
import { silentLogger } from '../../runtime/logger.js';
import { startWorkerRole } from '../../runtime/process-roles.js';
import { AS_OF, VERDICT_POLICY, verdictFixture } from '../pipeline/verdict-fixture.js';
import { spawnReclaim, writeConfigFile } from '../support/child.js';
import { testRedisUrl } from '../support/redis.js';
import { planByName, runToEnd, stackConfig, startStack, waitForRun, type Stack } from '../support/stack.js';

/*
 * Every run ends: a run whose work is gone (a job removed, never queued, its finishing step
 * lost) is finished or failed, with the reason, by the run sweeper; a plan that is final stays
 * as it is; a run still under way cannot be undone.
 */

const CONFIG = {
  policy: VERDICT_POLICY,
  directories: { maxAbsentPercent: 20 },
  brake: { maxActions: 1000, maxPercentOfUsers: 100 },
  // A sweep every 1.2 s, and the same grace: the tests wait seconds, not minutes.
  runs: { sweepEveryMinutes: 0.02 },
};

async function waitForJobState(stack: Stack, queue: string, id: string, state: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await stack.app.registry.queue(queue as 'scan').getJobState(id)) !== state) {
    if (Date.now() > deadline) throw new Error(`job ${id} never became ${state}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** An apply run moved on to applying by hand, with no job of any kind. */
async function applyingRun(stack: Stack) {
  const run = await stack.app.runs.create({
    mode: 'apply',
    trigger: { type: 'cli' },
    policy: stack.config.policy,
  });
  await stack.app.plans.markScanComplete(run.id, 0);
  assert.ok(await stack.app.lifecycle.startEvaluating(run.id));
  assert.ok(await stack.app.lifecycle.markPlanned(run.id));
  assert.ok(await stack.app.lifecycle.startApplying(run.id));
  return run;
}

describe('the run lifecycle', function () {
  this.timeout(120_000);

  describe('with workers and the run sweeper', () => {
    let stack: Stack;
    before(async () => {
      stack = await startStack({ sim: { fixture: verdictFixture() }, config: CONFIG, workers: false });
    });
    after(() => stack?.close());
    afterEach(() => stack.stopWorkers());

    it('fails a run whose scan job was removed, and one whose scan was never queued, saying why', async () => {
      const dropped = await launchRun(stack.app, { mode: 'dry-run', trigger: { type: 'cli' } });
      await stack.app.registry.queue(QUEUES.scan).remove(jobIds.scanRun(dropped.id));
      // A process that died between creating the run and queuing its scan.
      const orphan = await stack.app.runs.create({
        mode: 'dry-run',
        trigger: { type: 'cli' },
        policy: stack.config.policy,
      });
      await stack.startWorkers();
      for (const id of [dropped.id, orphan.id]) {
        const run = await waitForRun(stack.app, id, 30_000);
        assert.equal(run.status, 'failed');
        assert.match(run.statusReason ?? '', /the scan job is gone/);
      }
    });

    it('fails a run one of whose evaluations was removed, naming how many users were never evaluated', async () => {
      // Only the scan runs at first, so the evaluate jobs wait in their queue.
      const scanOnly = await startWorkerRole(stack.config, silentLogger(), [QUEUES.scan]);
      let runId: string;
      try {
        const run = await launchRun(stack.app, { mode: 'dry-run', asOf: AS_OF, trigger: { type: 'cli' } });
        runId = run.id;
        await waitForJobState(stack, QUEUES.scan, jobIds.scanRun(run.id), 'completed');
      } finally {
        await scanOnly.stop();
      }
      const before = (await stack.app.runs.get(runId))!;
      assert.equal(before.status, 'evaluating');
      const evaluate = stack.app.registry.queue(QUEUES.evaluate);
      const [victim] = (await evaluate.getJobs(['waiting'])).filter((job) => job.data.runId === runId);
      await victim!.remove();

      await stack.startWorkers();
      const run = await waitForRun(stack.app, runId, 30_000);
      assert.equal(run.status, 'failed');
      assert.equal(
        run.statusReason,
        `1 of ${before.counters.total} user(s) were never evaluated: their evaluate jobs are gone`,
      );
      assert.equal(run.counters.evaluated, before.counters.total! - 1, 'everyone else was evaluated');
    });

    it('records an evaluation that failed unseen as undetermined, and finishes the run', async () => {
      const scanOnly = await startWorkerRole(stack.config, silentLogger(), [QUEUES.scan]);
      let runId: string;
      try {
        const run = await launchRun(stack.app, { mode: 'dry-run', asOf: AS_OF, trigger: { type: 'cli' } });
        runId = run.id;
        await waitForJobState(stack, QUEUES.scan, jobIds.scanRun(run.id), 'completed');
      } finally {
        await scanOnly.stop();
      }
      // A worker that failed one evaluation for good and died before telling the run: a bare
      // BullMQ worker, with none of Reclaim's recording.
      const connection = createRedis(testRedisUrl(), 'worker');
      const bare = new Worker(QUEUES.evaluate, null, {
        connection,
        prefix: bullPrefix(stack.prefix, QUEUES.evaluate),
      });
      let user: string;
      try {
        const job = (await bare.getNextJob('bare-worker'))!;
        user = job.data.user.name;
        await job.moveToFailed(new UnrecoverableError('Jira said no'), 'bare-worker', false);
      } finally {
        await bare.close();
        await connection.quit();
      }

      await stack.startWorkers();
      const run = await waitForRun(stack.app, runId, 30_000);
      assert.equal(run.status, 'done', run.statusReason);
      const line = (await planByName(stack.app, runId)).get(user)!;
      assert.equal(line.verdict, 'undetermined');
      assert.equal(line.reasons[0]?.value, 'Jira said no');
    });

    it('fails an apply run one of whose action steps was removed, naming how many users never finished', async () => {
      // Everything but the actions runs at first, so the first steps wait in their queues.
      const noActions = await startWorkerRole(stack.config, silentLogger(), [
        QUEUES.scan,
        QUEUES.evaluate,
        QUEUES.runControl,
      ]);
      let runId: string;
      try {
        const run = await launchRun(stack.app, { mode: 'apply', asOf: AS_OF, trigger: { type: 'cli' } });
        runId = run.id;
        await waitForJobState(stack, QUEUES.runControl, jobIds.startApply(run.id), 'completed');
      } finally {
        await noActions.stop();
      }
      const steps = [];
      for (const queue of ACTION_QUEUES)
        steps.push(...(await stack.app.registry.queue(queue).getJobs(['waiting'])));
      const ofRun = steps.filter((job) => job.data.runId === runId);
      const users = new Set(ofRun.map((job) => job.data.user.key)).size;
      await ofRun[0]!.remove();

      await stack.startWorkers();
      const run = await waitForRun(stack.app, runId, 60_000);
      assert.equal(run.status, 'failed');
      assert.equal(
        run.statusReason,
        `the apply stage stopped: no action step is queued or running for 1 of ${users} user(s); their action jobs are gone`,
      );
    });

    it('starts the apply stage of an approved run whose start was never queued', async () => {
      const run = await applyingRun(stack);
      await stack.startWorkers();
      const done = await waitForRun(stack.app, run.id, 30_000);
      assert.equal(done.status, 'done', done.statusReason);
      assert.equal(done.statusReason, 'the plan has no actions: nothing was changed');
    });

    it('finishes an apply run whose every user is finished but whose last step stopped before saying so', async () => {
      const run = await applyingRun(stack);
      await stack.app.applyProgress.setTotal(run.id, 1);
      await stack.app.applyProgress.finishUser(run.id, 'JIRAUSER1');
      await stack.app.runs.countActionOutcome(run.id, 'done');
      await stack.startWorkers();
      const done = await waitForRun(stack.app, run.id, 30_000);
      assert.equal(done.status, 'done');
      assert.equal(done.statusReason, 'applied: 1 done, 0 skipped, 0 not possible, 0 failed');
    });

    it('finishes a planned run whose finishing step is gone', async () => {
      const run = await stack.app.runs.create({
        mode: 'dry-run',
        trigger: { type: 'cli' },
        policy: stack.config.policy,
      });
      await stack.app.plans.markScanComplete(run.id, 0);
      assert.ok(await stack.app.lifecycle.startEvaluating(run.id));
      assert.ok(await stack.app.lifecycle.markPlanned(run.id));
      await stack.startWorkers();
      const done = await waitForRun(stack.app, run.id, 30_000);
      assert.equal(done.status, 'done', done.statusReason);
    });

    it('never lets a duplicated evaluate job rewrite the plan of a run that is planned', async () => {
      await stack.startWorkers();
      const run = await runToEnd(stack, { mode: 'dry-run', asOf: AS_OF });
      assert.equal(run.status, 'done', run.statusReason);
      const alice = (await planByName(stack.app, run.id)).get('alice')!;
      assert.equal(alice.verdict, 'keep');
      const summary = await stack.app.plans.summary(run.id);

      // The same user again, as a redelivered job with stale facts would carry them: a login
      // years ago would make her "inactive" and plan to take her licence.
      const duplicate = `dup-${jobIds.evaluateUser(run.id, alice.key)}`;
      await stack.app.registry.add(
        JOBS.evaluateUser,
        {
          runId: run.id,
          user: {
            key: alice.key,
            name: alice.name,
            active: true,
            lastLoginTime: '2001-01-01T00:00:00.000Z',
            groups: ['jira-software-users'],
          },
          firstSeen: '2001-01-01T00:00:00.000Z',
          directory: { status: 'not-configured' },
        },
        duplicate,
      );
      await waitForJobState(stack, QUEUES.evaluate, duplicate, 'completed');
      const job = await stack.app.registry.queue(QUEUES.evaluate).getJob(duplicate);
      assert.deepEqual(job!.returnvalue, {
        status: 'skipped',
        reason: 'the run is past evaluating: its plan is final',
      });
      assert.deepEqual((await planByName(stack.app, run.id)).get('alice'), alice);
      assert.deepEqual(await stack.app.plans.summary(run.id), summary);
    });
  });

  describe('undo of a run that has not finished', () => {
    let stack: Stack;
    let config: { file: string; remove(): void };
    const TOKEN = 'operator-token-0123456789';
    before(async () => {
      const extra = { ...CONFIG, api: { tokens: [{ name: 'ops', token: TOKEN, role: 'operator' }] } };
      // No workers: the run stays applying for as long as the test looks at it.
      stack = await startStack({ sim: { fixture: verdictFixture() }, config: extra, workers: false });
      config = writeConfigFile(stackConfig(stack.sim, stack.prefix, extra));
    });
    after(async () => {
      await stack?.close();
      config?.remove();
    });

    it('is refused while the run is applying: 409 from the API, a non-zero exit from the CLI', async () => {
      const run = await stack.app.runs.create({
        mode: 'apply',
        trigger: { type: 'cli' },
        policy: stack.config.policy,
      });
      assert.ok(await stack.app.lifecycle.startEvaluating(run.id));
      assert.ok(await stack.app.lifecycle.markPlanned(run.id));
      assert.ok(await stack.app.lifecycle.startApplying(run.id));

      const response = await request(createApiApp(stack.app))
        .post(`/api/runs/${run.id}/undo`)
        .set('Authorization', `Bearer ${TOKEN}`)
        .expect(409);
      assert.equal(response.body.error.code, 'conflict');
      assert.match(
        response.body.error.message,
        new RegExp(`run ${run.id} is applying: it can be undone once it has finished`),
      );

      const cli = spawnReclaim(['--config', config.file, 'undo', run.id, '--no-wait'], { REDIS_URL: '' });
      const exit = await cli.exited;
      assert.notEqual(exit.code, 0, cli.output());
      assert.match(cli.output(), /is applying: it can be undone once it has finished/);
      assert.equal(await stack.app.registry.queue(QUEUES.undo).count(), 0, 'no undo was queued');

      // Once it is over, undo is accepted.
      assert.ok(await stack.app.lifecycle.cancel(run.id, 'stopped by the test'));
      await request(createApiApp(stack.app))
        .post(`/api/runs/${run.id}/undo`)
        .set('Authorization', `Bearer ${TOKEN}`)
        .expect(202);
    });
  });
});
