import { createHash, timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import type { App } from '../../runtime/app.js';
import { bearerToken } from '../auth.js';
import { sendError } from '../error-handler.js';
import { opsMetricsRegistry } from '../metrics/ops-registry.js';

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Prometheus' scrape endpoint. Open like the probes, unless `api.metricsToken` is set: then a
 * Bearer token (Prometheus' `authorization` / `bearer_token_file`) is required.
 */
export function metricsRouter(app: App): Router {
  const router = Router();
  const registry = opsMetricsRegistry(app);
  const expected = app.config.api.metricsToken === null ? undefined : sha256(app.config.api.metricsToken);
  router.get('/metrics', async (req, res) => {
    if (expected) {
      const given = bearerToken(req.headers.authorization);
      if (!given || !timingSafeEqual(sha256(given), expected)) {
        sendError(req, res, 401, {
          code: 'unauthorized',
          message: 'the metrics token is required (Authorization: Bearer …)',
        });
        return;
      }
    }
    const body = await registry.metrics();
    res.type(registry.contentType).send(body);
  });
  return router;
}
