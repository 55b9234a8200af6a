import { Router } from 'express';
import { z } from 'zod';
import type { App } from '../../runtime/app.js';
import { launchRun } from '../../runtime/launch-run.js';
import { resolveUndoTarget } from '../../runtime/undo-requests.js';
import { RECLAIM_RULES, VERDICTS } from '../../services/policy/types.js';
import { MAX_PLAN_PAGE_SIZE } from '../../services/runs/plan-store.js';
import { planCsv, runKnowsDirectories } from '../../services/runs/plan-csv.js';
import { InvalidPlanCursorError } from '../../services/runs/plan-cursor.js';
import { planPrunedMessage } from '../../services/runs/prune-runs.js';
import { isoInstantString } from '../../services/time/iso-instant.js';
import type { Authenticator } from '../auth.js';
import { requireRole } from '../auth.js';
import { HttpError } from '../http-error.js';
import { approveRunAs, cancelRunAs, undoAs } from '../run-actions.js';
import { mountRoute, type ApiRoute } from '../route-registry.js';

const createRunBody = z.strictObject({
  mode: z.enum(['dry-run', 'apply'], { error: 'expected "dry-run" or "apply"' }).default('dry-run'),
  asOf: isoInstantString({ notInFuture: true }).optional(),
  only: z.enum(RECLAIM_RULES, { error: `expected one of ${RECLAIM_RULES.join(', ')}` }).optional(),
});

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(20),
  before: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .optional(),
});

const planQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_PLAN_PAGE_SIZE).default(100),
  cursor: z.string().optional(),
  verdict: z.enum(VERDICTS, { error: `expected one of ${VERDICTS.join(', ')}` }).optional(),
});

const json = (description: string) => ({ description });
const csv = (description: string) => ({ description, contentType: 'text/csv' });

export const RUNS_ROUTES = {
  create: {
    method: 'post',
    path: '/runs',
    summary: 'Start a run (dry-run by default)',
    role: 'operator',
    body: createRunBody,
    responses: { 202: json('The run was queued: its id and status (Location: /api/runs/{id})') },
  },
  list: {
    method: 'get',
    path: '/runs',
    summary: 'List runs, newest first',
    role: 'viewer',
    query: listQuery,
    responses: { 200: json('`{runs, next}`: next is the `before` of the next page, or null') },
  },
  show: {
    method: 'get',
    path: '/runs/:id',
    summary: 'One run with its counters, directories and notes',
    role: 'viewer',
    responses: { 200: json('The run') },
  },
  plan: {
    method: 'get',
    path: '/runs/:id/plan',
    summary: "A page of the run's plan",
    role: 'viewer',
    query: planQuery,
    responses: { 200: json('`{runId, status, lines, nextCursor}`'), 410: json('Retention removed the plan') },
  },
  planCsv: {
    method: 'get',
    path: '/runs/:id/plan.csv',
    summary: 'The whole plan as CSV',
    role: 'viewer',
    responses: { 200: csv('One row per user'), 410: json('Retention removed the plan') },
  },
  cancel: {
    method: 'post',
    path: '/runs/:id/cancel',
    summary: 'Cancel a run that is not finished',
    role: 'operator',
    responses: { 200: json('The cancelled run'), 409: json('The run is finished') },
  },
  approve: {
    method: 'post',
    path: '/runs/:id/approve',
    summary: 'Approve an apply run held for approval',
    role: 'operator',
    responses: { 200: json('The run, now applying'), 409: json('The run is not awaiting approval') },
  },
  undoRun: {
    method: 'post',
    path: '/runs/:id/undo',
    summary: 'Undo every action of a finished run',
    role: 'operator',
    responses: { 202: json('`{job}`: the undo job'), 409: json('The run is not finished') },
  },
  undoAction: {
    method: 'post',
    path: '/actions/:id/undo',
    summary: 'Undo one audited action',
    role: 'operator',
    responses: { 202: json('`{job}`: the undo job'), 409: json('Its run is not finished') },
  },
} satisfies Record<string, ApiRoute>;

/** Runs: start one, read them, read a plan (paged JSON or streamed CSV), cancel, approve, undo. */
export function runsRouter(app: App, authenticate: Authenticator): Router {
  const router = Router();
  const viewer = requireRole(authenticate, 'viewer');
  const operator = requireRole(authenticate, 'operator');

  const findRun = async (id: string) => {
    const run = await app.runs.get(id);
    if (!run) throw HttpError.notFound(`run ${id}`);
    return run;
  };
  /** A run whose plan retention removed: 410 Gone, not an empty plan. */
  const findRunWithPlan = async (id: string) => {
    const run = await findRun(id);
    if (run.planPrunedAt !== undefined) throw HttpError.gone(planPrunedMessage(run));
    return run;
  };

  mountRoute(router, RUNS_ROUTES.create, operator, async (req, res) => {
    const body = createRunBody.parse(req.body ?? {});
    const run = await launchRun(app, {
      mode: body.mode,
      ...(body.asOf ? { asOf: new Date(body.asOf) } : {}),
      ...(body.only ? { only: body.only } : {}),
      trigger: { type: 'api', by: req.caller!.name },
    });
    res.status(202).location(`/api/runs/${run.id}`).json({ id: run.id, status: run.status });
  });

  mountRoute(router, RUNS_ROUTES.list, viewer, async (req, res) => {
    const query = listQuery.parse(req.query);
    const runs = await app.runs.list(query);
    res.json({ runs, next: runs.length === query.limit ? runs[runs.length - 1]!.id : null });
  });

  mountRoute(router, RUNS_ROUTES.show, viewer, async (req, res) => {
    res.json(await findRun(req.params.id as string));
  });

  mountRoute(router, RUNS_ROUTES.plan, viewer, async (req, res) => {
    const run = await findRunWithPlan(req.params.id as string);
    const query = planQuery.parse(req.query);
    try {
      const page = await app.plans.page(run.id, query);
      res.json({ runId: run.id, status: run.status, ...page });
    } catch (error) {
      if (error instanceof InvalidPlanCursorError)
        throw HttpError.badRequest('cursor', 'not a cursor of this plan');
      throw error;
    }
  });

  mountRoute(router, RUNS_ROUTES.planCsv, viewer, async (req, res) => {
    const run = await findRunWithPlan(req.params.id as string);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="reclaim-plan-${run.id}.csv"`);
    planCsv(app.plans.stream(run.id), { directoryColumn: runKnowsDirectories(run) }).pipe(res);
  });

  mountRoute(router, RUNS_ROUTES.cancel, operator, async (req, res) => {
    const run = await findRun(req.params.id as string);
    await cancelRunAs(app, run, req.caller!);
    res.json(await app.runs.get(run.id));
  });

  mountRoute(router, RUNS_ROUTES.approve, operator, async (req, res) => {
    const run = await findRun(req.params.id as string);
    await approveRunAs(app, run, req.caller!);
    res.json(await app.runs.get(run.id));
  });

  mountRoute(router, RUNS_ROUTES.undoRun, operator, async (req, res) => {
    const run = await findRun(req.params.id as string);
    const job = await undoAs(app, { kind: 'run', runId: run.id }, req.caller!);
    res.status(202).json({ job });
  });

  mountRoute(router, RUNS_ROUTES.undoAction, operator, async (req, res) => {
    const id = req.params.id as string;
    const target = await resolveUndoTarget(app, id);
    if (target?.kind !== 'action') throw HttpError.notFound(`audited action ${id}`);
    const job = await undoAs(app, target, req.caller!);
    res.status(202).json({ job });
  });

  return router;
}
