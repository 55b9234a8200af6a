import express, { Router, type Response } from 'express';
import { stringParam } from '../query-params.js';
import type { SimulatorContext } from '../simulator-context.js';
import type { IdpUser } from './idp-directory.js';
import { bearerToken, cursorIndex, idpDirectory, idpGate, listingPage, pageSizeParam } from './idp-gate.js';

/*
 * Microsoft Entra ID: the client-credentials token endpoint (`/entra/oauth2/v2.0/token`, also
 * under a tenant segment) and Microsoft Graph's `/entra/v1.0/users` with `$select`, `$top`,
 * `$filter=<property> eq '<value>'`, `$count` (with `ConsistencyLevel: eventual`) and
 * `@odata.nextLink` paging. The client secret the simulator accepts is its token.
 */

const MAX_TOP = 999;
const PLAIN_FILTERS = new Set(['id', 'userPrincipalName', 'mail', 'displayName', 'givenName', 'surname']);
const DEFAULT_TOP = 100;
const DEFAULT_SELECT = ['id', 'displayName', 'mail', 'userPrincipalName', 'accountEnabled'];
const EQ = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s+eq\s+'((?:[^']|'')*)'\s*$/;

function graphError(res: Response, status: number, message: string): void {
  const codes: Record<number, string> = {
    400: 'Request_UnsupportedQuery',
    401: 'InvalidAuthenticationToken',
    404: 'Request_ResourceNotFound',
    429: 'TooManyRequests',
  };
  res.status(status).json({
    error: {
      code: codes[status] ?? 'generalException',
      message,
      innerError: { date: new Date().toISOString(), 'request-id': 'sim', 'client-request-id': 'sim' },
    },
  });
}

function tokenError(res: Response, status: number, error: string, description: string): void {
  res.status(status).json({
    error,
    error_description: `${description}\r\nTrace ID: sim\r\nCorrelation ID: sim\r\nTimestamp: ${new Date().toISOString()}`,
    error_codes: [status === 401 ? 7000215 : 900144],
    trace_id: 'sim',
    correlation_id: 'sim',
  });
}

function graphUser(user: IdpUser, index: number): Record<string, unknown> {
  return {
    id: `6b1a8f2e-0000-4000-8000-${index.toString(16).padStart(12, '0')}`,
    displayName: user.displayName ?? user.login,
    mail: user.email,
    userPrincipalName: user.login,
    accountEnabled: user.active,
    ...user.attributes,
  };
}

/** A Graph property of an account without building the whole user (a $filter reads one). */
function graphProperty(user: IdpUser, property: string): string | undefined {
  if (property === 'userPrincipalName') return user.login;
  if (property === 'mail') return user.email;
  if (property === 'displayName') return user.displayName ?? user.login;
  return user.attributes[property];
}

