import assert from 'node:assert/strict';
import { validateConfig } from '../../config/load.js';
import { createApp, type App } from '../../runtime/app.js';
import { launchRun } from '../../runtime/launch-run.js';
import { silentLogger } from '../../runtime/logger.js';
import { requestUndo } from '../../runtime/undo-requests.js';
import { QUEUES } from '../../queues/names.js';
import { requestRestore } from '../../services/restore/request-restore.js';
import { FINAL_RESTORE_STATES } from '../../services/restore/restore-ledger.js';
import type { Run } from '../../services/runs/types.js';
import { startSimulator, type RunningSimulator } from '../../simulator/index.js';
import { randomInt, seededRandom } from '../../simulator/prng.js';
import { restoreLedger } from '../../workers/restore.js';
import { writeConfigFile } from '../support/child.js';
import { createRecordsFor } from '../support/records.js';
import { uniquePrefix } from '../support/redis.js';
import { planByName, stackConfig, waitForRun } from '../support/stack.js';
import { OwnRedis } from '../support/own-redis.js';
import { monitorRedis, type RedisMonitor } from './support/redis-monitor.js';
import {
  changeTexts,
  changesAppliedTwice,
  planApplied,
  READ_ONLY_DIRECTORIES,
  type ChangeText,
} from './support/plan-state.js';
import { accountState, simMutationLog, simUsersByKey, type AccountState } from './support/sim-state.js';
import { reliabilitySize } from './support/size.js';
import { ownerOfConnection } from './support/socket-owner.js';
import { WorkerPool } from './support/worker-pool.js';

/*
 * Deliver 1 of the reliability issue: an apply run over many users, with revokes, leavers
 * losing their groups, deactivations and renames, while a driver SIGKILLs `reclaim worker`
 * processes at seeded random moments — in the scan's addBulk, during evaluation, between
 * Jira's change and the audit write, during restores and during the run's undo — and starts
 * them again each time. Then: the run is done, Jira is what the plan says user by user, one
 * audit entry per action in a verified chain, nothing applied twice in Jira's own mutation
 * log, and the undo gives every user back.
 *
 * Quick size by default; RELIABILITY_SIZE=full for 10,000 users. RELIABILITY_SEED picks
 * another sequence of kill moments.
 */

const FULL = reliabilitySize() === 'full';
const USERS = FULL ? 10_000 : 600;
const MIN_ACTIONS = FULL ? 1_000 : 150;
const PAGE_SIZE = FULL ? 1_000 : 150;
const RESTORES = FULL ? 100 : 20;
const SEED = Number(process.env.RELIABILITY_SEED ?? 15);
const WORKERS = 2;

