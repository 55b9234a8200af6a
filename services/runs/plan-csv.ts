import { Readable, pipeline } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { PlannedAction, Reason } from '../policy/types.js';
import type { PlanLine } from './types.js';

/*
 * The plan as CSV, streamed line by line so a million-user plan never sits in memory.
 *
 * Cells:
 * - `actions`: `;`-separated, each `type` or `type(argument)`: `revoke-license(g1,g2)`,
 *   `remove-groups(g1,g2)`, `add-groups(g)`, `deactivate`, `rename(alice_inactive_20261129)`.
 * - `reasons`: `;`-separated, each `rule: value (threshold: t)`, the parts present.
 * - Any cell that a spreadsheet would read as a formula (starting with = + - @, tab or
 *   carriage return, per OWASP) gets a leading `'`.
 */

export const PLAN_CSV_COLUMNS = [
  'username',
  'key',
  'display_name',
  'email',
  'active',
  'last_login',
  'verdict',
  'actions',
  'reasons',
] as const;

/** Appended when a source knows directories (PRODUCT: "a `directory` column is appended"). */
export const PLAN_CSV_DIRECTORY_COLUMN = 'directory';

export interface PlanCsvOptions {
  /** A source knew the users' directories (Jira's database): append the `directory` column. */
  directoryColumn?: boolean;
}

const FORMULA_START = /^[=+\-@\t\r]/;

export function neutraliseFormula(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

export function formatAction(action: PlannedAction): string {
  switch (action.type) {
    case 'revoke-license':
    case 'remove-groups':
    case 'add-groups':
      return `${action.type}(${action.groups.join(',')})`;
    case 'rename':
      return `${action.type}(${action.to})`;
    case 'deactivate':
      return action.type;
  }
}

/**
 * One reason as the `reasons` cell shows it. The cell separates reasons by ";", so a ";" inside
 * one (a group name, a directory's error text) is written as "," rather than splitting it.
 */
export function formatReason(reason: Reason): string {
  let text = reason.rule;
  if (reason.value !== undefined) text += `: ${reason.value}`;
  if (reason.threshold !== undefined) text += ` (threshold: ${reason.threshold})`;
  return text.replaceAll(';', ',');
}

function toRow(line: PlanLine, directoryColumn: boolean): string[] {
  const cells = [
    line.name,
    line.key,
    line.displayName ?? '',
    line.emailAddress ?? '',
    String(line.active),
    line.lastLogin ?? '',
    line.verdict,
    line.actions.map(formatAction).join(';'),
    line.reasons.map(formatReason).join(';'),
  ];
  if (directoryColumn) cells.push(line.directory ?? '');
  return cells.map(neutraliseFormula);
}

async function* rows(lines: AsyncIterable<PlanLine>, directoryColumn: boolean): AsyncIterable<string[]> {
  for await (const line of lines) yield toRow(line, directoryColumn);
}

/** The CSV text; a failure reading the plan ends the stream with that error. */
export function planCsv(lines: AsyncIterable<PlanLine>, options: PlanCsvOptions = {}): Readable {
  const directoryColumn = options.directoryColumn === true;
  const columns = [...PLAN_CSV_COLUMNS, ...(directoryColumn ? [PLAN_CSV_DIRECTORY_COLUMN] : [])];
  const csv = stringify({ header: true, columns, eof: true });
  pipeline(Readable.from(rows(lines, directoryColumn)), csv, () => {
    // pipeline has already destroyed `csv` with the error, which is how the reader learns of it.
  });
  return csv;
}

/** Whether a run's plan has the `directory` column: its scan read a source that knows directories. */
export function runKnowsDirectories(run: { jira?: { facts?: Record<string, unknown> } }): boolean {
  return run.jira?.facts?.directoriesKnown === true;
}