export function entraRoutes(context: SimulatorContext): Router {
  const router = Router();
  const faults = () => context.idp.faults.entra;

  router.post(
    ['/entra/oauth2/v2.0/token', '/entra/:tenant/oauth2/v2.0/token'],
    express.urlencoded({ extended: false }),
    (req, res) => {
      const body = (req.body ?? {}) as Record<string, string | undefined>;
      if (faults().tokenOutage !== null) {
        tokenError(res, faults().tokenOutage!, 'temporarily_unavailable', 'Injected outage.');
        return;
      }
      if (body.grant_type !== 'client_credentials') {
        tokenError(
          res,
          400,
          'unsupported_grant_type',
          'AADSTS70003: The app requested an unsupported grant type.',
        );
        return;
      }
      if (!body.scope?.endsWith('/.default')) {
        tokenError(res, 400, 'invalid_scope', 'AADSTS1002012: The provided value for scope is not valid.');
        return;
      }
      if (!body.client_id || body.client_secret !== context.token) {
        tokenError(res, 401, 'invalid_client', 'AADSTS7000215: Invalid client secret provided.');
        return;
      }
      const issued = faults().issueToken();
      res.json({
        token_type: 'Bearer',
        expires_in: issued.expiresInSec,
        ext_expires_in: issued.expiresInSec,
        access_token: issued.accessToken,
      });
    },
  );

  router.use('/entra/v1.0', (req, res, next) => {
    const state = faults().checkToken(bearerToken(req.headers.authorization));
    if (state !== 'valid') {
      const why =
        state === 'expired'
          ? 'Lifetime validation failed, the token is expired.'
          : 'Access token validation failure.';
      graphError(res, 401, why);
      return;
    }
    next();
  });
  router.use(
    '/entra/v1.0',
    idpGate(context, 'entra', graphError, (res) => res.setHeader('Retry-After', '1')),
  );

  router.get('/entra/v1.0/users', (req, res) => {
    const users = idpDirectory(context).users;
    const selectText = stringParam(req, '$select');
    const select = selectText ? selectText.split(',').map((s) => s.trim()) : DEFAULT_SELECT;
    const topText = stringParam(req, '$top');
    if (topText !== undefined && Number(topText) > MAX_TOP) {
      graphError(
        res,
        400,
        `Invalid page size specified: '${topText}'. Must be between 1 and ${MAX_TOP} inclusive.`,
      );
      return;
    }
    const top = pageSizeParam(topText, DEFAULT_TOP, MAX_TOP);
    const count = stringParam(req, '$count') === 'true';
    const eventual = String(req.headers.consistencylevel ?? '').toLowerCase() === 'eventual';
    if (count && !eventual) {
      graphError(res, 400, "$count is only supported with the 'ConsistencyLevel: eventual' header.");
      return;
    }
    const filter = stringParam(req, '$filter');
    let matches: ((user: IdpUser) => boolean) | undefined;
    if (filter !== undefined) {
      const eq = EQ.exec(filter);
      if (!eq) {
        graphError(res, 400, `Unsupported or invalid query filter clause: ${filter}`);
        return;
      }
      const [, property, quoted] = eq;
      // As in Graph, other properties can only be filtered by an advanced query.
      if (!PLAIN_FILTERS.has(property!) && !(count && eventual)) {
        graphError(
          res,
          400,
          `Unsupported or invalid query filter clause specified for property '${property}' of resource 'User'.`,
        );
        return;
      }
      const wanted = quoted!.replaceAll("''", "'").toLowerCase();
      matches = (user) => graphProperty(user, property!)?.toLowerCase() === wanted;
    }
    const page = filter === undefined ? listingPage(faults(), res, graphError) : 'serve';
    if (page === undefined) return;

    // Positions of the matching accounts; without a filter, every one (no per-request copy).
    const positions = matches ? users.flatMap((user, i) => (matches(user) ? [i] : [])) : undefined;
    const total = positions?.length ?? users.length;
    const start = cursorIndex(stringParam(req, '$skiptoken'));
    const value: Record<string, unknown>[] = [];
    for (let n = start; n < Math.min(total, start + top); n++) {
      const index = positions ? positions[n]! : n;
      const user = graphUser(users[index]!, index);
      value.push(Object.fromEntries(select.filter((p) => p in user).map((p) => [p, user[p]])));
    }
    const more = start + top < total && page !== 'last';
    const params = new URLSearchParams({
      ...(selectText ? { $select: selectText } : {}),
      $top: String(top),
      ...(count ? { $count: 'true' } : {}),
      ...(filter !== undefined ? { $filter: filter } : {}),
      $skiptoken: String(start + top),
    });
    res.json({
      '@odata.context': `${context.baseUrl}/entra/v1.0/$metadata#users`,
      ...(count ? { '@odata.count': total } : {}),
      ...(more
        ? {
            '@odata.nextLink': `${context.baseUrl}/entra/v1.0/users?${params.toString().replaceAll('%24', '$')}`,
          }
        : {}),
      value,
    });
  });

  router.use('/entra/v1.0', (_req, res) => graphError(res, 404, 'Resource not found.'));
  return router;
}
