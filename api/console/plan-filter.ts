import type { Request } from 'express';
import { VERDICTS, type Verdict } from '../../services/policy/types.js';
import type { ReportFilter } from '../../services/reports/inactive-report.js';
import type { Run } from '../../services/runs/types.js';
import { inactiveReportQuery, reportFilter } from '../routes/reports.js';

/** Lines per page of the console's plan table, unless the link asks for another `limit`. */
export const PLAN_PAGE = 50;

export interface PlanQuery {
  verdict?: Verdict[];
  application?: string;
  group?: string;
  minDays?: number;
  maxDays?: number;
  q?: string;
  cursor?: string;
  limit: number;
}

/**
 * The plan table's filter, read with the inactive report's own schema (the same fields, the
 * same 400s naming the field). A form sends its empty fields too: empty means "any".
 */
export function parsePlanQuery(req: Request): PlanQuery {
  const given = Object.fromEntries(Object.entries(req.query).filter(([, value]) => value !== ''));
  const { limit, ...query } = inactiveReportQuery.parse(given);
  return { ...query, limit: given.limit === undefined ? PLAN_PAGE : limit } as PlanQuery;
}

/** The filter over a run's plan; every verdict unless one is asked for. */
export function planFilter(run: Run, query: PlanQuery): ReportFilter {
  return reportFilter(run, query, [...VERDICTS]);
}

/** The managed applications the run found licence groups of. */
export function applicationsOf(run: Run): string[] {
  return Object.keys(run.jira?.facts ?? {})
    .filter((fact) => fact.startsWith('licence:'))
    .map((fact) => fact.slice('licence:'.length))
    .sort();
}

/** The query's filter fields as a link's (no cursor), for the CSV download and the next page. */
export function filterFields(query: PlanQuery): Record<string, string | number | undefined> {
  return {
    verdict: query.verdict?.join(','),
    application: query.application,
    group: query.group,
    minDays: query.minDays,
    maxDays: query.maxDays,
    q: query.q,
    limit: query.limit === PLAN_PAGE ? undefined : query.limit,
  };
}
