import { WaitingError, Worker, type Job } from 'bullmq';
import { bullPrefix, type RedisClient } from '../queues/connection.js';
import { JOB_QUEUE, type JobName, type QueueName } from '../queues/names.js';
import type { Logger } from '../runtime/logger.js';

/**
 * A processor gets its job, the worker's context, a signal that fires on shutdown, and the job's
 * lock token (to move the job to delayed, e.g. a restore waiting for a seat).
 */
export type Processor<Ctx> = (job: Job, ctx: Ctx, signal: AbortSignal, token?: string) => Promise<unknown>;

export type ProcessorMap<Ctx> = Partial<Record<JobName, Processor<Ctx>>>;

export interface WorkerHostOptions<Ctx> {
  connection: RedisClient;
  prefix: string;
  queues: QueueName[];
  processors: ProcessorMap<Ctx>;
  context: Ctx;
  logger: Logger;
  concurrency?: Partial<Record<QueueName, number>>;
  /** How long a stop waits for active jobs before handing them back to the queue. */
  shutdownTimeoutMs?: number;
  /** A job's lock; the jobs of a worker that died return to the queue once it expires. */
  lockDurationMs?: number;
  /**
   * Jobs per second per queue, counted in Redis across all workers on all machines (BullMQ's
   * global limiter). Every queue has one: it is also what lets a Jira 429 pause the queue.
   */
  jobsPerSecond?: Partial<Record<QueueName, number>>;
  /**
   * A job failed for good (no attempt left, a permanent error, or failed by BullMQ without its
   * processor running: stalled more than `maxStalledCount` times). Called once per failure
   * seen by this worker; must be idempotent (the processor's last attempt may have recorded it).
   */
  onFailedForGood?(job: Job, reason: string, ctx: Ctx): Promise<void>;
  /** A job's attempt ended (completed, or failed whether or not it is retried): for metrics. */
  onJobEnded?(queue: QueueName, outcome: 'completed' | 'failed', seconds: number): void;
}

/** High enough never to slow a queue down; present so that a 429 can pause it. */
const UNLIMITED_JOBS_PER_SECOND = 1_000_000;

const DEFAULT_CONCURRENCY: Partial<Record<QueueName, number>> = {
  evaluate: 50,
  scan: 2,
  'run-control': 5,
  undo: 2,
};
const SHUTDOWN_REASON = 'shutdown';

/** Refuses to start when a job name carried by one of the queues has no processor. */
export function assertEveryJobHasAProcessor<Ctx>(queues: QueueName[], processors: ProcessorMap<Ctx>): void {
  const missing = (Object.keys(JOB_QUEUE) as JobName[]).filter(
    (job) => queues.includes(JOB_QUEUE[job]) && !processors[job],
  );
  if (missing.length > 0) {
    throw new Error(`no processor for job name(s): ${missing.join(', ')} — refusing to start`);
  }
}

/**
 * What a stop may take beyond shutdownTimeoutMs: handing the active jobs back, closing the
 * workers (forcibly when Redis is away) and recording failures, together.
 */
export const STOP_GRACE_MS = 4_000;

/**
 * The worker side of the queues: one BullMQ Worker per queue, dispatching on the job name.
 * Stopping is bounded: active jobs get `shutdownTimeoutMs` to finish, then are moved back to
 * waiting (not failed, no attempt spent) so another worker picks them up at once.
 */
