import type { ActionStep } from '../../queues/payloads.js';
import type { PlanStore } from '../runs/plan-store.js';
import type { RunLifecycle } from '../runs/run-lifecycle.js';
import type { RunStore } from '../runs/run-store.js';
import type { ApplyProgress } from './apply-progress.js';
import { countUsersWithActions, firstStep, linesWithActions } from './plan-actions.js';

/** How the apply stage queues work; the queue layer implements it. */
export interface ActionSink {
  /** Queues steps; queuing the same step twice must queue it once. */
  enqueue(steps: ActionStep[]): Promise<void>;
}

export interface StartApplyDependencies {
  runs: RunStore;
  lifecycle: RunLifecycle;
  plans: PlanStore;
  progress: ApplyProgress;
}

const BATCH = 1000;

/**
 * An apply run starts acting: it knows how many users have actions, then queues the first step
 * of each user's chain. Safe to repeat: the count is the same and the steps have fixed ids.
 */
export async function startApply(
  deps: StartApplyDependencies,
  runId: string,
  sink: ActionSink,
): Promise<'started' | 'nothing-to-do' | 'not-applying'> {
  const run = await deps.runs.get(runId);
  if (!run || run.status !== 'applying') return 'not-applying';
  // The brake counted the users already; count here only for a run that never met it.
  let users = await deps.progress.total(runId);
  if (users === null) {
    users = await countUsersWithActions(deps.plans, runId);
    await deps.progress.setTotal(runId, users);
  }
  if (users === 0) {
    await deps.lifecycle.finishApplying(runId, 'the plan has no actions: nothing was changed');
    return 'nothing-to-do';
  }
  let batch: ActionStep[] = [];
  for await (const line of linesWithActions(deps.plans, runId)) {
    batch.push(firstStep(run, line));
    if (batch.length === BATCH) {
      await sink.enqueue(batch);
      batch = [];
    }
  }
  await sink.enqueue(batch);
  return 'started';
}
