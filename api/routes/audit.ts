import { Router } from 'express';
import { z } from 'zod';
import type { App } from '../../runtime/app.js';
import { auditCsv } from '../../services/audit/audit-csv.js';
import type { tokenAuthenticator } from '../auth.js';
import { requireRole } from '../auth.js';

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

/** The audit log: paged JSON, or the whole (or one run's) log as streamed CSV. */
export function auditRouter(app: App, authenticate: ReturnType<typeof tokenAuthenticator>): Router {
  const router = Router();
  const viewer = requireRole(authenticate, 'viewer');

  router.get('/audit', viewer, async (req, res) => {
    const query = auditQuery.parse(req.query);
    res.json(await app.audit.entries(query));
  });

  router.get('/audit.csv', viewer, async (req, res) => {
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
