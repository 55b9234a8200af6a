import { Redis } from 'ioredis';
import { validateConfig } from '../../config/load.js';
import { startThrowawayRedis } from '../../runtime/local-redis.js';
import type { Verdict } from '../../services/policy/types.js';
import { runNaiveScript, type NaiveResult } from '../scripts/naive.js';
import { runSmartScript, type ScriptOptions, type ScriptResult } from '../scripts/smart.js';
import { bullmqCeiling, type CeilingResult } from './bullmq-ceiling.js';
import { peakRss, redisPid } from './memory.js';
import { CROWD_APPLICATION, reclaimConfig } from './reclaim-config.js';
import { runReclaim, type ReclaimRunResult } from './reclaim-run.js';
import type { ApplyScenario, DryRunScenario, Scenario, ScaleOutScenario } from './scenarios.js';
import { countsBetween, startSimProcess, type SimProcess, type SimRequestCounts } from './sim-process.js';

/*
 * Runs one scenario on a Redis and a simulated Jira of its own; every contender of a dry-run
 * scenario reads the same simulator, one after the other, with one `asOf`.
 */

export interface BenchOptions {
  latencyMs: number;
}

export interface Environment {
  simLoadSeconds: number;
  simPeakRss: number;
  redisPeakRss: number;
}

export interface ScriptFigures extends ScriptResult {
  requests: SimRequestCounts;
  /** Users per second; for a sampled naive run, extrapolated to every user. */
  usersPerSecond: number;
  naive?: Pick<NaiveResult, 'setupSeconds' | 'loopSeconds' | 'sampled'> & { extrapolatedSeconds?: number };
}

export interface DryRunResult {
  scenario: DryRunScenario;
  environment: Environment;
  naive: ScriptFigures;
  smart: ScriptFigures;
  ceiling: CeilingResult;
  reclaim: ReclaimRunResult & { usersPerSecond: number };
  problems: string[];
  notes: string[];
}

export interface ApplyResult {
  scenario: ApplyScenario;
  environment: Environment;
  reclaim: ReclaimRunResult;
  actionsPerSecond: number;
  /** Jira requests per second while applying, as a share of the limit. */
  shareOfLimit: number;
  problems: string[];
}

export interface ScaleOutResult {
  scenario: ScaleOutScenario;
  environment: Environment;
  runs: Array<ReclaimRunResult & { workers: number; usersPerSecond: number }>;
  problems: string[];
}

export type ScenarioResult = DryRunResult | ApplyResult | ScaleOutResult;

interface Stage {
  redisUrl: string;
  redis: Redis;
  sim: SimProcess;
  raw: (requestsPerSecond: number, openBrake?: boolean) => Record<string, unknown>;
  asOf: Date;
  close(): Promise<Environment>;
}

async function openStage(scenario: Scenario, options: BenchOptions, rateLimit?: number): Promise<Stage> {
  const local = await startThrowawayRedis();
  const redis = new Redis(local.url, { maxRetriesPerRequest: 3 });
  const sim = await startSimProcess({
    users: scenario.users,
    profile: scenario.profile,
    latencyMs: options.latencyMs,
    ...(rateLimit !== undefined ? { rateLimit } : {}),
  });
  let runs = 0;
  return {
    redisUrl: local.url,
    redis,
    sim,
    // The simulator dates its last logins from its start: one instant for every contender.
    asOf: new Date(),
    raw: (requestsPerSecond, openBrake) =>
      reclaimConfig({
        redisUrl: local.url,
        prefix: `bench-${scenario.name}-${++runs}`,
        simUrl: sim.url,
        profile: scenario.profile,
        requestsPerSecond,
        openBrake,
      }),
    async close() {
      const environment = {
        simLoadSeconds: sim.loadSeconds,
        simPeakRss: peakRss(sim.pid) ?? 0,
        redisPeakRss: peakRss(await redisPid(redis)) ?? 0,
      };
      await sim.stop();
      redis.disconnect();
      await local.stop();
      return environment;
    },
  };
}

