import assert from 'node:assert/strict';
import { validateConfig } from '../../config/load.js';
import { jobIds } from '../../queues/job-ids.js';
import { silentLogger } from '../../runtime/logger.js';
import { startWorkerRole } from '../../runtime/process-roles.js';
import { stackConfig, startStack, type Stack } from '../support/stack.js';

describe('schedules', function () {
  this.timeout(60_000);
  let stack: Stack;
  after(() => stack?.close());

  it('fire a run on their cron, once per occurrence however many workers run, and go when removed', async () => {
    const everySecond = {
      schedule: [{ name: 'each-second', cron: '* * * * * *', timezone: 'Europe/Berlin' }],
    };
    stack = await startStack({ sim: { users: 50 }, config: everySecond });
    // A second worker process's worth of workers on the same Redis and schedule.
    const second = await startWorkerRole(stack.config, silentLogger());
    try {
      await new Promise((resolve) => setTimeout(resolve, 4_200));
    } finally {
      await second.stop();
    }
    const scheduled = (await stack.app.runs.list({ limit: 100 })).filter(
      (run) => run.trigger.type === 'schedule',
    );
    // Once a second for ~4 s; two workers firing each occurrence would make it twice as many.
    assert.ok(scheduled.length >= 2 && scheduled.length <= 5, `${scheduled.length} runs in ~4 s`);
    assert.ok(scheduled.every((run) => run.trigger.schedule === 'each-second' && run.mode === 'dry-run'));

    // Restarted without the entry: the scheduler is removed, nothing fires any more.
    await stack.stopWorkers();
    const withoutSchedule = validateConfig(stackConfig(stack.sim, stack.prefix));
    const restarted = await startWorkerRole(withoutSchedule, silentLogger());
    try {
      // Retention's, the run sweeper's and the licence monitor's own schedulers are not
      // configured schedules: they stay.
      const schedulers = await stack.app.registry.queue('run-control').getJobSchedulers();
      assert.deepEqual(
        schedulers.map((scheduler) => scheduler.key).sort(),
        [jobIds.pruneRunsScheduler, jobIds.runSweeper, jobIds.licenseCheckScheduler].sort(),
      );
      const before = (await stack.app.runs.list({ limit: 100 })).length;
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      assert.equal((await stack.app.runs.list({ limit: 100 })).length, before);
    } finally {
      await restarted.stop();
    }
  });
});
