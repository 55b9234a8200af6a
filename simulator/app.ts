import express, { type ErrorRequestHandler, type Express } from 'express';
import { idpRoutes } from './idp/index.js';
import { JiraError, sendJiraError } from './jira-error.js';
import { basicCredentials, isAuthenticated } from './middleware/authentication.js';
import { faultInjector } from './middleware/faults.js';
import { latency } from './middleware/latency.js';
import { rateLimit, setRateLimitHeaders } from './middleware/rate-limit.js';
import { requestRecorder } from './middleware/request-recorder.js';
import { TokenBucket } from './middleware/token-bucket.js';
import type { PendingTimers } from './pending-timers.js';
import { keepRequestOrigin } from './request-origin.js';
import { seededRandom } from './prng.js';
import { applicationRoleRoutes } from './routes/application-roles.js';
import { authSessionRoutes, isAnonymousAllowed } from './routes/auth-session.js';
import { crowdRoutes } from './routes/crowd.js';
import { groupRoutes } from './routes/groups.js';
import { hrApiRoutes } from './routes/hr-api.js';
import { scimRoutes } from './routes/scim.js';
import { serverInfoRoutes } from './routes/server-info.js';
import { testHookRoutes } from './routes/test-hooks.js';
import { userListRoutes } from './routes/user-list.js';
import { userSearchRoutes } from './routes/user-search.js';
import { userRoutes } from './routes/users.js';
import type { SimulatorContext } from './simulator-context.js';

export interface AppBehaviour {
  seed: number;
  rateLimit?: number;
  latencyMs?: number;
  faultRate?: number;
}

const LATEST_API = '/rest/api/latest/';

const renderErrors: ErrorRequestHandler = (error: unknown, _req, res, next) => {
  if (res.headersSent) {
    next(error);
    return;
  }
  if (error instanceof JiraError) {
    sendJiraError(res, error.status, error.errorMessages, error.errors);
    return;
  }
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    sendJiraError(res, status, [error instanceof Error ? error.message : 'Bad request']);
    return;
  }
  sendJiraError(res, 500, [error instanceof Error ? error.message : 'Internal server error']);
};

/** The simulator's HTTP surface: Jira REST under /rest, SCIM under /scim, test hooks under /__sim. */
export function buildApp(context: SimulatorContext, behaviour: AppBehaviour, timers: PendingTimers): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'extended');
  // Jira serves `/rest/api/latest` as the current version, 2; scripts use either.
  app.use((req, _res, next) => {
    if (req.url.startsWith(LATEST_API)) req.url = `/rest/api/2/${req.url.slice(LATEST_API.length)}`;
    next();
  });
  app.use(keepRequestOrigin());
  app.use(requestRecorder(context.stats));
  app.use(express.json({ type: ['application/json', 'application/*+json'] }));

  const bucket = behaviour.rateLimit ? new TokenBucket(behaviour.rateLimit, behaviour.rateLimit) : undefined;
  // A separate stream per concern, so that enabling latency does not change which requests fail.
  const faults = behaviour.faultRate
    ? faultInjector(behaviour.faultRate, () => seededRandom(behaviour.seed ^ 0x5eed), timers)
    : undefined;

  // Before the test hooks: it clears its own faults on /__sim/reset, then passes it on.
  app.use(hrApiRoutes(context));
  app.use(
    testHookRoutes(context, {
      onReset() {
        bucket?.refillCompletely();
        faults?.restart();
      },
    }),
  );

  if (behaviour.latencyMs) {
    app.use(
      ['/rest', '/scim', '/okta', '/entra', '/google'],
      latency(behaviour.latencyMs, seededRandom(behaviour.seed ^ 0x1a7e), timers),
    );
  }
  app.use(scimRoutes(context));
  app.use(idpRoutes(context));

  app.use('/rest', (req, res, next) => {
    // Crowd REST ("Jira User Server") authenticates an application, never a Jira user.
    if (req.path.startsWith('/usermanagement/')) {
      if (basicCredentials(req) === context.crowdApplication) {
        next();
        return;
      }
      res.setHeader('WWW-Authenticate', 'Basic realm="Crowd REST Service"');
      if (bucket) setRateLimitHeaders(res, bucket);
      res
        .status(401)
        .json({ reason: 'APPLICATION_ACCESS_DENIED', message: 'Application failed to authenticate' });
      return;
    }
    if (isAnonymousAllowed(req) || isAuthenticated(req, context.token, context.sessions)) {
      next();
      return;
    }
    res.setHeader('WWW-Authenticate', 'Basic realm="protected-area"');
    // Refused requests take no token, but still tell the client where it stands.
    if (bucket) setRateLimitHeaders(res, bucket);
    sendJiraError(res, 401, [
      'You are not authenticated. Authentication required to perform this operation.',
    ]);
  });
  if (bucket) app.use('/rest', rateLimit(bucket));
  if (faults) app.use('/rest', faults.handler);

  app.use(serverInfoRoutes(context));
  app.use(userListRoutes(context));
  app.use(userSearchRoutes(context));
  app.use(userRoutes(context));
  app.use(groupRoutes(context));
  app.use(applicationRoleRoutes(context));
  app.use(crowdRoutes(context));
  app.use(authSessionRoutes(context));

  app.use((req, res) => {
    sendJiraError(res, 404, [`No resource found for ${req.method} ${req.path}`]);
  });
  app.use(renderErrors);
  return app;
}
