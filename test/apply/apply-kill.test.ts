import assert from 'node:assert/strict';
import { validateConfig } from '../../config/load.js';
import { createApp, type App } from '../../runtime/app.js';
import { launchRun } from '../../runtime/launch-run.js';
import { silentLogger } from '../../runtime/logger.js';
import { deletePrefixKeys } from '../../runtime/prefix-keys.js';
import { startSimulator, type RunningSimulator } from '../../simulator/index.js';
import { AS_OF, EXPECTED, VERDICT_POLICY, verdictFixture } from '../pipeline/verdict-fixture.js';
import { killAll, startWorkerProcess, writeConfigFile, type ReclaimProcess } from '../support/child.js';
import { createRecordsFor } from '../support/records.js';
import { testRedisUrl, uniquePrefix } from '../support/redis.js';
import { runToEnd, simUser, stackConfig, startStack, waitForRun } from '../support/stack.js';

const NAMES = Object.keys(EXPECTED).flatMap((n) => [n, `${n}_inactive_20261129`]);
const PLANNED_ACTIONS = Object.values(EXPECTED).reduce((sum, e) => sum + e.actions.length, 0);
const CONFIG = {
  policy: VERDICT_POLICY,
  directories: { maxAbsentPercent: 20 },
  brake: { maxActions: 1000, maxPercentOfUsers: 100 },
};

async function jiraState(sim: RunningSimulator) {
  const state: Record<string, unknown> = {};
  for (const name of NAMES) {
    const user = await simUser(sim, name).catch(() => undefined);
    if (user) state[user.key] = { name: user.name, active: user.active, groups: [...user.groups].sort() };
  }
  return state;
}

describe('an apply run whose worker is killed', function () {
  this.timeout(120_000);
  let sim: RunningSimulator | undefined;
  let app: App | undefined;
  let prefix: string | undefined;
  let config: { file: string; remove(): void } | undefined;
  const workers: ReclaimProcess[] = [];
  let records: { drop(): Promise<void> } | undefined;

  after(async () => {
    await killAll(workers);
    await app?.close();
    await sim?.close();
    config?.remove();
    if (prefix) await deletePrefixKeys(testRedisUrl(), prefix);
    await records?.drop();
  });

  it('reaches the same final state with the same audit count after a SIGKILL and a restart', async () => {
    // The state a clean apply run reaches.
    const clean = await startStack({ sim: { fixture: verdictFixture() }, config: CONFIG });
    let expected: Record<string, unknown>;
    try {
      assert.equal((await runToEnd(clean, { mode: 'apply', asOf: AS_OF })).status, 'done');
      expected = await jiraState(clean.sim);
    } finally {
      await clean.close();
    }

    prefix = uniquePrefix('apply-kill');
    records = await createRecordsFor(prefix);
    sim = await startSimulator({ fixture: verdictFixture(), latencyMs: 150 });
    const raw = stackConfig(sim, prefix, { ...CONFIG, worker: { lockDurationMs: 2_000 } });
    config = writeConfigFile(raw);
    app = createApp(validateConfig(raw), 'producer', silentLogger());
    const startWorker = () => startWorkerProcess(config!.file, workers);

    const first = await startWorker();
    const run = await launchRun(app, { mode: 'apply', asOf: AS_OF, trigger: { type: 'cli' } });
    for (let done = 0; done < 8; done = (await app.runs.get(run.id))!.counters.actionsDone) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    first.child.kill('SIGKILL');
    await first.exited;
    assert.equal((await app.runs.get(run.id))!.status, 'applying', 'killed in the middle of applying');

    await startWorker();
    const done = await waitForRun(app, run.id, 100_000);
    assert.equal(done.status, 'done', done.statusReason);
    assert.deepEqual(await jiraState(sim), expected);
    let audited = 0;
    for await (const _entry of app.audit.stream({ runId: run.id })) audited += 1;
    assert.equal(audited, PLANNED_ACTIONS);
    assert.equal(done.counters.actionsDone + done.counters.actionsNotPossible, PLANNED_ACTIONS);
    assert.equal((await app.audit.verify()).ok, true);
  });
});
