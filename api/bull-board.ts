import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Router } from 'express';
import { ALL_QUEUES } from '../queues/names.js';
import type { QueueRegistry } from '../queues/registry.js';

export const BULL_BOARD_PATH = '/admin/queues';

/** Bull Board over every queue of the registry. */
export function bullBoardRouter(registry: QueueRegistry): Router {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: ALL_QUEUES.map((name) => new BullMQAdapter(registry.queue(name))),
    serverAdapter: adapter,
    // showMetrics: the throughput chart of the metrics the workers record (workers/host.ts).
    options: { uiConfig: { boardTitle: 'Reclaim', showMetrics: true } },
  });
  return adapter.getRouter() as Router;
}
