import express, { Router, type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
import { ZodError } from 'zod';
import type { App } from '../../runtime/app.js';
import { auditCsv } from '../../services/audit/audit-csv.js';
import { filteredLines, reportPage } from '../../services/reports/inactive-report.js';
import { planCsv, runKnowsDirectories } from '../../services/runs/plan-csv.js';
import { InvalidPlanCursorError } from '../../services/runs/plan-cursor.js';
import { planPrunedMessage } from '../../services/runs/prune-runs.js';
import { UnknownUserError, userView } from '../../services/users/user-view.js';
import { NulCharacterError } from '../../services/records/records-db.js';
import { HttpError } from '../http-error.js';
import { printableText } from '../printable-text.js';
import { approveRunAs, cancelRunAs, undoAs } from '../run-actions.js';
import { assetsRouter } from './assets.js';
import { auditPage, auditPageQuery, auditSlice } from './audit-page.js';
import { consoleActor, consoleReader, formField, type ConsoleAuth } from './console-auth.js';
import { ASSETS_PATH, CONSOLE_HOME } from './console-paths.js';
import { errorPage, type PageContext } from './layout.js';
import { loadOverview } from './overview-data.js';
import { overviewPage } from './overview-page.js';
import { parsePlanQuery, planFilter } from './plan-filter.js';
import { planPage } from './plan-page.js';
import { doneMessage, runPage, type RunAction } from './run-page.js';
import { runsPage } from './runs-page.js';
import { userPage } from './user-page.js';

/**
 * The console's own CSP: everything from this app and nothing else — no inline script or
 * style, no other host (the board's CSP allows Google Fonts; the console needs none).
 */
const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
  "base-uri 'self'",
].join('; ');

const RUN_ID = /^[A-Za-z0-9_-]{1,100}$/;
const RUNS_PAGE = 25;

/**
 * The console for the Jira admin, server-rendered: the overview at `/`, the runs, a run's plan,
 * a user, the audit log. Reading needs the board's login as a viewer; approve, cancel and undo
 * need an operator, a form of this session and this origin.
 */
