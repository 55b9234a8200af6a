import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { BatchRefusedError } from './ingest-batch.js';
import { BULK_CSV_COLUMNS, parseCsvRecord, parseJsonRow, type ParsedRow } from './user-update-request.js';

/**
 * A record (its fields and the line holding them) longer than this refuses the batch: one
 * record is held in memory whole, so a 100 MB "line" must not be read to its end.
 */
export const MAX_CSV_RECORD_CHARS = 64 * 1024;

/**
 * The rows of a bulk-update CSV, parsed as they stream in (one record in memory at a time).
 * The header must name `username` and only known columns; a malformed file (an unclosed quote)
 * refuses the batch, naming the line.
 */
export async function* csvRows(input: Readable): AsyncGenerator<ParsedRow> {
  const parser = input.pipe(
    parse({
      bom: true,
      skip_empty_lines: true,
      trim: true,
      relax_column_count: true,
      max_record_size: MAX_CSV_RECORD_CHARS,
      columns: (header: string[]) => {
        const columns = header.map((column) => column.trim().toLowerCase());
        const unknown = columns.filter((column) => !(BULK_CSV_COLUMNS as readonly string[]).includes(column));
        if (unknown.length > 0) {
          throw new BatchRefusedError(
            'header',
            `unknown column(s) ${unknown.join(', ')}; expected ${BULK_CSV_COLUMNS.join(',')}`,
          );
        }
        if (!columns.includes('username'))
          throw new BatchRefusedError('header', 'the username column is missing');
        return columns;
      },
    }),
  );
  // A read error of the request reaches the parser's iteration too.
  input.on('error', (error) => parser.destroy(error));
  try {
    for await (const record of parser as AsyncIterable<Record<string, string>>) yield parseCsvRecord(record);
  } catch (error) {
    if (error instanceof BatchRefusedError) throw error;
    // csv-parse wraps a thrown header error in its own.
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof BatchRefusedError) throw cause;
    throw new BatchRefusedError('body', error instanceof Error ? error.message : String(error));
  }
}

/** The rows of a JSON bulk update: `{rows: [...]}` or an array. */
export async function* jsonRows(body: unknown): AsyncGenerator<ParsedRow> {
  const rows = Array.isArray(body) ? body : (body as { rows?: unknown } | null)?.rows;
  if (!Array.isArray(rows))
    throw new BatchRefusedError('rows', 'expected {"rows": [...]} or an array of rows');
  for (const row of rows) yield parseJsonRow(row);
}
