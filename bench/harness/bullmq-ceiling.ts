import { Queue, Worker } from 'bullmq';

/*
 * BullMQ's own ceiling on this Redis: `jobs` jobs added with addBulk 1,000 at a time while one
 * Worker at concurrency 100 runs a processor that does nothing. Completed jobs are trimmed as
 * Reclaim's evaluate queue trims them (the last 1,000 kept). No Reclaim code is involved: this
 * is the most jobs per second any design of one job per user could get from BullMQ here.
 */

export interface CeilingResult {
  jobs: number;
  seconds: number;
  jobsPerSecond: number;
}

export async function bullmqCeiling(redisUrl: string, jobs: number): Promise<CeilingResult> {
  const prefix = `bench-ceiling-${Date.now()}`;
  const { hostname, port } = new URL(redisUrl);
  // Options rather than clients: BullMQ then closes the connections it made.
  const connection = () => ({ host: hostname, port: Number(port), maxRetriesPerRequest: null });
  const queue = new Queue('ceiling', { connection: connection(), prefix });
  let completed = 0;
  let allDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (allDone = resolve));
  const worker = new Worker('ceiling', async () => undefined, {
    connection: connection(),
    prefix,
    concurrency: 100,
  });
  worker.on('completed', () => {
    if (++completed === jobs) allDone();
  });
  await worker.waitUntilReady();
  const started = performance.now();
  for (let first = 0; first < jobs; first += 1000) {
    const batch = Array.from({ length: Math.min(1000, jobs - first) }, (_, i) => ({
      name: 'noop',
      data: { user: first + i },
      opts: { removeOnComplete: { count: 1000 }, removeOnFail: { count: 1000 } },
    }));
    await queue.addBulk(batch);
  }
  await done;
  const seconds = (performance.now() - started) / 1000;
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return { jobs, seconds, jobsPerSecond: jobs / seconds };
}
