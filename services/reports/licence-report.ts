import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { LicenceHistory, type LicenceReading } from '../licences/licence-history.js';
import { usagePercent } from '../licences/licence-monitor.js';
import type { RecordsQueryable } from '../records/records-db.js';
import { neutraliseFormula } from '../runs/plan-csv.js';

/*
 * The licence report: each managed application's seats as the licence monitor last read them,
 * and the history it recorded (license-check, kept 400 days).
 */

export interface LicenceReportOptions {
  application?: string;
  /** The history of the last N days (default 30). */
  days?: number;
}

export interface CurrentSeats extends LicenceReading {
  /** Used as a share of the seats, one decimal; null with unlimited seats. */
  usedPercent: number | null;
}

export interface LicenceReport {
  current: CurrentSeats[];
  history: LicenceReading[];
}

export const DEFAULT_REPORT_DAYS = 30;

export async function licenceReport(
  db: RecordsQueryable,
  options: LicenceReportOptions = {},
  now = new Date(),
): Promise<LicenceReport> {
  const history = new LicenceHistory(db);
  const days = options.days ?? DEFAULT_REPORT_DAYS;
  const current = (await history.current())
    .filter((reading) => options.application === undefined || reading.application === options.application)
    .map((reading) => {
      const percent = usagePercent(reading);
      return { ...reading, usedPercent: percent === null ? null : Math.round(percent * 10) / 10 };
    });
  const rows = await history.history({
    ...(options.application !== undefined ? { application: options.application } : {}),
    since: new Date(now.getTime() - days * 24 * 3600 * 1000),
  });
  return { current, history: rows };
}

export const LICENCE_CSV_COLUMNS = ['application', 'at', 'seats', 'used', 'remaining'] as const;

/** The history as CSV; cells a spreadsheet would read as a formula are neutralised. */
export function licenceCsv(readings: readonly LicenceReading[]): Readable {
  const csv = stringify({ header: true, columns: [...LICENCE_CSV_COLUMNS], eof: true });
  const rows = readings.map((r) =>
    [r.application, r.at, r.seats ?? '', r.used, r.remaining ?? ''].map((cell) =>
      neutraliseFormula(String(cell)),
    ),
  );
  Readable.from(rows).pipe(csv);
  return csv;
}
