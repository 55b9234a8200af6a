import { Router } from 'express';
import { requireRole, type Authenticator } from '../auth.js';
import { openApiDocument } from '../openapi.js';
import { mountRoute, type ApiRoute } from '../route-registry.js';

export const OPENAPI_ROUTES = {
  document: {
    method: 'get',
    path: '/openapi.json',
    summary: "This API's OpenAPI 3.1 document",
    role: 'viewer',
    responses: { 200: { description: 'The document' } },
  },
} satisfies Record<string, ApiRoute>;

/**
 * Behind a viewer token like the rest of /api: the product keeps the probes and /metrics as
 * the only open routes.
 */
export function openApiRouter(
  routes: () => readonly ApiRoute[],
  version: string,
  authenticate: Authenticator,
): Router {
  const router = Router();
  let document: Record<string, unknown> | undefined;
  mountRoute(router, OPENAPI_ROUTES.document, requireRole(authenticate, 'viewer'), (_req, res) => {
    document ??= openApiDocument(routes(), version);
    res.json(document);
  });
  return router;
}
