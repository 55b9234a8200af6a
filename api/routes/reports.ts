import { Router } from 'express';
import { z } from 'zod';
import type { App } from '../../runtime/app.js';
import { VERDICTS, type Verdict } from '../../services/policy/types.js';
import {
  DEFAULT_REPORT_VERDICTS,
  filteredLines,
  latestReportableRun,
  licenceGroupsOf,
  reportPage,
  type ReportFilter,
} from '../../services/reports/inactive-report.js';
import { licenceChartSvg } from '../../services/reports/licence-chart.js';
import { licenceCsv, licenceReport } from '../../services/reports/licence-report.js';
import { planCsv } from '../../services/runs/plan-csv.js';
import { InvalidPlanCursorError } from '../../services/runs/plan-cursor.js';
import type { Run } from '../../services/runs/types.js';
import type { tokenAuthenticator } from '../auth.js';
import { requireRole } from '../auth.js';
import { HttpError } from '../http-error.js';
import { mountRoute, type ApiRoute } from '../route-registry.js';

const days = z.coerce
  .number({ error: 'expected a whole number of days' })
  .int({ error: 'expected a whole number of days' })
  .min(0, { error: 'expected a whole number of days' });

/** `GET /api/reports/inactive` (and `.csv`, without `limit` and `cursor`). */
export const inactiveReportQuery = z
  .object({
    verdict: z
      .string()
      .transform((text) => text.split(',').map((part) => part.trim()))
      .pipe(z.array(z.enum(VERDICTS, { error: `expected verdicts among ${VERDICTS.join(', ')}` })).min(1))
      .optional(),
    minDays: days.optional(),
    maxDays: days.optional(),
    application: z.string().min(1).optional(),
    group: z.string().min(1).optional(),
    q: z.string().min(1).max(200).optional(),
    limit: z.coerce.number().int().min(1).max(1_000).default(100),
    cursor: z.string().optional(),
  })
  .refine(
    (query) => query.minDays === undefined || query.maxDays === undefined || query.minDays <= query.maxDays,
    {
      error: 'maxDays must not be below minDays',
      path: ['maxDays'],
    },
  );

type ReportQuery = z.infer<typeof inactiveReportQuery>;

/** `GET /api/reports/licenses` (and `.csv`): the licence monitor's readings. */
export const licenceReportQuery = z.object({
  application: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, {
      error: 'expected an application key such as jira-software',
    })
    .optional(),
  days: z.coerce
    .number({ error: 'expected a whole number of days between 1 and 400' })
    .int({ error: 'expected a whole number of days between 1 and 400' })
    .min(1, { error: 'expected a whole number of days between 1 and 400' })
    .max(400, { error: 'expected a whole number of days between 1 and 400' })
    .default(30),
});

const licenceReadingSchema = z.object({
  application: z.string(),
  at: z.string(),
  seats: z.number().nullable(),
  used: z.number(),
  remaining: z.number().nullable(),
});

export const REPORTS_ROUTES = {
  inactiveCsv: {
    method: 'get',
    path: '/reports/inactive.csv',
    summary: "The newest planned run's users by verdict and filters, as CSV (the plan CSV's columns)",
    role: 'viewer',
    query: inactiveReportQuery,
    responses: { 200: { description: 'One row per user', contentType: 'text/csv' } },
  },
  inactive: {
    method: 'get',
    path: '/reports/inactive',
    summary: "The newest planned run's users by verdict, days since last login, application, group, text",
    role: 'viewer',
    query: inactiveReportQuery,
    responses: { 200: { description: '`{runId, asOf, verdicts, lines, nextCursor}`' } },
  },
  licensesCsv: {
    method: 'get',
    path: '/reports/licenses.csv',
    summary: 'The seats history of the managed applications as CSV (application, at, seats, used, remaining)',
    role: 'viewer',
    query: licenceReportQuery,
    responses: { 200: { description: 'One row per application per licence check', contentType: 'text/csv' } },
  },
  licensesSvg: {
    method: 'get',
    path: '/reports/licenses.svg',
    summary: 'A chart of used seats over time per managed application (SVG; dashed: the seats)',
    role: 'viewer',
    query: licenceReportQuery,
    responses: { 200: { description: 'An SVG line chart', contentType: 'image/svg+xml' } },
  },
  licenses: {
    method: 'get',
    path: '/reports/licenses',
    summary:
      "Each managed application's current seats, used and remaining, and their history (licence monitor)",
    role: 'viewer',
    query: licenceReportQuery,
    responses: {
      200: {
        description:
          '`{current, history}`: the newest reading per application, and the readings oldest first',
        schema: z.object({
          current: z.array(licenceReadingSchema.extend({ usedPercent: z.number().nullable() })),
          history: z.array(licenceReadingSchema),
        }),
      },
    },
  },
} satisfies Record<string, ApiRoute>;

