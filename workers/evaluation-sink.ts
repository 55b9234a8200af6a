import { jobIds } from '../queues/job-ids.js';
import { JOBS, QUEUES } from '../queues/names.js';
import type { App } from '../runtime/app.js';
import type { EvaluationSink } from '../services/pipeline/scan-run.js';

const ROOM_POLL_MS = 250;

/** The evaluate queue as the scan's sink: deterministic ids, and back-pressure on its depth. */
export function evaluationSink(app: App): EvaluationSink {
  const queue = app.registry.queue(QUEUES.evaluate);
  const highWater = app.config.scan.evaluateHighWater;
  const batchSize = app.config.scan.batchSize;
  return {
    async enqueue(requests) {
      for (let start = 0; start < requests.length; start += batchSize) {
        await app.registry.addBulk(
          JOBS.evaluateUser,
          requests.slice(start, start + batchSize).map((request) => ({
            data: request,
            jobId: jobIds.evaluateUser(request.runId, request.user.key),
          })),
        );
      }
    },
    async waitForRoom(signal) {
      for (;;) {
        const counts = await queue.getJobCounts('waiting', 'prioritized', 'delayed');
        const depth = Object.values(counts).reduce((sum, n) => sum + n, 0);
        if (depth < highWater) return;
        signal.throwIfAborted();
        await new Promise((resolve) => setTimeout(resolve, ROOM_POLL_MS));
      }
    },
    async finish(runId) {
      await app.registry.add(JOBS.finishRun, { runId }, jobIds.finishRun(runId));
    },
  };
}
