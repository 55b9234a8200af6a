import { stringify } from 'csv-stringify';
import type { Readable } from 'node:stream';
import { Readable as ReadableStream } from 'node:stream';
import { neutraliseFormula } from '../runs/plan-csv.js';
import type { BatchStore } from './batch-store.js';
import type { BatchRow } from './types.js';

/** Cells a spreadsheet would run as a formula are neutralised, as in the plan CSV. */
export const BATCH_CSV_COLUMNS = ['row', 'username', 'key', 'outcome', 'reason'] as const;
const PAGE = 1_000;

/** Every row of a batch, one page in memory at a time. */
export async function* batchRows(
  batches: BatchStore,
  batchId: string,
  total: number,
): AsyncGenerator<BatchRow> {
  for (let from = 1; from <= total; from += PAGE) {
    yield* await batches.rows(batchId, from, Math.min(PAGE, total - from + 1));
  }
}

/** The batch's outcome report as CSV, streamed. */
export function batchCsv(rows: AsyncIterable<BatchRow>): Readable {
  const records = ReadableStream.from(
    (async function* () {
      for await (const row of rows) {
        yield [String(row.row), row.username, row.key ?? '', row.outcome, row.reason ?? ''].map(
          neutraliseFormula,
        );
      }
    })(),
  );
  return records.pipe(stringify({ header: true, columns: [...BATCH_CSV_COLUMNS] }));
}
