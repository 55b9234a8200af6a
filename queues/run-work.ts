import type { Job, Queue } from 'bullmq';
import type { JobPresence, RunWork } from '../services/runs/run-sweeper.js';
import { evaluationIdsOf, jobIds, stepIdsOf } from './job-ids.js';
import { ACTION_QUEUES, QUEUES, type QueueName } from './names.js';
import type { QueueRegistry } from './registry.js';

/*
 * What is queued for one run, read from BullMQ's own lists in ONE transaction: a step that
 * queues the next one (on another queue) and then completes is seen in one place or the other,
 * never in neither, so a run is not taken for abandoned while its work moves along.
 */

/** The lists and sorted sets in which a job waits or runs (or waits to be retried). */
const PENDING_LISTS = ['wait', 'active', 'paused'] as const;
const PENDING_SETS = ['delayed', 'prioritized', 'waiting-children'] as const;

type Reply = [Error | null, unknown];

export class RunWorkReader {
  constructor(private readonly registry: QueueRegistry) {}

  async read(runId: string): Promise<RunWork> {
    const multi = this.registry.connection.multi();
    const single = [
      [QUEUES.scan, jobIds.scanRun(runId)],
      [QUEUES.runControl, jobIds.finishRun(runId)],
      [QUEUES.runControl, jobIds.startApply(runId)],
    ] as const;
    for (const [queue, id] of single) this.presenceCommands(multi, this.registry.queue(queue), id);
    const scanned: QueueName[] = [QUEUES.evaluate, ...ACTION_QUEUES];
    for (const queue of scanned) this.pendingIdCommands(multi, this.registry.queue(queue));
    const replies = ((await multi.exec()) ?? []) as Reply[];
    for (const [error] of replies) if (error) throw error;
    const values = replies.map(([, value]) => value);

    const perJob = PENDING_LISTS.length + PENDING_SETS.length + 3;
    const [scan, finishRun, startApply] = single.map((_, i) =>
      presence(values.slice(i * perJob, (i + 1) * perJob)),
    );
    let offset = single.length * perJob;
    const perQueue = PENDING_LISTS.length + PENDING_SETS.length;
    const pendingIds = scanned.map(
      (_, i) => values.slice(offset + i * perQueue, offset + (i + 1) * perQueue).flat() as string[],
    );
    offset += scanned.length * perQueue;
    const evaluations = evaluationIdsOf(runId);
    const steps = stepIdsOf(runId);
    return {
      scan: scan!,
      finishRun: finishRun!,
      startApply: startApply!,
      pendingEvaluations: new Set(pendingIds[0]!.filter((id) => evaluations.test(id))).size,
      pendingSteps: new Set(
        pendingIds
          .slice(1)
          .flat()
          .filter((id) => steps.test(id)),
      ).size,
    };
  }

  /** The run's failed jobs of one kind, with their data, for recording. */
  async failedJobs(runId: string, kind: 'evaluations' | 'steps'): Promise<Job[]> {
    const queues: QueueName[] = kind === 'evaluations' ? [QUEUES.evaluate] : ACTION_QUEUES;
    const matches = kind === 'evaluations' ? evaluationIdsOf(runId) : stepIdsOf(runId);
    const jobs: Job[] = [];
    for (const name of queues) {
      const queue = this.registry.queue(name);
      const ids = await this.registry.connection.zrange(queue.keys.failed!, '0', '-1');
      for (const id of ids.filter((candidate) => matches.test(candidate))) {
        const job = await queue.getJob(id);
        if (job) jobs.push(job);
      }
    }
    return jobs;
  }

  private presenceCommands(
    multi: ReturnType<QueueRegistry['connection']['multi']>,
    queue: Queue,
    id: string,
  ) {
    for (const list of PENDING_LISTS) multi.lpos(queue.keys[list]!, id);
    for (const set of PENDING_SETS) multi.zscore(queue.keys[set]!, id);
    multi.zscore(queue.keys.failed!, id);
    multi.zscore(queue.keys.completed!, id);
    multi.hget(`${queue.keys['']!}${id}`, 'failedReason');
  }

  private pendingIdCommands(multi: ReturnType<QueueRegistry['connection']['multi']>, queue: Queue) {
    for (const list of PENDING_LISTS) multi.lrange(queue.keys[list]!, '0', '-1');
    for (const set of PENDING_SETS) multi.zrange(queue.keys[set]!, '0', '-1');
  }
}

function presence(values: unknown[]): JobPresence {
  const pendingCount = PENDING_LISTS.length + PENDING_SETS.length;
  if (values.slice(0, pendingCount).some((value) => value !== null)) return { state: 'pending' };
  const [failed, completed, reason] = values.slice(pendingCount);
  if (failed !== null) return { state: 'failed', reason: (reason as string | null) ?? 'unknown reason' };
  if (completed !== null) return { state: 'completed' };
  return { state: 'absent' };
}
