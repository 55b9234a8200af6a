import { Queue } from 'bullmq';
import { bullPrefix, type RedisClient } from './connection.js';
import { JOB_OPTIONS } from './job-options.js';
import { JOB_QUEUE, type JobName, type QueueName } from './names.js';
import { parsePayload, type Payload } from './payloads.js';

/**
 * The producer side of every queue: the only place that constructs a Queue. Payloads are
 * validated before they are added, so a malformed job never reaches Redis.
 */
export class QueueRegistry {
  private readonly queues = new Map<QueueName, Queue>();

  constructor(
    readonly connection: RedisClient,
    readonly prefix: string,
  ) {}

  queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, {
        connection: this.connection,
        prefix: bullPrefix(this.prefix, name),
        defaultJobOptions: JOB_OPTIONS[name],
      });
      // A producer's Redis error is reported by the command that failed; this keeps the
      // emitter from throwing an unhandled 'error' on top of it.
      queue.on('error', () => undefined);
      this.queues.set(name, queue);
    }
    return queue;
  }

  queueFor(job: JobName): Queue {
    return this.queue(JOB_QUEUE[job]);
  }

  async add<N extends JobName>(job: N, data: Payload<N>, jobId: string, delay?: number): Promise<void> {
    await this.queueFor(job).add(job, parsePayload(job, data), { jobId, ...(delay ? { delay } : {}) });
  }

  async addBulk<N extends JobName>(job: N, items: Array<{ data: Payload<N>; jobId: string }>): Promise<void> {
    if (items.length === 0) return;
    await this.queueFor(job).addBulk(
      items.map((item) => ({ name: job, data: parsePayload(job, item.data), opts: { jobId: item.jobId } })),
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }
}
