import type { RequestHandler, Router } from 'express';
import type { z } from 'zod';
import type { ApiRole } from '../config/schema.js';

/*
 * One description per /api route: what validates its input (the zod schemas its handler
 * parses with) and what it answers. The router mounts its handlers from these descriptions
 * (`mountRoute`), the OpenAPI document is generated from them (api/openapi.ts), and a test
 * checks that the express app and the registry (api/routes/index.ts) list the same routes.
 */

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteResponse {
  description: string;
  /** Default `application/json`. */
  contentType?: string;
  schema?: z.ZodType;
}

export interface ApiRoute {
  method: HttpMethod;
  /** Express-style, under /api: `/runs/:id/plan`. */
  path: string;
  summary: string;
  /** The least role the route asks for; null for an open route. */
  role: ApiRole | null;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Success responses by status; the error envelope's 4xx are added for every route. */
  responses: Record<number, RouteResponse>;
  tags?: string[];
}

/** Mounts a described route: the path and method come from its description, never typed twice. */
export function mountRoute(router: Router, route: ApiRoute, ...handlers: RequestHandler[]): void {
  router[route.method](route.path, ...handlers);
}

/** `/runs/:id/plan` → a matcher of concrete paths, for the 405 check. */
export function pathMatcher(path: string): RegExp {
  const pattern = path
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${pattern}/?$`);
}

/** `/runs/:id` → `/runs/{id}` (OpenAPI's template syntax). */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}