/** Reclaim's own request ceiling is lifted for the dry runs: the simulator has no limit. */
const LIFTED = 10_000;

/**
 * How long a contender may take before the scenario fails: 10 ms a user, and never less than
 * three minutes — Jira 10's listing by username prefix (dc10) takes about 40 ms a user here, so
 * that profile gets 60 ms a user.
 */
function timeoutFor(users: number, profile?: string): number {
  return Math.max(180, users / (profile === 'dc10' ? 16 : 100));
}

async function measured<T extends ScriptResult>(
  sim: SimProcess,
  run: () => Promise<T>,
): Promise<T & { requests: SimRequestCounts }> {
  const before = await sim.counts();
  const result = await run();
  return { ...result, requests: countsBetween(before, await sim.counts()) };
}

export async function runDryRunScenario(
  scenario: DryRunScenario,
  options: BenchOptions,
): Promise<DryRunResult> {
  const stage = await openStage(scenario, options);
  try {
    const raw = stage.raw(LIFTED);
    const config = validateConfig(raw);
    const scriptOptions: ScriptOptions = {
      target: { url: stage.sim.url, token: 'sim-token', crowdApplication: CROWD_APPLICATION },
      profile: scenario.profile,
      policy: config.policy,
      applications: config.jira.applications,
      asOf: stage.asOf,
    };
    const smartRun = await measured(stage.sim, () => runSmartScript(scriptOptions));
    const smart: ScriptFigures = { ...smartRun, usersPerSecond: smartRun.users / smartRun.seconds };
    const naiveRun = await measured(stage.sim, () =>
      runNaiveScript({ ...scriptOptions, ...(scenario.naiveSample ? { sample: scenario.naiveSample } : {}) }),
    );
    const extrapolatedSeconds = naiveRun.sampled
      ? naiveRun.setupSeconds + (naiveRun.loopSeconds * scenario.users) / naiveRun.users
      : undefined;
    const naive: ScriptFigures = {
      users: naiveRun.users,
      seconds: naiveRun.seconds,
      verdicts: naiveRun.verdicts,
      requests: naiveRun.requests,
      usersPerSecond: scenario.users / (extrapolatedSeconds ?? naiveRun.seconds),
      naive: {
        setupSeconds: naiveRun.setupSeconds,
        loopSeconds: naiveRun.loopSeconds,
        sampled: naiveRun.sampled,
        ...(extrapolatedSeconds !== undefined ? { extrapolatedSeconds } : {}),
      },
    };
    const reclaimRun = await runReclaim({
      raw: stage.raw(LIFTED),
      redis: stage.redis,
      sim: stage.sim,
      workers: scenario.workers,
      mode: 'dry-run',
      asOf: stage.asOf,
      timeoutSeconds: timeoutFor(scenario.users, scenario.profile),
    });
    const reclaim = { ...reclaimRun, usersPerSecond: reclaimRun.users / reclaimRun.seconds };
    const ceiling = await bullmqCeiling(stage.redisUrl, scenario.users);

    const problems: string[] = [];
    const notes: string[] = [];
    if (reclaim.status !== 'done')
      problems.push(`Reclaim's run ended ${reclaim.status}: ${reclaim.statusReason ?? ''}`);
    if (reclaim.users !== scenario.users)
      problems.push(`Reclaim evaluated ${reclaim.users} of ${scenario.users} users`);
    if (smart.users !== scenario.users)
      problems.push(`the smart script decided ${smart.users} of ${scenario.users} users`);
    const smartDiff = verdictDifference(smart.verdicts, reclaim.verdicts);
    if (smartDiff) problems.push(`verdicts differ, smart script vs Reclaim: ${smartDiff}`);
    if (naive.naive?.sampled) {
      notes.push(
        `naive script sampled: the first ${naive.users} users decided in ${naive.naive.loopSeconds.toFixed(1)} s ` +
          `(after ${naive.naive.setupSeconds.toFixed(1)} s of setup), extrapolated to ${scenario.users} users; its verdicts are the sample's`,
      );
    } else {
      const naiveDiff = verdictDifference(naive.verdicts, reclaim.verdicts);
      if (naiveDiff) problems.push(`verdicts differ, naive script vs Reclaim: ${naiveDiff}`);
    }
    return { scenario, environment: await stage.close(), naive, smart, ceiling, reclaim, problems, notes };
  } catch (error) {
    await stage.close().catch(() => undefined);
    throw error;
  }
}

