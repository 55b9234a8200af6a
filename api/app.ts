import express, { type Express } from 'express';
import type { App } from '../runtime/app.js';
import { requireRole, tokenAuthenticator } from './auth.js';
import { BULL_BOARD_PATH, bullBoardRouter } from './bull-board.js';
import { errorHandler, notFoundHandler } from './error-handler.js';
import { auditRouter } from './routes/audit.js';
import { healthRouter } from './routes/health.js';
import { runsRouter } from './routes/runs.js';
import { reportsRouter } from './routes/reports.js';
import { usersRouter } from './routes/users.js';

/**
 * The HTTP API for ops teams and their tooling. Only the health probes are open; everything
 * else needs a token from `api.tokens`, with the role the route asks for.
 */
export function createApiApp(app: App): Express {
  const server = express();
  server.disable('x-powered-by');
  server.set('trust proxy', false);
  const authenticate = tokenAuthenticator(app.config.api.tokens);

  server.use(healthRouter(app));
  // Before the JSON parser: user uploads are read (streamed) by their own routes.
  server.use('/api', usersRouter(app, authenticate));
  server.use(
    '/api',
    express.json({ limit: '1mb' }),
    runsRouter(app, authenticate),
    auditRouter(app, authenticate),
    reportsRouter(app, authenticate),
  );
  server.use(
    BULL_BOARD_PATH,
    requireRole(authenticate, 'operator', { browserPrompt: true }),
    bullBoardRouter(app.registry),
  );
  server.use(notFoundHandler);
  server.use(errorHandler(app.logger));
  return server;
}
