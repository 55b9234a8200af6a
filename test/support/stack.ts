import { deepMerge, validateConfig } from '../../config/load.js';
import type { ReclaimConfig } from '../../config/schema.js';
import { createApp, type App } from '../../runtime/app.js';
import { launchRun, type LaunchRequest } from '../../runtime/launch-run.js';
import { silentLogger } from '../../runtime/logger.js';
import { startWorkerRole, type RunningRole } from '../../runtime/process-roles.js';
import {
  DEFAULT_CROWD_APPLICATION,
  startSimulator,
  type RunningSimulator,
  type SimulatorOptions,
} from '../../simulator/index.js';
import type { PlanLine, Run } from '../../services/runs/types.js';
import { waitForRun as waitForSettled } from '../../services/runs/wait-for-run.js';
import { createRecordsFor, recordsConfigFor } from './records.js';
import { deletePrefix, testRedisUrl, uniquePrefix } from './redis.js';
import { getSimStats, getSimUser, postSimHook, type SimStats, type SimUserState } from './sim-hooks.js';

/*
 * The whole product on real parts for one test: the simulator over HTTP, Redis under a prefix
 * of the test's own, a records database of its own (dropped at close), workers in this process, and a producer-side app (what the CLI and the
 * API use) to start and read runs.
 */

export interface Stack {
  sim: RunningSimulator;
  config: Readonly<ReclaimConfig>;
  prefix: string;
  /** The producer side: runs, plans, queues. */
  app: App;
  workers?: RunningRole;
  startWorkers(): Promise<RunningRole>;
  stopWorkers(): Promise<void>;
  close(): Promise<void>;
}

export interface StackOptions {
  sim: SimulatorOptions;
  /**
   * Configuration on top of the stack's own (Redis, Jira, the simulator's SCIM directory); a
   * function when it needs the simulator's URL.
   */
  config?: Record<string, unknown> | ((sim: RunningSimulator) => Record<string, unknown>);
  /** Start workers in this process (default true). */
  workers?: boolean;
  scim?: boolean;
  /** More keys of the stack's own SCIM source (e.g. `scope`). */
  scimSource?: Record<string, unknown>;
}

export function stackConfig(
  sim: RunningSimulator,
  prefix: string,
  extra: Record<string, unknown> = {},
  scim = true,
  scimSource: Record<string, unknown> = {},
): Record<string, unknown> {
  const source = { type: 'scim', url: `${sim.url}/scim/v2`, token: 'sim-token', ...scimSource };
  // Jira 9 keeps last logins behind a Jira User Server application: stacks on dc9 have the
  // simulator's default one (a test of the unconfigured case passes `jira: { crowd: null }`).
  const crowd =
    sim.profile === 'dc9'
      ? {
          crowd: {
            application: DEFAULT_CROWD_APPLICATION.name,
            password: DEFAULT_CROWD_APPLICATION.password,
          },
        }
      : {};
  const base: Record<string, unknown> = {
    redis: { url: testRedisUrl(), prefix },
    records: recordsConfigFor(prefix),
    jira: { url: sim.url, token: 'sim-token', requestsPerSecond: 2000, retries: 2, ...crowd },
    directories: scim ? { sources: [source] } : {},
    worker: { shutdownTimeoutMs: 5_000 },
  };
  return deepMerge(base, extra);
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const prefix = uniquePrefix('stack');
  const records = await createRecordsFor(prefix);
  const sim = await startSimulator(options.sim);
  const config = validateConfig(
    stackConfig(
      sim,
      prefix,
      typeof options.config === 'function' ? options.config(sim) : options.config,
      options.scim ?? true,
      options.scimSource,
    ),
  );
  const app = createApp(config, 'producer', silentLogger());
  const stack: Stack = {
    sim,
    config,
    prefix,
    app,
    async startWorkers() {
      stack.workers = await startWorkerRole(config, silentLogger());
      return stack.workers;
    },
    async stopWorkers() {
      await stack.workers?.stop();
      stack.workers = undefined;
    },
    async close() {
      await stack.stopWorkers();
      await app.close();
      await sim.close();
      await deletePrefix(prefix);
      await records.drop();
    },
  };
  if (options.workers ?? true) await stack.startWorkers();
  return stack;
}

/** Polls until the run settles (or the time limit passes, which fails the test). */
export function waitForRun(app: App, runId: string, timeoutMs = 60_000): Promise<Run> {
  return waitForSettled(app.runs, runId, { timeoutMs, pollMs: 100 });
}

export async function runToEnd(
  stack: Stack,
  request: Partial<LaunchRequest> = {},
  timeoutMs?: number,
): Promise<Run> {
  const run = await launchRun(stack.app, {
    mode: 'dry-run',
    trigger: { type: 'cli', by: 'test' },
    ...request,
  });
  return waitForRun(stack.app, run.id, timeoutMs);
}

/** The whole plan of a run, by username. */
export async function planByName(app: App, runId: string): Promise<Map<string, PlanLine>> {
  const lines = new Map<string, PlanLine>();
  for await (const line of app.plans.stream(runId)) {
    if (lines.has(line.name)) throw new Error(`user ${line.name} appears twice in the plan`);
    lines.set(line.name, line);
  }
  return lines;
}

/** The simulator's view of a user, as Jira holds it now. */
export function simUser(sim: RunningSimulator, name: string): Promise<SimUserState> {
  return getSimUser(sim.url, name);
}

export function simStats(sim: RunningSimulator): Promise<SimStats> {
  return getSimStats(sim.url);
}

export function simHook(sim: RunningSimulator, path: string, body: unknown = {}): Promise<void> {
  return postSimHook(sim.url, path, body);
}