export async function runApplyScenario(scenario: ApplyScenario, options: BenchOptions): Promise<ApplyResult> {
  const stage = await openStage(scenario, options, scenario.rateLimit);
  try {
    // The login rule that takes inactive users' licences: about a fifth of the synthetic users.
    const reclaim = await runReclaim({
      raw: stage.raw(scenario.rateLimit, true),
      redis: stage.redis,
      sim: stage.sim,
      workers: scenario.workers,
      mode: 'apply',
      only: 'inactive',
      asOf: stage.asOf,
      timeoutSeconds: timeoutFor(scenario.users) + scenario.users / 5,
    });
    const actions = reclaim.actions!;
    const problems: string[] = [];
    if (reclaim.status !== 'done')
      problems.push(`Reclaim's run ended ${reclaim.status}: ${reclaim.statusReason ?? ''}`);
    if (actions.failed > 0) problems.push(`${actions.failed} action(s) failed`);
    if (actions.done === 0) problems.push('no action was done');
    const seconds = Math.max(actions.seconds, 0.001);
    return {
      scenario,
      environment: await stage.close(),
      reclaim,
      actionsPerSecond: actions.done / seconds,
      shareOfLimit: actions.requests / seconds / scenario.rateLimit,
      problems,
    };
  } catch (error) {
    await stage.close().catch(() => undefined);
    throw error;
  }
}

export async function runScaleOutScenario(
  scenario: ScaleOutScenario,
  options: BenchOptions,
): Promise<ScaleOutResult> {
  const stage = await openStage(scenario, options);
  try {
    const runs: ScaleOutResult['runs'] = [];
    const problems: string[] = [];
    for (const workers of scenario.workerCounts) {
      const run = await runReclaim({
        raw: stage.raw(LIFTED),
        redis: stage.redis,
        sim: stage.sim,
        workers,
        mode: 'dry-run',
        asOf: stage.asOf,
        timeoutSeconds: timeoutFor(scenario.users),
      });
      runs.push({ ...run, workers, usersPerSecond: run.users / run.seconds });
      if (run.status !== 'done')
        problems.push(`${workers} worker(s): the run ended ${run.status}: ${run.statusReason ?? ''}`);
      const diff = verdictDifference(run.verdicts, runs[0]!.verdicts);
      if (diff) problems.push(`${workers} worker(s): verdicts differ from the first run's: ${diff}`);
    }
    return { scenario, environment: await stage.close(), runs, problems };
  } catch (error) {
    await stage.close().catch(() => undefined);
    throw error;
  }
}

/** The verdicts whose counts differ, as `verdict a≠b`; empty when they agree. */
export function verdictDifference(
  a: Partial<Record<Verdict, number>>,
  b: Partial<Record<Verdict, number>>,
): string {
  const verdicts = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<Verdict>;
  return [...verdicts]
    .filter((verdict) => (a[verdict] ?? 0) !== (b[verdict] ?? 0))
    .map((verdict) => `${verdict} ${a[verdict] ?? 0}≠${b[verdict] ?? 0}`)
    .join(', ');
}

export function runScenario(scenario: Scenario, options: BenchOptions): Promise<ScenarioResult> {
  switch (scenario.kind) {
    case 'dry-run':
      return runDryRunScenario(scenario, options);
    case 'apply':
      return runApplyScenario(scenario, options);
    case 'scale-out':
      return runScaleOutScenario(scenario, options);
  }
}
