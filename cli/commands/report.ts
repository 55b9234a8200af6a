import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { VERDICTS, type Verdict } from '../../services/policy/types.js';
import {
  daysSinceLogin,
  DEFAULT_REPORT_VERDICTS,
  filteredLines,
  latestReportableRun,
  licenceGroupsOf,
  type ReportFilter,
} from '../../services/reports/inactive-report.js';
import { parseNumber } from '../options.js';
import { withApp } from '../with-app.js';

export interface ReportOptions {
  csv?: boolean;
  minDays?: number;
  maxDays?: number;
  verdict?: string;
  q?: string;
  application?: string;
  group?: string;
}

function parseVerdicts(text: string): Verdict[] {
  const verdicts = text.split(',').map((part) => part.trim());
  const unknown = verdicts.filter((verdict) => !(VERDICTS as readonly string[]).includes(verdict));
  if (unknown.length > 0)
    throw new Error(`--verdict: unknown ${unknown.join(', ')}; expected ${VERDICTS.join(', ')}`);
  return verdicts as Verdict[];
}

/** The options of `reclaim report inactive`, declared on the `report <kind>` command. */
export function addInactiveReportOptions(command: Command): Command {
  return command
    .option(
      '--min-days <n>',
      'inactive: at least N days since the last login (never logged in counts)',
      parseNumber('--min-days', { min: 0 }),
    )
    .option(
      '--max-days <n>',
      'inactive: at most N days since the last login',
      parseNumber('--max-days', { min: 0 }),
    )
    .option(
      '--verdict <list>',
      `inactive: comma-separated verdicts (default ${DEFAULT_REPORT_VERDICTS.join(',')})`,
    )
    .option('--q <text>', 'inactive: username, display name or e-mail containing this text')
    .option(
      '--application <key>',
      'inactive: holding a licence group of this application, e.g. jira-software',
    )
    .option('--group <group>', 'inactive: a group the plan takes from the user');
}

/** `reclaim report inactive`: the newest planned or done run's users by verdict, filtered. */
export async function reportInactive(program: Command, options: ReportOptions): Promise<void> {
  const filter: ReportFilter = {
    verdicts: options.verdict ? parseVerdicts(options.verdict) : DEFAULT_REPORT_VERDICTS,
    ...(options.minDays !== undefined ? { minDays: Math.floor(options.minDays) } : {}),
    ...(options.maxDays !== undefined ? { maxDays: Math.floor(options.maxDays) } : {}),
    ...(options.q ? { q: options.q } : {}),
    ...(options.group ? { group: options.group } : {}),
  };
  const { planCsv } = await import('../../services/runs/plan-csv.js');
  await withApp(program, async (app) => {
    const run = await latestReportableRun(app.runs);
    if (!run) throw new Error('no planned or done run with a plan yet: start one with reclaim scan');
    if (options.application) {
      const groups = licenceGroupsOf(run, options.application);
      if (!groups)
        throw new Error(`--application: run ${run.id} knows no licence groups of "${options.application}"`);
      filter.applicationGroups = groups;
    }
    const lines = (async function* () {
      for await (const found of filteredLines(app.plans, run, filter)) yield found.line;
    })();
    if (options.csv) {
      await pipeline(
        planCsv(lines),
        new Writable({ write: (chunk, _encoding, done) => process.stdout.write(chunk, () => done()) }),
      );
      return;
    }
    console.log(`run ${run.id} (as of ${run.asOf}): ${filter.verdicts.join(', ')}`);
    const asOf = new Date(run.asOf);
    let count = 0;
    for await (const line of lines) {
      count += 1;
      const days = daysSinceLogin(line, asOf);
      const last = line.lastLogin ?? (line.lastLoginStatus === 'unknown' ? 'unknown' : 'never');
      console.log(
        [line.name, line.verdict, last, days === null ? '-' : `${days}d`, line.emailAddress ?? ''].join('\t'),
      );
    }
    console.log(`${count} user(s)`);
  });
}

/**
 * `reclaim report licenses`: each managed application's seats as the licence monitor last read
 * them, then the history (`--csv`: the history as CSV, `--application` to narrow).
 */
export async function reportLicences(
  program: Command,
  options: { csv?: boolean; days?: number; application?: string },
): Promise<void> {
  const { licenceCsv, licenceReport } = await import('../../services/reports/licence-report.js');
  await withApp(program, async (app) => {
    const report = await licenceReport(app.records, {
      ...(options.days !== undefined ? { days: Math.floor(options.days) } : {}),
      ...(options.application ? { application: options.application } : {}),
    });
    if (options.csv) {
      await pipeline(
        licenceCsv(report.history),
        new Writable({ write: (chunk, _encoding, done) => process.stdout.write(chunk, () => done()) }),
      );
      return;
    }
    if (report.current.length === 0) {
      console.log('no licence check recorded yet: the workers run one every license.checkEveryMinutes');
      return;
    }
    console.log(['application', 'seats', 'used', 'remaining', 'used %', 'checked at'].join('\t'));
    for (const r of report.current) {
      console.log(
        [
          r.application,
          r.seats ?? 'unlimited',
          r.used,
          r.remaining ?? '-',
          r.usedPercent === null ? '-' : `${r.usedPercent}%`,
          r.at,
        ].join('\t'),
      );
    }
    console.log(`${report.history.length} reading(s) in the history (--csv for them)`);
  });
}
