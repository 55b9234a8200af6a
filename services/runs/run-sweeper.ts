import { appliedReason, type RunLifecycle } from './run-lifecycle.js';
import type { RunStore } from './run-store.js';
import type { Run } from './types.js';

/*
 * The run sweeper: a run moves on only when a job moves it, so a run whose jobs are gone —
 * failed without anyone recording it, removed from the queue, never queued because a process
 * died between creating the run and queuing its scan — would wait forever. Every minute or so
 * the sweeper looks at each run that is not over and, when nothing is left that could move it,
 * finishes it (the work is all there) or fails it with the reason.
 */

/** Where one job of a run stands, looked up by its deterministic id. */
export type JobPresence =
  { state: 'pending' } | { state: 'failed'; reason: string } | { state: 'completed' } | { state: 'absent' };

/** One consistent reading of everything queued for a run. */
export interface RunWork {
  scan: JobPresence;
  finishRun: JobPresence;
  startApply: JobPresence;
  /** Evaluate jobs of the run waiting, delayed or being processed. */
  pendingEvaluations: number;
  /** Action steps of the run waiting, delayed or being processed. */
  pendingSteps: number;
}

/** What the sweeper needs of the queues; the queue layer implements it. */
export interface SweepPort {
  work(runId: string): Promise<RunWork>;
  /** Records every failed job of the run of this kind, as its worker would have. */
  recordFailedJobs(runId: string, kind: 'evaluations' | 'steps'): Promise<number>;
  /** The run's finishing step, run here (it is idempotent). */
  finishRun(runId: string): Promise<void>;
  /** Queues the run's apply stage under its fixed id (queued once however often asked). */
  queueApply(runId: string): Promise<void>;
  /** How many users the apply stage works on, and how many of them are finished. */
  applyProgress(runId: string): Promise<{ finished: number; total: number | null }>;
}

export interface SweepDependencies {
  runs: RunStore;
  lifecycle: RunLifecycle;
  port: SweepPort;
  /** A run whose status changed more recently than this is left alone. */
  graceMs: number;
  now?: () => number;
  /** One run could not be swept (Redis hiccup, a malformed job): the others still are. */
  onError?(runId: string, error: unknown): void;
}

export interface SweepAction {
  runId: string;
  was: Run['status'];
  action: 'failed' | 'finished' | 'restarted-apply' | 'recorded-failures';
  reason: string;
}

export async function sweepRuns(deps: SweepDependencies): Promise<SweepAction[]> {
  const now = deps.now?.() ?? Date.now();
  const actions: SweepAction[] = [];
  for (const run of await deps.runs.listUnfinished()) {
    if (now - Date.parse(run.updatedAt) < deps.graceMs) continue;
    try {
      const action = await sweepRun(deps, run);
      if (action) actions.push({ runId: run.id, was: run.status, ...action });
    } catch (error) {
      deps.onError?.(run.id, error);
    }
  }
  return actions;
}

type Outcome = Omit<SweepAction, 'runId' | 'was'> | null;

async function sweepRun(deps: SweepDependencies, run: Run): Promise<Outcome> {
  const work = await deps.port.work(run.id);
  switch (run.status) {
    case 'scanning':
      return sweepScanning(deps, run, work);
    case 'evaluating':
      return sweepEvaluating(deps, run, work);
    case 'planned':
      return sweepPlanned(deps, run, work);
    case 'applying':
      return sweepApplying(deps, run, work);
    default:
      // awaiting-approval waits for a person, not for a job.
      return null;
  }
}

async function fail(deps: SweepDependencies, run: Run, reason: string): Promise<Outcome> {
  return (await deps.lifecycle.fail(run.id, reason)) ? { action: 'failed', reason } : null;
}

function failedReason(job: JobPresence, what: string): string | null {
  return job.state === 'failed' ? `${what} failed: ${job.reason}` : null;
}

