import { randomBytes } from 'node:crypto';
import type { BatchStore } from './batch-store.js';
import type { BatchRow } from './types.js';
import type { ParsedRow } from './user-update-request.js';

/** More rows than this in one batch are refused. */
export const MAX_BATCH_ROWS = 100_000;
/** Rows written to Redis (and later queued) per round trip. */
const CHUNK = 500;

/** Queues one job per pending row of a batch (implemented over BullMQ in workers/). */
export interface RowSink {
  enqueue(batchId: string, rows: number[], actor: string): Promise<void>;
}

export class BatchRefusedError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'BatchRefusedError';
  }
}

export function newBatchId(): string {
  return `batch-${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

/**
 * Takes the rows of a batch as they arrive (a CSV or JSON stream), writing them to Redis in
 * chunks so memory stays flat whatever the size; a row that does not parse is recorded as
 * `failed` with the field named. Only once every row is in — and the batch is not refused as a
 * whole (too many rows, none) — is a job queued per pending row, read back from Redis.
 */
export async function ingestBatch(
  deps: { batches: BatchStore; sink: RowSink },
  rows: AsyncIterable<ParsedRow>,
  actor: string,
  batchId = newBatchId(),
): Promise<{ batchId: string; total: number }> {
  await deps.batches.create(batchId, actor);
  let total = 0;
  let chunk: BatchRow[] = [];
  try {
    for await (const parsed of rows) {
      total += 1;
      if (total > MAX_BATCH_ROWS)
        throw new BatchRefusedError('rows', `at most ${MAX_BATCH_ROWS} rows per batch`);
      chunk.push(
        parsed.error !== undefined || parsed.update === undefined
          ? { row: total, username: parsed.username, outcome: 'failed', reason: parsed.error ?? 'no update' }
          : { row: total, username: parsed.username, update: parsed.update, outcome: 'pending' },
      );
      if (chunk.length >= CHUNK) {
        await deps.batches.addRows(batchId, chunk);
        chunk = [];
      }
    }
    await deps.batches.addRows(batchId, chunk);
    if (total === 0) throw new BatchRefusedError('rows', 'no rows to update');
  } catch (error) {
    await deps.batches.discard(batchId);
    throw error;
  }
  await deps.batches.seal(batchId, total);
  for (let from = 1; from <= total; from += CHUNK) {
    const pending = (await deps.batches.rows(batchId, from, Math.min(CHUNK, total - from + 1)))
      .filter((row) => row.outcome === 'pending')
      .map((row) => row.row);
    if (pending.length > 0) await deps.sink.enqueue(batchId, pending, actor);
  }
  return { batchId, total };
}
