import type { ReclaimConfig } from '../../config/schema.js';
import type { ApplyProgress } from '../apply/apply-progress.js';
import { checkBrake } from '../apply/brake.js';
import { countUsersWithActions } from '../apply/plan-actions.js';
import type { PlanStore } from '../runs/plan-store.js';
import type { RunLifecycle } from '../runs/run-lifecycle.js';
import type { RunStore } from '../runs/run-store.js';

export interface FinishDependencies {
  brake: ReclaimConfig['brake'];
  runs: RunStore;
  lifecycle: RunLifecycle;
  plans: PlanStore;
  progress: ApplyProgress;
  /** Queues the apply stage of a run that may act. */
  startApply(runId: string): Promise<void>;
}

/**
 * Every user of the run is evaluated: the run becomes `planned` (exactly once, however many
 * workers report the last user) and its scratch data is dropped. A dry run is then done; an
 * apply run passes the blast-radius brake — held for approval, or on to applying.
 */
export async function finishRun(deps: FinishDependencies, runId: string): Promise<void> {
  const { runs, lifecycle } = deps;
  await lifecycle.markPlanned(runId);
  const run = await runs.get(runId);
  // A retry after a crash between "applying" and queuing the apply stage queues it now.
  if (run?.status === 'applying') return deps.startApply(runId);
  if (!run || run.status !== 'planned') return;

  // The scan's and the evaluations' working data; the apply stage starts its own below.
  await lifecycle.discardScratch(runId);
  // From here on the plan is read, never written: it moves to the records store, and every
  // read from here on (the brake's count, the apply stage, reports) comes from there.
  await deps.plans.archive(runId);

  const undetermined = run.counters.byVerdict.undetermined;
  const undeterminedNote = `${undetermined} user(s) undetermined: a fact their verdict needs could not be read (their reasons in the plan say which); nothing is done to them`;
  if (undetermined > 0 && !run.notes.includes(undeterminedNote)) await runs.addNote(runId, undeterminedNote);

  if (run.mode === 'dry-run') {
    await lifecycle.finishDryRun(runId);
    return;
  }
  // Counted once here, for the brake and for the apply stage that follows.
  const usersTouched = await countUsersWithActions(deps.plans, runId);
  await deps.progress.setTotal(runId, usersTouched);
  const brake = checkBrake(run, usersTouched, deps.brake);
  if (brake.hold) {
    await lifecycle.holdForApproval(runId, brake.reasons);
    return;
  }
  if (await lifecycle.startApplying(runId)) await deps.startApply(runId);
}

/** A person approved a held run: it goes on to applying. */
export async function approveRun(
  deps: Pick<FinishDependencies, 'runs' | 'lifecycle' | 'startApply'>,
  runId: string,
  approvedBy: string,
): Promise<boolean> {
  const approved = await deps.lifecycle.approve(runId, approvedBy);
  // Approving again is how a caller retries after queuing failed: the apply stage is idempotent.
  if (approved || (await deps.runs.get(runId))?.status === 'applying') {
    await deps.startApply(runId);
    return true;
  }
  return false;
}