async function sweepScanning(deps: SweepDependencies, run: Run, work: RunWork): Promise<Outcome> {
  if (work.scan.state === 'pending') return null;
  return fail(
    deps,
    run,
    failedReason(work.scan, 'scan') ??
      (work.scan.state === 'completed'
        ? 'the scan job ended without listing every user'
        : 'the scan job is gone: it was never queued (the process stopped right after creating the run) or it was removed'),
  );
}

async function sweepEvaluating(deps: SweepDependencies, run: Run, work: RunWork): Promise<Outcome> {
  if (work.scan.state === 'pending' || work.finishRun.state === 'pending' || work.pendingEvaluations > 0)
    return null;
  if (!run.counters.scanComplete) {
    return fail(
      deps,
      run,
      failedReason(work.scan, 'scan') ?? 'the scan job is gone before the scan had listed every user',
    );
  }
  const finishFailed = failedReason(work.finishRun, 'finishing the run');
  if (finishFailed) return fail(deps, run, finishFailed);
  // Evaluations that failed for good without their user getting a line (the event was lost).
  const recorded = await deps.port.recordFailedJobs(run.id, 'evaluations');
  const now = (await deps.runs.get(run.id)) ?? run;
  const total = now.counters.total ?? 0;
  if (now.counters.evaluated >= total) {
    await deps.port.finishRun(run.id);
    return {
      action: 'finished',
      reason: `every user was evaluated but the run had not finished${recorded > 0 ? ` (${recorded} failed evaluation(s) recorded as undetermined)` : ''}`,
    };
  }
  return fail(
    deps,
    run,
    `${total - now.counters.evaluated} of ${total} user(s) were never evaluated: their evaluate jobs are gone`,
  );
}

async function sweepPlanned(deps: SweepDependencies, run: Run, work: RunWork): Promise<Outcome> {
  if (work.finishRun.state === 'pending') return null;
  const finishFailed = failedReason(work.finishRun, 'finishing the run');
  if (finishFailed) return fail(deps, run, finishFailed);
  await deps.port.finishRun(run.id);
  return { action: 'finished', reason: 'the run was planned but its finishing step had stopped' };
}

async function sweepApplying(deps: SweepDependencies, run: Run, work: RunWork): Promise<Outcome> {
  if (work.startApply.state === 'pending' || work.pendingSteps > 0) return null;
  const startFailed = failedReason(work.startApply, 'starting the apply stage');
  if (startFailed) return fail(deps, run, startFailed);
  const c = run.counters;
  const acted = c.actionsDone + c.actionsSkipped + c.actionsNotPossible + c.actionsFailed;
  if (work.startApply.state === 'absent' && acted === 0) {
    // Approved (or past the brake) but the apply stage was never queued: queue it now, under
    // its fixed id, so the next sweep sees it (pending, then completed) and does not queue again.
    await deps.port.queueApply(run.id);
    return { action: 'restarted-apply', reason: 'the apply stage had never been queued' };
  }
  // Steps that failed for good unseen: recording them ends their users' chains.
  const recorded = await deps.port.recordFailedJobs(run.id, 'steps');
  const after = (await deps.runs.get(run.id)) ?? run;
  if (after.status !== 'applying') {
    return { action: 'recorded-failures', reason: `${recorded} failed action step(s) recorded` };
  }
  const { finished, total } = await deps.port.applyProgress(run.id);
  if (total !== null && finished >= total) {
    // Every user's chain ended, but the last one stopped before it could say so.
    const reason = appliedReason(after.counters);
    return (await deps.lifecycle.finishApplying(run.id, reason)) ? { action: 'finished', reason } : null;
  }
  const unfinished =
    total === null ? 'the users not yet finished' : `${total - finished} of ${total} user(s)`;
  return fail(
    deps,
    run,
    `the apply stage stopped: no action step is queued or running for ${unfinished}; their action jobs are gone`,
  );
}
