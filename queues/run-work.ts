import type { Job, Queue } from 'bullmq';
import { Cluster, type ChainableCommander } from 'ioredis';
import type { JobPresence, RunWork } from '../services/runs/run-sweeper.js';
import { crossSlotPipeline } from './connection.js';
import { evaluationIdsOf, jobIds, stepIdsOf } from './job-ids.js';
import { ACTION_QUEUES, QUEUES, type QueueName } from './names.js';
import type { QueueRegistry } from './registry.js';

/*
 * What is queued for one run, read from BullMQ's own lists as ONE consistent reading (a
 * transaction on a single Redis; see read() for Redis Cluster): a step that queues the next one
 * (on another queue) and then completes is seen in one place or the other, never in neither,
 * so a run is not taken for abandoned while its work moves along.
 */

/** The lists and sorted sets in which a job waits or runs (or waits to be retried). */
const PENDING_LISTS = ['wait', 'active', 'paused'] as const;
const PENDING_SETS = ['delayed', 'prioritized', 'waiting-children'] as const;

type Reply = [Error | null, unknown];

/** The jobs of a run looked up by their fixed ids. */
const READ_SINGLE = (runId: string) =>
  [
    [QUEUES.scan, jobIds.scanRun(runId)],
    [QUEUES.runControl, jobIds.finishRun(runId)],
    [QUEUES.runControl, jobIds.startApply(runId)],
  ] as const;
/** The queues whose pending jobs are counted for a run. */
const SCANNED_QUEUES: QueueName[] = [QUEUES.evaluate, ...ACTION_QUEUES];
/** Readings tried on Redis Cluster before the queues count as moving too fast to read. */
const STABLE_READ_ATTEMPTS = 5;

export class RunWorkReader {
  constructor(private readonly registry: QueueRegistry) {}

  async read(runId: string): Promise<RunWork> {
    const connection = this.registry.connection;
    if (!(connection instanceof Cluster)) {
      return this.parse(runId, await this.readIn(connection.multi(), runId));
    }
    // On Redis Cluster the queues are in different slots, where no transaction reaches: the
    // reading is taken between two readings of every queue's event stream instead. Each BullMQ
    // script that moves a job (add, take, finish, retry, stall, remove) adds an event in the
    // same atomic step, so when no stream moved, nothing moved while the lists were read.
    // A reading that finds work pending is true however the queues moved (that job was there),
    // and pending work is all the sweeper needs to leave a run alone.
    for (let attempt = 0; attempt < STABLE_READ_ATTEMPTS; attempt++) {
      const before = await this.eventTips();
      const work = this.parse(runId, await this.readIn(crossSlotPipeline(connection), runId));
      if (somethingPending(work) || (await this.eventTips()) === before) return work;
    }
    // The queues kept moving: the run's work is alive, and the next sweep looks again.
    throw new Error(`the queues kept moving while the work of run ${runId} was read`);
  }

  /** The last event id of every queue, as one comparable string. */
  private async eventTips(): Promise<string> {
    const pipeline = crossSlotPipeline(this.registry.connection);
    for (const queue of Object.values(QUEUES)) {
      pipeline.xrevrange(this.registry.queue(queue).keys.events!, '+', '-', 'COUNT', 1);
    }
    const replies = ((await pipeline.exec()) ?? []) as Reply[];
    return replies
      .map(([error, entries]) => {
        if (error) throw error;
        return (entries as Array<[string, string[]]>)[0]?.[0] ?? '-';
      })
      .join(' ');
  }

  private async readIn(commands: ChainableCommander, runId: string): Promise<unknown[]> {
    for (const [queue, id] of READ_SINGLE(runId)) {
      this.presenceCommands(commands, this.registry.queue(queue), id);
    }
    for (const queue of SCANNED_QUEUES) this.pendingIdCommands(commands, this.registry.queue(queue));
    const replies = ((await commands.exec()) ?? []) as Reply[];
    for (const [error] of replies) if (error) throw error;
    return replies.map(([, value]) => value);
  }

  private parse(runId: string, values: unknown[]): RunWork {
    const single = READ_SINGLE(runId);
    const scanned = SCANNED_QUEUES;

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

  private presenceCommands(multi: ChainableCommander, queue: Queue, id: string) {
    for (const list of PENDING_LISTS) multi.lpos(queue.keys[list]!, id);
    for (const set of PENDING_SETS) multi.zscore(queue.keys[set]!, id);
    multi.zscore(queue.keys.failed!, id);
    multi.zscore(queue.keys.completed!, id);
    multi.hget(`${queue.keys['']!}${id}`, 'failedReason');
  }

  private pendingIdCommands(multi: ChainableCommander, queue: Queue) {
    for (const list of PENDING_LISTS) multi.lrange(queue.keys[list]!, '0', '-1');
    for (const set of PENDING_SETS) multi.zrange(queue.keys[set]!, '0', '-1');
  }
}

function somethingPending(work: RunWork): boolean {
  return (
    [work.scan, work.finishRun, work.startApply].some((job) => job.state === 'pending') ||
    work.pendingEvaluations > 0 ||
    work.pendingSteps > 0
  );
}

function presence(values: unknown[]): JobPresence {
  const pendingCount = PENDING_LISTS.length + PENDING_SETS.length;
  if (values.slice(0, pendingCount).some((value) => value !== null)) return { state: 'pending' };
  const [failed, completed, reason] = values.slice(pendingCount);
  if (failed !== null) return { state: 'failed', reason: (reason as string | null) ?? 'unknown reason' };
  if (completed !== null) return { state: 'completed' };
  return { state: 'absent' };
}
