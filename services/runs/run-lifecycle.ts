import type { RunStore } from './run-store.js';
import { isFinal } from './run-status.js';
import type { Run, RunCounters } from './types.js';

/*
 * The one owner of a run's lifecycle. Every status change of a run in production code goes
 * through here, so that what happens around a change (the clean-up of a run that ended, its
 * move to the records store, the wording of a reason) happens once, in one place, whoever
 * caused it: a worker, the sweeper, the API or the CLI. RunStore's `transition` is the atomic
 * storage primitive under it.
 */

export interface LifecycleHooks {
  /**
   * Removes the run's temporary keys (scan scratch, membership index, apply bookkeeping, …):
   * once the run is planned, and once it is done, failed or cancelled — after the status
   * change, by the caller whose change won. Idempotent. Default: nothing to remove.
   */
  discardScratch?(runId: string): Promise<void>;
  /**
   * The run has ended (done, failed or cancelled), called once by the caller whose change won,
   * after the clean-up and the move to the records store: e.g. queues the run summary mail.
   * Default: nothing.
   */
  onFinished?(runId: string): Promise<void>;
  /**
   * A clean-up that threw (the scratch discard, the move of a run that ended to the records
   * store, or onFinished): the run's status stands; the caller reports it. The scratch keys' TTL
   * removes them later, and the next reader of the run (or the sweeper) completes the move.
   */
  onCleanupError?(runId: string, error: unknown): void;
}

/** The reason an apply run is done with: what became of its actions. */
export function appliedReason(c: RunCounters): string {
  return `applied: ${c.actionsDone} done, ${c.actionsSkipped} skipped, ${c.actionsNotPossible} not possible, ${c.actionsFailed} failed`;
}

/** Undo was asked for a run that may still change Jira. */
export class RunNotFinishedError extends Error {
  constructor(readonly run: Pick<Run, 'id' | 'status'>) {
    super(
      `run ${run.id} is ${run.status}: it can be undone once it has finished (done, failed or cancelled); cancel it first to stop it`,
    );
    this.name = 'RunNotFinishedError';
  }
}

export class RunLifecycle {
  constructor(
    private readonly runs: RunStore,
    private readonly hooks: LifecycleHooks = {},
  ) {}

  /** The scan has listed everyone and queued every evaluation. */
  startEvaluating(runId: string): Promise<boolean> {
    return this.runs.transition(runId, ['scanning'], 'evaluating');
  }

  /** Every listed user has a line in the plan. */
  markPlanned(runId: string): Promise<boolean> {
    return this.runs.transition(runId, ['evaluating'], 'planned');
  }

  async finishDryRun(runId: string): Promise<boolean> {
    const done = await this.runs.transition(
      runId,
      ['planned'],
      'done',
      'dry run: the plan is ready; nothing was changed in Jira',
    );
    // Its scratch data went when it was planned (finishRun).
    if (done) {
      await this.archive(runId);
      await this.finished(runId);
    }
    return done;
  }

  holdForApproval(runId: string, reasons: string[]): Promise<boolean> {
    return this.runs.transition(
      runId,
      ['planned'],
      'awaiting-approval',
      `held by the brake until approved: ${reasons.join('; ')}`,
    );
  }

  /** An apply run that passed the brake goes straight on. */
  startApplying(runId: string): Promise<boolean> {
    return this.runs.transition(runId, ['planned'], 'applying');
  }

  approve(runId: string, approvedBy: string): Promise<boolean> {
    return this.runs.transition(runId, ['awaiting-approval'], 'applying', `approved by ${approvedBy}`);
  }

  /** Every user's chain of actions has ended; `reason` carries the final counts. */
  async finishApplying(runId: string, reason: string): Promise<boolean> {
    const done = await this.runs.transition(runId, ['applying'], 'done', reason);
    if (done) await this.ended(runId);
    return done;
  }

  /**
   * The run cannot go on: any run not yet over becomes failed with the reason. Idempotent — a
   * run already done, failed or cancelled is left as it is (returns false).
   */
  async fail(runId: string, reason: string): Promise<boolean> {
    const failed = await this.runs.fail(runId, reason);
    if (failed) await this.ended(runId);
    return failed;
  }

  async cancel(runId: string, reason: string): Promise<boolean> {
    const cancelled = await this.runs.cancel(runId, reason);
    if (cancelled) await this.ended(runId);
    return cancelled;
  }

  /** @throws RunNotFinishedError while the run may still act (or has not even planned). */
  assertUndoable(run: Pick<Run, 'id' | 'status'>): void {
    if (!isFinal(run.status)) throw new RunNotFinishedError(run);
  }

  /** The run is over: its scratch keys go, the run moves to the records store, onFinished is told. */
  private async ended(runId: string): Promise<void> {
    await this.discardScratch(runId);
    await this.archive(runId);
    await this.finished(runId);
  }

  /**
   * The whole record of a run that is over goes to the records store and leaves Redis
   * (RunStore.archive); a failure is reported, never thrown: the next reader completes it.
   */
  private async archive(runId: string): Promise<void> {
    try {
      await this.runs.archive(runId);
    } catch (error) {
      this.hooks.onCleanupError?.(runId, error);
    }
  }

  /** Tells the onFinished hook; a failure is reported, never thrown (the run has ended either way). */
  private async finished(runId: string): Promise<void> {
    try {
      await this.hooks.onFinished?.(runId);
    } catch (error) {
      this.hooks.onCleanupError?.(runId, error);
    }
  }

  /**
   * The run's temporary keys go (see {@link LifecycleHooks.discardScratch}); a failure to
   * remove them is reported, never thrown: their TTL removes them later.
   */
  async discardScratch(runId: string): Promise<void> {
    try {
      await this.hooks.discardScratch?.(runId);
    } catch (error) {
      this.hooks.onCleanupError?.(runId, error);
    }
  }
}