async function until(what: string, timeoutMs: number, check: () => Promise<boolean> | boolean) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('crash suite: workers SIGKILLed throughout an apply run, its restores and its undo', function () {
  this.timeout(FULL ? 1_800_000 : 240_000);
  let redis: OwnRedis | undefined;
  let monitor: RedisMonitor | undefined;
  let sim: RunningSimulator | undefined;
  let app: App | undefined;
  let pool: WorkerPool | undefined;
  let config: { file: string; remove(): void } | undefined;
  let records: { drop(): Promise<void> } | undefined;

  after(async () => {
    monitor?.close();
    await pool?.close();
    await app?.close();
    await sim?.close();
    config?.remove();
    await redis?.remove();
    await records?.drop();
  });

  it(`keeps Jira, the audit log and the undo exact over ${USERS.toLocaleString('en')} users and ≥ 10 kills`, async () => {
    const random = seededRandom(SEED);
    redis = await OwnRedis.start();
    const prefix = uniquePrefix('crash');
    records = await createRecordsFor(prefix);
    // A little latency, so that a kill finds Jira requests in flight.
    sim = await startSimulator({ users: USERS, seed: SEED, latencyMs: 10 });
    const raw = stackConfig(sim, prefix, {
      redis: { url: redis.url },
      jira: { pageSize: PAGE_SIZE },
      policy: { rename: { enabled: true } },
      // The synthetic enterprise has about 8% leavers: within bounds here.
      directories: { maxAbsentPercent: 20 },
      brake: { maxActions: 1_000_000, maxPercentOfUsers: 100 },
      worker: { lockDurationMs: 2_000, shutdownTimeoutMs: 200 },
      // A run whose last step was killed after its user was marked finished is finished by the
      // sweeper: every 6 s here, so the suite does not wait a minute for it.
      runs: { sweepEveryMinutes: 0.1 },
    });
    config = writeConfigFile(raw);
    app = createApp(validateConfig(raw), 'producer', silentLogger());
    const initial = await simUsersByKey(sim.url);
    pool = new WorkerPool(config.file, WORKERS);
    await pool.start();
    const workers = pool;

    // Kills at a Jira change: in the simulator's request, after the change, before Jira answers.
    let phase = 'scan';
    let phaseMutations = 0;
    let armed: { phase: string; atMutation: number } | undefined;
    const fired: string[] = [];
    const simPort = sim.port;
    sim.onMutation((_record, origin) => {
      phaseMutations += 1;
      if (!armed || armed.phase !== phase || phaseMutations < armed.atMutation) return;
      armed = undefined;
      const moment = `Jira change ${phaseMutations} of the ${phase}, before its answer`;
      // The worker that sent this request, found by its end of the connection.
      const pids = workers.running.map((worker) => worker.child.pid!);
      const owner = origin?.remotePort ? ownerOfConnection(origin.remotePort, simPort, pids) : undefined;
      if (owner === undefined || !workers.killPidNow(owner, phase, moment)) workers.killAllNow(phase, moment);
      fired.push(phase);
    });
    const enterPhase = (name: string) => {
      phase = name;
      phaseMutations = 0;
    };
    let runId = '';
    const current = async (): Promise<Run> => (await app!.runs.get(runId))!;
    const killAtMutation = async (atMutation: number, timeoutMs: number, done: () => Promise<boolean>) => {
      const before = fired.length;
      armed = { phase, atMutation };
      await until(`a kill at Jira change ${atMutation} of the ${phase}`, timeoutMs, async () => {
        if (fired.length > before) return true;
        if (await done()) {
          const { status, statusReason, counters } = await current();
          throw new Error(
            `the ${phase} ended before Jira change ${atMutation} (${phaseMutations} so far; run ${status}: ${statusReason}; ${JSON.stringify(counters)})`,
          );
        }
        return false;
      });
    };

    // The scan's addBulk: Redis reports each command it runs; the scan is killed once the adds
    // of a later page are under way.
    const evalJobIds = new Set<string>();
    const killPage = randomInt(random, 1, USERS / PAGE_SIZE - 1);
    const killAtJob = killPage * PAGE_SIZE + randomInt(random, 5, Math.floor(PAGE_SIZE * 0.6));
    let addedAtKill = 0;
    monitor = await monitorRedis(redis.port, (text) => {
      if (addedAtKill > 0) return;
      for (const id of text.match(/eval-r\d{8}T\d{9}Z-[0-9a-f]{6}-[\w-]{22}/g) ?? []) evalJobIds.add(id);
      if (evalJobIds.size >= killAtJob) {
        addedAtKill = evalJobIds.size;
        workers.killAllNow('scan', `while adding evaluate jobs: ${addedAtKill} of ${USERS} in Redis`);
      }
    });

    const started = Date.now();
    const run = await launchRun(app, { mode: 'apply', trigger: { type: 'cli', by: 'crash-suite' } });
    runId = run.id;
    const ended = async () => ['done', 'failed', 'cancelled'].includes((await current()).status);

    await until('the kill in the addBulk', 60_000, () => addedAtKill > 0);
    monitor.close();
    assert.ok(addedAtKill < USERS, 'the scan was killed before it had added every user');
    assert.equal((await current()).counters.scanComplete, false, 'the scan was killed before it finished');
    await workers.settled();

    // The users the scan added before it was killed are being evaluated: one worker is killed
    // at a seeded point of the evaluation.
    enterPhase('evaluate');
    const evaluatedBefore = (await current()).counters.evaluated;
    const killAtEvaluated = evaluatedBefore + randomInt(random, 1, Math.floor((USERS - evaluatedBefore) / 2));
    await until('a kill during the evaluation', 120_000, async () => {
      const { counters, status } = await current();
      if (status !== 'scanning' && status !== 'evaluating') {
        throw new Error(`the evaluation ended (${status}) before ${killAtEvaluated} were evaluated`);
      }
      if (counters.evaluated < killAtEvaluated) return false;
      return workers.killSomeNow('evaluate', `${counters.evaluated} of ${USERS} evaluated`, (n) =>
        randomInt(random, 0, n - 1),
      );
    });
    // Nothing changes Jira before the apply: its changes are counted from here.
    enterPhase('apply');

    await until('the apply', 300_000, async () => ['applying', 'done'].includes((await current()).status));
    const plan = await planByName(app, run.id);
    const expected = new Map<string, { state: AccountState; changes: ChangeText[] }>();
    let plannedActions = 0;
    for (const line of plan.values()) {
      const user = initial.get(line.key)!;
      expected.set(
        line.key,
        planApplied(accountState(user), line, READ_ONLY_DIRECTORIES.has(user.directoryId)),
      );
      plannedActions += line.actions.length;
    }
    assert.ok(plannedActions >= MIN_ACTIONS, `${plannedActions} actions planned`);
    const applyChanges = [...expected.values()].reduce((sum, e) => sum + e.changes.length, 0);

    // Three kills between a Jira change and its audit write, two at random moments.
    const points = [0.1, 0.35, 0.6].map((share) => Math.floor(applyChanges * (share + random() * 0.15)));
    await killAtMutation(points[0]!, 120_000, ended);
    for (let i = 0; i < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, randomInt(random, 100, 700)));
      // A worker that is up (the others may be starting again after a kill).
      await until('a worker to kill at random', 60_000, async () => {
        assert.equal((await current()).status, 'applying', 'a timed kill comes while the run applies');
        return workers.killSomeNow('apply', 'at a random moment', (n) => randomInt(random, 0, n - 1));
      });
    }
    await killAtMutation(Math.max(points[1]!, phaseMutations + 1), 120_000, ended);
    await killAtMutation(Math.max(points[2]!, phaseMutations + 1), 120_000, ended);

    const done = await waitForRun(app, run.id, FULL ? 900_000 : 180_000);
    const applySeconds = (Date.now() - started) / 1000;
    assert.equal(done.status, 'done', done.statusReason);
    const odd: string[] = [];
    for await (const entry of app.audit.stream({ runId: run.id })) {
      if (entry.outcome !== 'done' && entry.outcome !== 'not-possible') {
        odd.push(`${entry.user.name} ${entry.action} ${entry.outcome}: ${entry.reason ?? ''}`);
      }
    }
    assert.deepEqual(odd, [], 'actions neither done nor refused by Jira');
    assert.equal(
      done.counters.actionsDone + done.counters.actionsNotPossible,
      plannedActions,
      `every action counted once: ${JSON.stringify(done.counters)}`,
    );

    // Jira equals the plan, user by user.
    const afterApply = await simUsersByKey(sim.url);
    for (const [key, user] of initial) {
      const wanted = expected.get(key)?.state ?? accountState(user);
      assert.deepEqual(accountState(afterApply.get(key)!), wanted, `${user.name} after the apply`);
    }
    // Jira's own log: each user changed exactly as the plan says, nothing twice.
    const applyLog = await simMutationLog(sim.url);
    const appliedByKey = new Map<string, ChangeText[]>();
    for (const record of applyLog) {
      appliedByKey.set(record.key, [...(appliedByKey.get(record.key) ?? []), ...changeTexts(record)]);
    }
    for (const [key, user] of initial) {
      assert.deepEqual(
        [...(appliedByKey.get(key) ?? [])].sort(),
        [...(expected.get(key)?.changes ?? [])].sort(),
        `Jira's mutation log of ${user.name}`,
      );
    }
    // One audit entry per planned action.
    const entriesByAction = new Map<string, number>();
    const auditedSteps = new Set<string>();
    for await (const entry of app.audit.stream({ runId: run.id })) {
      entriesByAction.set(entry.actionId, (entriesByAction.get(entry.actionId) ?? 0) + 1);
      auditedSteps.add(`${entry.user.key} ${entry.action}`);
    }
    assert.equal(entriesByAction.size, plannedActions, 'audit entries');
    assert.deepEqual(
      [...entriesByAction].filter(([, count]) => count !== 1),
      [],
      'actions audited more than once',
    );
    for (const line of plan.values()) {
      for (const action of line.actions) {
        assert.ok(auditedSteps.has(`${line.key} ${action.type}`), `${line.name} ${action.type} audited`);
      }
    }

    // Restores on request, workers killed at a Jira change of the restores and at random.
    enterPhase('restore');
    const reclaimed = [...plan.values()].filter((line) => line.actions.length > 0);
    const restored = new Set<string>();
    while (restored.size < Math.min(RESTORES, reclaimed.length)) {
      restored.add(reclaimed[randomInt(random, 0, reclaimed.length - 1)]!.key);
    }
    const ledger = restoreLedger(app);
    const restoreDeps = { jira: app.jira(), audit: app.audit, ledger, registry: app.registry };
    const requests: string[] = [];
    const restoresQueued = (async () => {
      for (const key of restored) {
        const name = afterApply.get(key)!.name;
        requests.push((await requestRestore(restoreDeps, name, 'cli', 'crash-suite')).requestId);
      }
    })();
    const restoresFinal = async () =>
      requests.length === restored.size &&
      (await Promise.all(requests.map((id) => ledger.get(id)))).every(
        (request) => request !== null && FINAL_RESTORE_STATES.includes(request.state),
      );
    // A restore gives back what the apply took, the name aside.
    const restoreChanges = [...restored].reduce(
      (sum, key) => sum + expected.get(key)!.changes.filter((c) => !c.startsWith('name=')).length,
      0,
    );
    await killAtMutation(
      Math.max(1, Math.floor(restoreChanges * (0.1 + random() * 0.2))),
      120_000,
      restoresFinal,
    );
    await killAtMutation(
      Math.max(phaseMutations + 1, Math.floor(restoreChanges * (0.5 + random() * 0.3))),
      120_000,
      restoresFinal,
    );
    await restoresQueued;
    await until('the restores', 120_000, restoresFinal);
    for (const id of requests) {
      const request = (await ledger.get(id))!;
      assert.equal(request.state, 'done', `restore of ${request.username}: ${request.reason ?? ''}`);
    }
    const afterRestore = await simUsersByKey(sim.url);
    for (const key of restored) {
      const { groups, active } = accountState(initial.get(key)!);
      const now = accountState(afterRestore.get(key)!);
      assert.deepEqual(
        { groups: now.groups, active: now.active },
        { groups, active },
        `${now.name} restored`,
      );
      let restores = 0;
      for await (const entry of app.audit.stream({ userKey: key }))
        if (entry.action === 'restore') restores += 1;
      assert.equal(restores, 1, `one restore audited for ${now.name}`);
    }

    // The run's undo, its worker killed twice at a Jira change.
    enterPhase('undo');
    const undoJobId = await requestUndo(app, { kind: 'run', runId: run.id }, 'crash-suite');
    const undoJob = async () => (await app!.registry.queue(QUEUES.undo).getJob(undoJobId))!;
    const undoEnded = async () => ['completed', 'failed'].includes(await (await undoJob()).getState());
    // What the restores gave back is not changed again: the undo has the rest to do.
    const restoredChanges = (await simMutationLog(sim.url))
      .slice(applyLog.length)
      .reduce((sum, record) => sum + record.changes.length, 0);
    const undoChanges = applyChanges - restoredChanges;
    await killAtMutation(Math.max(1, Math.floor(undoChanges * (0.1 + random() * 0.2))), 120_000, undoEnded);
    await killAtMutation(
      Math.max(phaseMutations + 1, Math.floor(undoChanges * (0.5 + random() * 0.3))),
      120_000,
      undoEnded,
    );
    await until('the undo', FULL ? 900_000 : 120_000, undoEnded);
    assert.equal(await (await undoJob()).getState(), 'completed', (await undoJob()).failedReason);

    const final = await simUsersByKey(sim.url);
    for (const [key, user] of initial) {
      assert.deepEqual(accountState(final.get(key)!), accountState(user), `${user.name} after the undo`);
    }
    // Over the whole test no user got the same change twice.
    assert.deepEqual(changesAppliedTwice(await simMutationLog(sim.url)), [], 'changes Jira applied twice');
    // Each changing entry of the run undone exactly once; the chain verifies.
    const undone = new Map<string, number>();
    let changing = 0;
    for await (const entry of app.audit.stream({ runId: run.id })) {
      if (entry.undoOf) undone.set(entry.undoOf, (undone.get(entry.undoOf) ?? 0) + 1);
      else if (entry.changes.length > 0) changing += 1;
    }
    assert.equal(undone.size, changing, 'every changing entry has an undo');
    assert.deepEqual(
      [...undone].filter(([, count]) => count !== 1),
      [],
      'entries undone more than once',
    );
    const verification = await app.audit.verify();
    assert.equal(verification.ok, true, JSON.stringify(verification));

    const kills = workers.kills;
    const phases = new Set(kills.map((kill) => kill.phase));
    for (const wanted of ['scan', 'evaluate', 'apply', 'restore', 'undo']) {
      assert.ok(phases.has(wanted), `a kill during the ${wanted}`);
    }
    const moments = workers.moments;
    assert.ok(moments >= 10, `${moments} kill moments`);
    const byPhase = [...phases].map((p) => `${p} ${kills.filter((kill) => kill.phase === p).length}`);
    console.log(
      `      crash suite: ${USERS} users, ${plannedActions} actions, ${applyChanges} Jira changes; ` +
        `${moments} kill moments, ${kills.length} processes killed (${byPhase.join(', ')}); ` +
        `apply run ${applySeconds.toFixed(0)} s; ${restored.size} restores; ${undone.size} undone; ` +
        `audit ${verification.ok ? verification.count : '?'} entries verified; duplicates 0`,
    );
  });
});
