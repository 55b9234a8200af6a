import type { ApiRoute } from '../route-registry.js';
import { AUDIT_ROUTES } from './audit.js';
import { EVENTS_ROUTES } from './events.js';
import { OPENAPI_ROUTES } from './openapi.js';
import { REPORTS_ROUTES } from './reports.js';
import { RUNS_ROUTES } from './runs.js';
import { USERS_ROUTES } from './users.js';

/**
 * Every route under /api, for the OpenAPI document, the 405 check and the route-coverage
 * test. A new router file exports its `…_ROUTES` descriptions and is listed here.
 */
export const API_ROUTES: readonly ApiRoute[] = [
  ...Object.values(RUNS_ROUTES),
  ...Object.values(AUDIT_ROUTES),
  ...Object.values(OPENAPI_ROUTES),
  ...Object.values(USERS_ROUTES),
  ...Object.values(REPORTS_ROUTES),
  ...Object.values(EVENTS_ROUTES),
];
