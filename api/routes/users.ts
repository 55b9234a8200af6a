import express, { Router } from 'express';
import { z } from 'zod';
import { printableText } from '../printable-text.js';
import type { App } from '../../runtime/app.js';
import { batchCsv, batchRows } from '../../services/users/batch-csv.js';
import { csvRows, jsonRows } from '../../services/users/bulk-rows.js';
import { BatchRefusedError, ingestBatch } from '../../services/users/ingest-batch.js';
import { userUpdateSchema, bulkUpdateRowSchema } from '../../services/users/user-update-request.js';
import { UnknownUserError, userView } from '../../services/users/user-view.js';
import {
  NothingToRestoreError,
  requestRestore,
  UnknownRestoreUserError,
} from '../../services/restore/request-restore.js';
import { restoreLedger } from '../../workers/restore.js';
import { queueBatchUndo, userUpdateSink } from '../../workers/user-update.js';
import type { tokenAuthenticator } from '../auth.js';
import { requireRole } from '../auth.js';
import { HttpError } from '../http-error.js';
import { mountRoute, type ApiRoute } from '../route-registry.js';

/** `PATCH /api/users/:username`. */
export const patchUserBody = userUpdateSchema;
/** `POST /api/users/bulk-update` as JSON (or text/csv with the same fields as columns). */
export const bulkUpdateBody = z.union([
  z.strictObject({ rows: z.array(bulkUpdateRowSchema).max(100_000) }),
  z.array(bulkUpdateRowSchema).max(100_000),
]);

export const batchQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
  cursor: z
    .string()
    .regex(/^[1-9]\d{0,8}$/, { error: 'expected a row number (the `next` of the page before)' })
    .optional(),
});

const BATCH_ID = /^batch-[a-z0-9]{1,40}$/;

/** A Jira username: printable, as Jira allows them. */
export const restoreParams = z.object({
  username: z
    .string()
    .min(1)
    .max(255)
    .refine(printableText, { error: 'expected a username without control characters' }),
});

const json = (description: string) => ({ description });
const csv = (description: string) => ({ description, contentType: 'text/csv' });

export const USERS_ROUTES = {
  show: {
    method: 'get',
    path: '/users/:username',
    summary: "A user's Jira facts, last verdict with its reasons, and history of runs and actions",
    role: 'viewer',
    responses: { 200: json('The user'), 404: json('Jira does not know the user') },
  },
  update: {
    method: 'patch',
    path: '/users/:username',
    summary: "Change one user's attributes and groups (a batch of one row)",
    role: 'operator',
    body: patchUserBody,
    responses: { 202: json('`{batchId}` (Location: /api/batches/{id})') },
  },
  bulkUpdate: {
    method: 'post',
    path: '/users/bulk-update',
    summary: 'Change many users from CSV (text/csv) or JSON rows, each row a job',
    role: 'operator',
    body: bulkUpdateBody,
    responses: { 202: json('`{batchId, rows}`') },
  },
  batchCsv: {
    method: 'get',
    path: '/batches/:id.csv',
    summary: "A batch's rows and their outcomes as CSV",
    role: 'viewer',
    responses: { 200: csv('row,username,key,outcome,reason') },
  },
  batch: {
    method: 'get',
    path: '/batches/:id',
    summary: "A batch's status, counts and a page of its rows",
    role: 'viewer',
    query: batchQuery,
    responses: { 200: json('The batch with `rows` and `next`') },
  },
  restore: {
    method: 'post',
    path: '/users/:username/restore',
    summary: 'Give the user back what their last reclaim took (groups, and an account it deactivated)',
    role: 'operator',
    responses: {
      202: json('`{requestId, user, reclaimRun}`: the restore, queued (GET /api/restores/{requestId})'),
      404: json('Jira does not know the user'),
      409: json('Nothing of this user was reclaimed (or it was undone)'),
    },
  },
  restoreRequest: {
    method: 'get',
    path: '/restores/:id',
    summary: 'A restore or grant: its state (queued, waiting for a seat, done …), reason and audit entry',
    role: 'viewer',
    responses: { 200: json('The request'), 404: json('No such request') },
  },
  undoBatch: {
    method: 'post',
    path: '/batches/:id/undo',
    summary: 'Undo every change of a finished batch',
    role: 'operator',
    responses: { 202: json('`{job}`: the undo job'), 409: json('Rows are still pending') },
  },
} satisfies Record<string, ApiRoute>;

/** A JSON bulk update is read whole (at most this); a CSV one streams, whatever its size. */
const JSON_BULK_LIMIT = '64mb';

/**
 * User updates (operator): one user, or many from a CSV or JSON upload, each row a job; the
 * batches' outcomes (viewer) and their undo (operator). Mounted before the API's JSON parser,
 * so an upload is read here, streamed.
 */