export class WorkerHost<Ctx> {
  private readonly workers: Worker[] = [];
  /** Failures being recorded on their runs: a stop waits for them before closing Redis. */
  private readonly recording = new Set<Promise<void>>();
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: WorkerHostOptions<Ctx>) {
    assertEveryJobHasAProcessor(options.queues, options.processors);
  }

  start(): void {
    const { connection, prefix, queues, logger } = this.options;
    for (const queue of queues) {
      const worker = new Worker(queue, (job, token, signal) => this.process(job, token, signal), {
        connection,
        prefix: bullPrefix(prefix, queue),
        concurrency: this.options.concurrency?.[queue] ?? DEFAULT_CONCURRENCY[queue] ?? 10,
        // Throughput charts in Bull Board.
        metrics: { maxDataPoints: 60 * 24 },
        limiter: { max: this.options.jobsPerSecond?.[queue] ?? UNLIMITED_JOBS_PER_SECOND, duration: 1_000 },
        lockDuration: this.options.lockDurationMs ?? 30_000,
        stalledInterval: this.options.lockDurationMs ?? 30_000,
        // A job whose worker died twice is still worth a third try before it counts as failed.
        maxStalledCount: 2,
      });
      worker.on('completed', (job) => this.jobEnded(queue, 'completed', job));
      worker.on('failed', (job, error) => {
        if (job) this.jobEnded(queue, 'failed', job);
        logger.warn(
          { queue, jobId: job?.id, job: job?.name, attempts: job?.attemptsMade, err: error.message },
          'job failed',
        );
        // BullMQ stamps finishedOn only when the job will not be tried again.
        if (job && job.finishedOn) {
          const recorded = this.failedForGood(job, job.failedReason || error.message);
          this.recording.add(recorded);
          void recorded.finally(() => this.recording.delete(recorded));
        }
      });
      worker.on('error', (error) => logger.error({ queue, err: error.message }, 'worker error'));
      this.workers.push(worker);
    }
    logger.info({ queues }, 'workers started');
  }

  /** How long the attempt ran, from BullMQ's own stamps (processedOn → finishedOn, or now). */
  private jobEnded(queue: QueueName, outcome: 'completed' | 'failed', job: Job): void {
    if (!this.options.onJobEnded || !job.processedOn) return;
    const seconds = Math.max(0, ((job.finishedOn ?? Date.now()) - job.processedOn) / 1000);
    this.options.onJobEnded(queue, outcome, seconds);
  }

  private async failedForGood(job: Job, reason: string): Promise<void> {
    try {
      await this.options.onFailedForGood?.(job, reason, this.options.context);
    } catch (error) {
      // The run sweeper finds the failed job again and records it then.
      this.options.logger.error(
        { jobId: job.id, job: job.name, err: error instanceof Error ? error.message : String(error) },
        'could not record a failed job on its run',
      );
    }
  }

  /** Resolves once every worker listens (used by tests and the demo). */
  async ready(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.waitUntilReady()));
  }

  private async process(
    job: Job,
    token: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    const processor = this.options.processors[job.name as JobName];
    if (!processor) throw new Error(`no processor for job name "${job.name}"`);
    const controller = new AbortController();
    const work = processor(job, this.options.context, controller.signal, token);
    if (!signal) return work;
    return new Promise((resolve, reject) => {
      let handingBack = false;
      work.then(resolve, (error: unknown) => {
        // Once the job is being handed back, the processor's abort error is not a failure.
        if (!handingBack) reject(error);
      });
      signal.addEventListener(
        'abort',
        () => {
          handingBack = signal.reason === SHUTDOWN_REASON;
          controller.abort(signal.reason);
          if (!handingBack) return;
          // The processor may have been in the middle of a call; every processor is
          // idempotent, so the worker that takes the job next redoes it safely.
          job.moveToWait(token).then(() => reject(new WaitingError()), reject);
        },
        { once: true },
      );
    });
  }

  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    const { logger } = this.options;
    const timeoutMs = this.options.shutdownTimeoutMs ?? 20_000;
    // The whole stop fits in shutdownTimeoutMs + STOP_GRACE_MS, Redis reachable or not.
    const deadline = Date.now() + timeoutMs + STOP_GRACE_MS;
    const left = () => Math.max(0, deadline - Date.now());
    logger.info({ timeoutMs }, 'workers stopping: no new jobs, waiting for active ones');
    const closing = Promise.all(this.workers.map((w) => w.close()));
    if (!(await settlesWithin(closing, timeoutMs))) {
      logger.warn('active jobs did not finish in time: handing them back to their queues');
      for (const worker of this.workers) worker.cancelAllJobs(SHUTDOWN_REASON);
      if (!(await settlesWithin(closing, left() / 2))) {
        // Redis may be gone: a forced close does not wait for it. Jobs still locked return to
        // waiting through BullMQ's stalled-job check.
        await settlesWithin(Promise.all(this.workers.map((w) => w.close(true))), left() / 2);
      }
    }
    await settlesWithin(Promise.all(this.recording), left());
    logger.info('workers stopped');
  }
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
