import { Router } from 'express';
import type { App } from '../../runtime/app.js';

/** Liveness (the process answers) and readiness (Redis answers), for load balancers and probes. */
export function healthRouter(app: App): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    try {
      await app.redis.ping();
      res.json({ status: 'ready', redis: 'ok' });
    } catch (error) {
      res
        .status(503)
        .json({ status: 'not-ready', redis: error instanceof Error ? error.message : String(error) });
    }
  });
  return router;
}