export function usersRouter(app: App, authenticate: ReturnType<typeof tokenAuthenticator>): Router {
  const router = Router();
  const viewer = requireRole(authenticate, 'viewer');
  const operator = requireRole(authenticate, 'operator');
  const deps = { batches: app.batches, sink: userUpdateSink(app) };

  const refusedAs400 = (error: unknown): never => {
    if (error instanceof BatchRefusedError)
      throw HttpError.badRequest(error.field, error.message.slice(error.field.length + 2));
    throw error;
  };

  mountRoute(router, USERS_ROUTES.show, viewer, async (req, res) => {
    try {
      res.json(
        await userView(
          { jira: app.jira(), runs: app.runs, plans: app.plans, audit: app.audit },
          req.params.username as string,
        ),
      );
    } catch (error) {
      if (error instanceof UnknownUserError) throw HttpError.notFound(`user ${error.username}`);
      throw error;
    }
  });

  mountRoute(router, USERS_ROUTES.update, operator, express.json({ limit: '64kb' }), async (req, res) => {
    const update = patchUserBody.parse(req.body ?? {});
    const username = req.params.username as string;
    const { batchId } = await ingestBatch(
      deps,
      (async function* () {
        yield { username, update };
      })(),
      req.caller!.name,
    );
    res.status(202).location(`/api/batches/${batchId}`).json({ batchId });
  });

  mountRoute(router, USERS_ROUTES.bulkUpdate, operator, async (req, res, next) => {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type === 'text/csv') {
      const { batchId, total } = await ingestBatch(deps, csvRows(req), req.caller!.name).catch(refusedAs400);
      res.status(202).location(`/api/batches/${batchId}`).json({ batchId, rows: total });
      return;
    }
    if (type !== 'application/json')
      throw HttpError.badRequest(
        'Content-Type',
        `expected text/csv or application/json, got "${type || 'none'}"`,
      );
    express.json({ limit: JSON_BULK_LIMIT })(req, res, (error?: unknown) => {
      if (error) return next(error);
      ingestBatch(deps, jsonRows(req.body), req.caller!.name)
        .catch(refusedAs400)
        .then(({ batchId, total }) => {
          res.status(202).location(`/api/batches/${batchId}`).json({ batchId, rows: total });
        })
        .catch(next);
    });
  });

  mountRoute(router, USERS_ROUTES.restore, operator, async (req, res) => {
    const { username } = restoreParams.parse(req.params);
    try {
      const queued = await requestRestore(
        { jira: app.jira(), audit: app.audit, ledger: restoreLedger(app), registry: app.registry },
        username,
        'api',
        `api:${req.caller!.name}`,
      );
      res
        .status(202)
        .location(`/api/restores/${queued.requestId}`)
        .json({ requestId: queued.requestId, user: queued.user, reclaimRun: queued.reclaim.runId });
    } catch (error) {
      if (error instanceof UnknownRestoreUserError) throw HttpError.notFound(`user ${error.username}`);
      if (error instanceof NothingToRestoreError) throw new HttpError(409, 'conflict', error.message);
      throw error;
    }
  });

  mountRoute(router, USERS_ROUTES.restoreRequest, viewer, async (req, res) => {
    const id = req.params.id as string;
    const request = /^(rst|grant)-[A-Za-z0-9_-]{1,80}$/.test(id) ? await restoreLedger(app).get(id) : null;
    if (!request) throw HttpError.notFound(`restore ${id}`);
    res.json(request);
  });

  const findBatch = async (id: string) => {
    const batch = BATCH_ID.test(id) ? await app.batches.get(id) : null;
    if (!batch) throw HttpError.notFound(`batch ${id}`);
    return batch;
  };

  mountRoute(router, USERS_ROUTES.batchCsv, viewer, async (req, res) => {
    const batch = await findBatch(req.params.id as string);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="reclaim-${batch.id}.csv"`);
    batchCsv(batchRows(app.batches, batch.id, batch.total ?? 0)).pipe(res);
  });

  mountRoute(router, USERS_ROUTES.batch, viewer, async (req, res) => {
    const batch = await findBatch(req.params.id as string);
    const query = batchQuery.parse(req.query);
    const from = query.cursor === undefined ? 1 : Number(query.cursor);
    const last = batch.total ?? 0;
    const rows = await app.batches.rows(batch.id, from, Math.min(query.limit, Math.max(0, last - from + 1)));
    const nextRow = from + query.limit;
    res.json({ ...batch, rows, next: nextRow <= last ? String(nextRow) : null });
  });

  mountRoute(router, USERS_ROUTES.undoBatch, operator, async (req, res) => {
    const batch = await findBatch(req.params.id as string);
    if (batch.status !== 'done') {
      throw new HttpError(
        409,
        'conflict',
        `batch ${batch.id} is ${batch.status}: undo it once every row is done`,
        {
          batchId: batch.id,
          status: batch.status,
        },
      );
    }
    const job = await queueBatchUndo(app, batch.id, `api:${req.caller!.name}`);
    res.status(202).json({ job });
  });

  return router;
}