/**
 * The filter over a run's plan that a report query asks for (the console's plan table reads the
 * same query): its verdicts, else `verdicts`; an application the run knows no licence groups of
 * is a 400 naming the field.
 */
export function reportFilter(
  run: Run,
  query: Omit<ReportQuery, 'limit' | 'cursor'>,
  verdicts: Verdict[],
): ReportFilter {
  const filter: ReportFilter = { verdicts: (query.verdict as Verdict[] | undefined) ?? verdicts };
  if (query.minDays !== undefined) filter.minDays = query.minDays;
  if (query.maxDays !== undefined) filter.maxDays = query.maxDays;
  if (query.group !== undefined) filter.group = query.group;
  if (query.q !== undefined) filter.q = query.q;
  if (query.application !== undefined) {
    const groups = licenceGroupsOf(run, query.application);
    if (groups === null)
      throw HttpError.badRequest(
        'application',
        `run ${run.id} knows no licence groups of "${query.application}"`,
      );
    filter.applicationGroups = groups;
  }
  return filter;
}

/** Reports over the newest planned (or done) run's plan: who would lose (or lost) a licence. */
export function reportsRouter(app: App, authenticate: ReturnType<typeof tokenAuthenticator>): Router {
  const router = Router();
  const viewer = requireRole(authenticate, 'viewer');

  const prepare = async (query: ReportQuery): Promise<{ run: Run; filter: ReportFilter }> => {
    const run = await latestReportableRun(app.runs);
    if (!run)
      throw new HttpError(404, 'not_found', 'no planned or done run with a plan yet: start a run first');
    const filter = reportFilter(run, query, DEFAULT_REPORT_VERDICTS);
    return { run, filter };
  };

  mountRoute(router, REPORTS_ROUTES.inactiveCsv, viewer, async (req, res) => {
    const { run, filter } = await prepare(inactiveReportQuery.parse(req.query));
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="reclaim-inactive-${run.id}.csv"`);
    const lines = (async function* () {
      for await (const found of filteredLines(app.plans, run, filter)) yield found.line;
    })();
    planCsv(lines).pipe(res);
  });

  mountRoute(router, REPORTS_ROUTES.inactive, viewer, async (req, res) => {
    const query = inactiveReportQuery.parse(req.query);
    const { run, filter } = await prepare(query);
    try {
      const page = await reportPage(app.plans, run, filter, {
        limit: query.limit,
        ...(query.cursor ? { cursor: query.cursor } : {}),
      });
      res.json({ runId: run.id, asOf: run.asOf, verdicts: filter.verdicts, ...page });
    } catch (error) {
      if (error instanceof InvalidPlanCursorError)
        throw HttpError.badRequest('cursor', 'not a cursor of this report');
      throw error;
    }
  });

  mountRoute(router, REPORTS_ROUTES.licensesCsv, viewer, async (req, res) => {
    const query = licenceReportQuery.parse(req.query);
    const report = await licenceReport(app.records, withoutUndefined(query));
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', 'attachment; filename="reclaim-licenses.csv"');
    licenceCsv(report.history).pipe(res);
  });

  mountRoute(router, REPORTS_ROUTES.licensesSvg, viewer, async (req, res) => {
    const query = licenceReportQuery.parse(req.query);
    const report = await licenceReport(app.records, withoutUndefined(query));
    res.type('image/svg+xml').send(licenceChartSvg(report.history, `Used seats, last ${query.days} day(s)`));
  });

  mountRoute(router, REPORTS_ROUTES.licenses, viewer, async (req, res) => {
    const query = licenceReportQuery.parse(req.query);
    res.json(await licenceReport(app.records, withoutUndefined(query)));
  });

  return router;
}

function withoutUndefined(query: z.infer<typeof licenceReportQuery>) {
  return { days: query.days, ...(query.application !== undefined ? { application: query.application } : {}) };
}
