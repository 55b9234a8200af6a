import type { Server } from 'node:http';
import express, { type Express } from 'express';
import type { App } from '../runtime/app.js';
import { adminRouter } from './admin/admin-router.js';
import { consoleRouter } from './console/console-router.js';
import { SessionCookies } from './admin/session.js';
import { tokenAuthenticator } from './auth.js';
import { answerClientErrors } from './client-error.js';
import { errorHandler, methodNotAllowed, notFoundHandler } from './error-handler.js';
import { redisGate, isRedisUnavailable, sendRedisUnavailable } from './redis-unavailable.js';
import { requestId } from './request-id.js';
import { securityHeaders } from './security-headers.js';
import { auditRouter } from './routes/audit.js';
import { eventsRouter } from './routes/events.js';
import { healthRouter } from './routes/health.js';
import { API_ROUTES } from './routes/index.js';
import { metricsRouter } from './routes/metrics.js';
import { openApiRouter } from './routes/openapi.js';
import { runsRouter } from './routes/runs.js';
import { reportsRouter } from './routes/reports.js';
import { usersRouter } from './routes/users.js';

/** A body larger than this is refused with a 413 before any handler sees it. */
export const JSON_BODY_LIMIT = '1mb';
const VERSION = '0.1.0';

/**
 * The HTTP API for ops teams and their tooling. The health probes and /metrics (unless
 * api.metricsToken is set) are open; everything else needs a token
 * from `api.tokens`, with the role the route asks for. Bull Board and the console (at /) sit
 * behind /admin/login.
 */
export function createApiApp(app: App): Express {
  const server = express();
  server.disable('x-powered-by');
  server.set('trust proxy', false);
  const authenticate = tokenAuthenticator(app.config.api.tokens);
  const sessions = new SessionCookies(app.config.api.sessionSecret, app.config.api.sessionHours);
  const knownCaller = (name: string) => {
    const token = app.config.api.tokens.find((t) => t.name === name);
    return token ? { name: token.name, role: token.role } : undefined;
  };

  server.use(requestId(app.logger));
  server.use(securityHeaders());
  server.use(healthRouter(app));
  server.use(metricsRouter(app));
  server.use('/api', redisGate(app.redis));
  // Before the JSON parser: user uploads are read (streamed) by their own routes.
  server.use('/api', usersRouter(app, authenticate));
  // Before the JSON parser too: a login event's signature is over its raw bytes.
  server.use('/api', eventsRouter(app));
  // Routers under /api: each also lists its routes in api/routes/index.ts (OpenAPI, 405).
  server.use(
    '/api',
    express.json({ limit: JSON_BODY_LIMIT }),
    openApiRouter(() => API_ROUTES, VERSION, authenticate),
    runsRouter(app, authenticate),
    auditRouter(app, authenticate),
    reportsRouter(app, authenticate),
    methodNotAllowed(() => API_ROUTES),
  );
  server.use(adminRouter(app.registry, authenticate, sessions, knownCaller));
  // The console (api/console/): the Jira admin's pages, behind the same login as the board.
  server.use(consoleRouter(app, { authenticate, sessions, knownCaller }));
  server.use(notFoundHandler);
  server.use(
    errorHandler(app.logger, {
      test: (error) => isRedisUnavailable(error, app.redis),
      send: (req, res) => sendRedisUnavailable(req, res, app.redis),
    }),
  );
  // Every server this app listens on answers the requests Node rejects with the envelope too.
  const listen = server.listen.bind(server) as (...args: unknown[]) => Server;
  server.listen = ((...args: unknown[]) => answerClientErrors(listen(...args))) as typeof server.listen;
  return server;
}
