import { Router } from 'express';
import { z } from 'zod';
import type { App } from '../../runtime/app.js';
import { auditCsv } from '../../services/audit/audit-csv.js';
import type { Authenticator } from '../auth.js';
import { requireRole } from '../auth.js';
import { mountRoute, type ApiRoute } from '../route-registry.js';

const auditQuery = z.object({
  runId: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, { error: 'expected a run id' })
    .optional(),
  fromId: z
    .string()
    .regex(/^\d{1,12}$/, { error: 'expected an audit entry id' })
    .optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(100),
});

export const AUDIT_ROUTES = {
  entries: {
    method: 'get',
    path: '/audit',
    summary: 'A page of the audit log, oldest first from fromId',
    role: 'viewer',
    query: auditQuery,
    responses: { 200: { description: 'Audit entries' } },
  },
  csv: {
    method: 'get',
    path: '/audit.csv',
    summary: "The whole audit log (or one run's) as CSV",
    role: 'viewer',
    query: auditQuery.pick({ runId: true }),
    responses: { 200: { description: 'One row per entry', contentType: 'text/csv' } },
  },
} satisfies Record<string, ApiRoute>;

/** The audit log: paged JSON, or the whole (or one run's) log as streamed CSV. */
export function auditRouter(app: App, authenticate: Authenticator): Router {
  const router = Router();
  const viewer = requireRole(authenticate, 'viewer');

  mountRoute(router, AUDIT_ROUTES.entries, viewer, async (req, res) => {
    const query = auditQuery.parse(req.query);
    res.json(await app.audit.entries(query));
  });

  mountRoute(router, AUDIT_ROUTES.csv, viewer, async (req, res) => {
    const { runId } = auditQuery.parse(req.query);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader(
      'Content-Disposition',
      `attachment; filename="reclaim-audit${runId ? `-${runId}` : ''}.csv"`,
    );
    auditCsv(app.audit.stream(runId ? { runId } : {})).pipe(res);
  });

  return router;
}
