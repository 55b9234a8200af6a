import { Router } from 'express';
import { openApiDocument } from '../openapi.js';
import { mountRoute, type ApiRoute } from '../route-registry.js';

export const OPENAPI_ROUTES = {
  document: {
    method: 'get',
    path: '/openapi.json',
    summary: "This API's OpenAPI 3.1 document",
    role: null,
    responses: { 200: { description: 'The document' } },
  },
} satisfies Record<string, ApiRoute>;

/** The document is open: it describes the API, and holds nothing a token protects. */
export function openApiRouter(routes: () => readonly ApiRoute[], version: string): Router {
  const router = Router();
  let document: Record<string, unknown> | undefined;
  mountRoute(router, OPENAPI_ROUTES.document, (_req, res) => {
    document ??= openApiDocument(routes(), version);
    res.json(document);
  });
  return router;
}
