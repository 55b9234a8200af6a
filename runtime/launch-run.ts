import { jobIds } from '../queues/job-ids.js';
import { JOBS } from '../queues/names.js';
import type { ReclaimRule } from '../services/policy/types.js';
import type { Run, RunMode, RunTrigger } from '../services/runs/types.js';
import type { App } from './app.js';

export interface LaunchRequest {
  mode: RunMode;
  trigger: RunTrigger;
  asOf?: Date;
  only?: ReclaimRule;
}

/**
 * Creates a run with the configured policy and queues its scan: the one way a run starts. A
 * crash between the two leaves a scanning run without a scan job: the run sweeper fails it.
 */
export async function launchRun(
  app: Pick<App, 'runs' | 'lifecycle' | 'registry' | 'config'>,
  request: LaunchRequest,
): Promise<Run> {
  const run = await app.runs.create({ ...request, policy: app.config.policy });
  try {
    await app.registry.add(JOBS.scanRun, { runId: run.id }, jobIds.scanRun(run.id));
  } catch (error) {
    await app.lifecycle.fail(
      run.id,
      `could not queue the scan: ${error instanceof Error ? error.message : error}`,
    );
    throw error;
  }
  return run;
}
