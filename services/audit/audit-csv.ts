import { Readable, pipeline } from 'node:stream';
import { stringify } from 'csv-stringify';
import { canonicalJson } from '../runs/canonical-json.js';
import { neutraliseFormula } from '../runs/plan-csv.js';
import type { AuditEntry } from './types.js';

/*
 * The audit log as CSV, streamed entry by entry. `before` and `after` are the user snapshots as
 * JSON (empty when the user no longer existed); `reason` joins the reason and any notes with `;`.
 * Cells a spreadsheet would read as a formula get a leading `'`.
 */

export const AUDIT_CSV_COLUMNS = [
  'id',
  'at',
  'run_id',
  'action_id',
  'actor',
  'action',
  'user_key',
  'username',
  'outcome',
  'reason',
  'before',
  'after',
  'hash',
] as const;

function toRow(entry: AuditEntry): string[] {
  return [
    entry.id,
    entry.at,
    entry.runId,
    entry.actionId,
    entry.actor,
    entry.action,
    entry.user.key,
    entry.user.name,
    entry.outcome,
    [entry.reason, ...(entry.notes ?? [])].filter((text) => text !== undefined).join(';'),
    entry.before === null ? '' : canonicalJson(entry.before),
    entry.after === null ? '' : canonicalJson(entry.after),
    entry.hash,
  ].map(neutraliseFormula);
}

async function* rows(entries: AsyncIterable<AuditEntry> | Iterable<AuditEntry>): AsyncIterable<string[]> {
  for await (const entry of entries) yield toRow(entry);
}

/** The CSV text; a failure reading the entries ends the stream with that error. */
export function auditCsv(entries: AsyncIterable<AuditEntry> | Iterable<AuditEntry>): Readable {
  const csv = stringify({ header: true, columns: [...AUDIT_CSV_COLUMNS], eof: true });
  pipeline(Readable.from(rows(entries)), csv, () => {
    // pipeline has already destroyed `csv` with the error, which is how the reader learns of it.
  });
  return csv;
}
