import type { Redis } from 'ioredis';
import { launchRun } from '../../runtime/launch-run.js';
import type { ReclaimRule, Verdict } from '../../services/policy/types.js';
import type { Run } from '../../services/runs/types.js';
import { startBenchStack } from '../support.js';
import { peakRss, sampleRedisMemory } from './memory.js';
import { countsBetween, type SimProcess, type SimRequestCounts } from './sim-process.js';

/*
 * One Reclaim run through `workers` worker processes of their own (fresh, so that their peak
 * RSS is this run's), the scan queued by a producer in the bench's process: from launch to the
 * run's end (the plan archived into the records store, and for an apply every action done).
 */

export interface ReclaimRunOptions {
  raw: Record<string, unknown>;
  redis: Redis;
  sim: SimProcess;
  workers: number;
  mode: 'dry-run' | 'apply';
  asOf: Date;
  only?: ReclaimRule;
  /** Gives up (and fails the scenario) after this long. */
  timeoutSeconds: number;
}

export interface ReclaimRunResult {
  status: Run['status'];
  statusReason?: string;
  users: number;
  seconds: number;
  verdicts: Partial<Record<Verdict, number>>;
  requests: SimRequestCounts;
  workerPeakRss: number[];
  redisPeakUsedMemory: number;
  actions?: {
    done: number;
    failed: number;
    notPossible: number;
    skipped: number;
    /** From the run's entering `applying` to its end. */
    seconds: number;
    /** Jira requests in that window, and those answered 429. */
    requests: number;
    rateLimited: number;
  };
}

const OVER = ['done', 'failed', 'cancelled'];

export async function runReclaim(options: ReclaimRunOptions): Promise<ReclaimRunResult> {
  const stack = await startBenchStack(options.raw, options.workers);
  try {
    await stack.app.records.ready();
    const memory = sampleRedisMemory(options.redis);
    const before = await options.sim.counts();
    const started = performance.now();
    const created = await launchRun(stack.app, {
      mode: options.mode,
      trigger: { type: 'cli', by: 'bench' },
      asOf: options.asOf,
      ...(options.only ? { only: options.only } : {}),
    });
    let run: Run;
    let applying: { at: number; counts: SimRequestCounts } | undefined;
    const deadline = started + options.timeoutSeconds * 1000;
    for (;;) {
      run = (await stack.app.runs.get(created.id))!;
      if (run.status === 'applying' && !applying) {
        applying = { at: performance.now(), counts: await options.sim.counts() };
      }
      if (OVER.includes(run.status)) break;
      if (performance.now() > deadline) {
        run = { ...run, statusReason: `still ${run.status} after ${options.timeoutSeconds} s` };
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const ended = performance.now();
    const after = await options.sim.counts();
    const workerPeakRss = stack.workerPids.map((pid) => peakRss(pid) ?? 0);
    const redisPeakUsedMemory = await memory.stop();
    const verdicts = Object.fromEntries(
      Object.entries(run.counters.byVerdict).filter(([, n]) => n > 0),
    ) as Partial<Record<Verdict, number>>;
    const applied = applying ? countsBetween(applying.counts, after) : undefined;
    return {
      status: OVER.includes(run.status) ? run.status : 'failed',
      ...(run.statusReason ? { statusReason: run.statusReason } : {}),
      users: run.counters.evaluated,
      seconds: (ended - started) / 1000,
      verdicts,
      requests: countsBetween(before, after),
      workerPeakRss,
      redisPeakUsedMemory,
      ...(options.mode === 'apply'
        ? {
            actions: {
              done: run.counters.actionsDone,
              failed: run.counters.actionsFailed,
              notPossible: run.counters.actionsNotPossible,
              skipped: run.counters.actionsSkipped,
              seconds: applying ? (ended - applying.at) / 1000 : 0,
              requests: applied?.jira ?? 0,
              rateLimited: applied?.rateLimited ?? 0,
            },
          }
        : {}),
    };
  } finally {
    await stack.stopWorkers();
    await stack.app.close();
    await stack.removeConfig();
  }
}