export function consoleRouter(app: App, auth: ConsoleAuth): Router {
  const router = Router();
  const read = consoleReader(auth);
  const act = consoleActor(auth);
  const form = express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 10 });
  const strictCsp: RequestHandler = (_req, res, next) => {
    res.setHeader('Content-Security-Policy', CONSOLE_CSP);
    next();
  };
  const context = (req: Request): PageContext => ({
    caller: req.caller!,
    csrf: auth.sessions.csrfToken(req),
  });
  const findRun = async (id: string) => {
    const run = RUN_ID.test(id) ? await app.runs.get(id) : null;
    if (!run) throw HttpError.notFound(`run ${id}`);
    return run;
  };
  const findRunWithPlan = async (id: string) => {
    const run = await findRun(id);
    if (run.planPrunedAt !== undefined) throw HttpError.gone(planPrunedMessage(run));
    return run;
  };

  router.use(ASSETS_PATH, assetsRouter());

  router.get(CONSOLE_HOME, strictCsp, read, async (req, res) => {
    res.type('html').send(overviewPage(context(req), await loadOverview(app)));
  });

  router.get('/runs', strictCsp, read, async (req, res) => {
    const before =
      typeof req.query.before === 'string' && req.query.before !== '' ? req.query.before : undefined;
    if (before !== undefined && !RUN_ID.test(before))
      throw HttpError.badRequest('before', 'expected a run id');
    const runs = await app.runs.list({ limit: RUNS_PAGE, ...(before ? { before } : {}) });
    const next = runs.length === RUNS_PAGE ? runs[runs.length - 1]!.id : null;
    res.type('html').send(runsPage(context(req), runs, next, RUNS_PAGE));
  });

  router.get('/runs/:id', strictCsp, read, async (req, res) => {
    const run = await findRun(req.params.id as string);
    const done = typeof req.query.done === 'string' ? doneMessage(req.query.done) : undefined;
    res.type('html').send(runPage(context(req), run, done));
  });

  router.get('/runs/:id/plan', strictCsp, read, async (req, res) => {
    const run = await findRunWithPlan(req.params.id as string);
    const query = parsePlanQuery(req);
    const filter = planFilter(run, query);
    try {
      const page = await reportPage(app.plans, run, filter, {
        limit: query.limit,
        ...(query.cursor ? { cursor: query.cursor } : {}),
      });
      res.type('html').send(planPage(context(req), run, query, page));
    } catch (error) {
      if (error instanceof InvalidPlanCursorError)
        throw HttpError.badRequest('cursor', 'not a cursor of this plan and filter');
      throw error;
    }
  });

  // The plan CSV of the same filter, as the API's plan and report CSVs write it.
  router.get('/runs/:id/plan.csv', read, async (req, res) => {
    const run = await findRunWithPlan(req.params.id as string);
    const filter = planFilter(run, parsePlanQuery(req));
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="reclaim-plan-${run.id}.csv"`);
    const lines = (async function* () {
      for await (const found of filteredLines(app.plans, run, filter)) yield found.line;
    })();
    planCsv(lines, { directoryColumn: runKnowsDirectories(run) }).pipe(res);
  });

  for (const action of ['approve', 'cancel', 'undo'] as const satisfies readonly RunAction[]) {
    router.post(`/runs/:id/${action}`, form, read, act, async (req, res) => {
      const run = await findRun(req.params.id as string);
      if (formField(req, 'confirm') !== 'yes')
        throw HttpError.badRequest('confirm', `tick the box to confirm, then ${action} again`);
      if (action === 'approve') await approveRunAs(app, run, req.caller!);
      else if (action === 'cancel') await cancelRunAs(app, run, req.caller!);
      else await undoAs(app, { kind: 'run', runId: run.id }, req.caller!);
      res.redirect(303, `/runs/${run.id}?done=${action}`);
    });
  }

  router.get('/users/:username', strictCsp, read, async (req, res) => {
    const username = req.params.username as string;
    if (username.length > 255 || !printableText(username))
      throw HttpError.badRequest('username', 'expected a username without control characters');
    try {
      const view = await userView(
        { jira: app.jira(), runs: app.runs, plans: app.plans, audit: app.audit },
        username,
      );
      res.type('html').send(userPage(context(req), view));
    } catch (error) {
      if (error instanceof UnknownUserError) throw HttpError.notFound(`user ${error.username}`);
      throw error;
    }
  });

  router.get('/audit', strictCsp, read, async (req, res) => {
    const query = auditPageQuery.parse(withoutEmpty(req.query));
    const [slice, verification, total] = await Promise.all([
      auditSlice(app.audit, query),
      app.audit.verify(),
      app.audit.count(),
    ]);
    res.type('html').send(auditPage(context(req), query, slice, verification, total));
  });

  router.get('/audit.csv', read, async (req, res) => {
    const { runId } = auditPageQuery.pick({ runId: true }).parse(withoutEmpty(req.query));
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader(
      'Content-Disposition',
      `attachment; filename="reclaim-audit${runId ? `-${runId}` : ''}.csv"`,
    );
    auditCsv(app.audit.stream(runId ? { runId } : {})).pipe(res);
  });

  router.use(consoleErrors(auth));
  return router;
}

/** body-parser's errors (a form too large, malformed): the caller's, with their 4xx. */
function isBodyError(error: unknown): error is { status: number; type: string; message: string } {
  if (typeof error !== 'object' || error === null) return false;
  const { status, type } = error as { status?: unknown; type?: unknown };
  return typeof type === 'string' && typeof status === 'number' && status >= 400 && status < 500;
}

function withoutEmpty(query: Request['query']): Record<string, unknown> {
  return Object.fromEntries(Object.entries(query).filter(([, value]) => value !== ''));
}

/**
 * A console page's 4xx is a page saying what is wrong (the field, the run), not the API's JSON;
 * anything else goes on to the app's error handler (logged, a 500).
 */
function consoleErrors(auth: ConsoleAuth): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    let status: number | undefined;
    let message = '';
    if (error instanceof HttpError) {
      status = error.status;
      message = error.message;
    } else if (error instanceof ZodError) {
      const issue = error.issues[0]!;
      status = 400;
      // The form's field, as the page names it (not a position inside a comma list).
      message = `${String(issue.path[0] ?? '(query)')}: ${issue.message.replace(/^Invalid input: /, '')}`;
    } else if (error instanceof NulCharacterError) {
      status = 400;
      message = error.message;
    } else if (isBodyError(error)) {
      status = error.status;
      message = `body: ${error.message.split('\n', 1)[0]}`;
    }
    if (status === undefined || res.headersSent) return next(error);
    const caller = req.caller;
    res
      .status(status)
      .setHeader('Content-Security-Policy', CONSOLE_CSP)
      .type('html')
      .send(errorPage(caller ? { caller, csrf: auth.sessions.csrfToken(req) } : undefined, status, message));
  };
}
