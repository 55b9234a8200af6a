import { createPublicKey, verify } from 'node:crypto';
import express, { Router, type Response } from 'express';
import { stringParam } from '../query-params.js';
import type { SimulatorContext } from '../simulator-context.js';
import { IdpDirectory, type IdpUser } from './idp-directory.js';
import { bearerToken, cursorIndex, idpDirectory, idpGate, listingPage, pageSizeParam } from './idp-gate.js';

/*
 * Google Workspace: the OAuth token endpoint (`/google/token`) taking a service account's
 * signed JWT (RFC 7523), checked with the public key a test registered, and the Admin SDK
 * Directory API (`/google/admin/directory/v1/users`: users.list with `customer`,
 * `maxResults`, `pageToken`, `query=Schema.field='value'`, `projection`; users.get).
 */

const MAX_RESULTS = 500;
const DEFAULT_RESULTS = 100;
const SCOPE = 'https://www.googleapis.com/auth/admin.directory.user.readonly';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const CUSTOM_QUERY = /^\s*([A-Za-z0-9_]+)\.([A-Za-z0-9_]+)\s*=\s*'([^']*)'\s*$/;

function googleError(res: Response, status: number, message: string): void {
  const reasons: Record<number, [string, string]> = {
    400: ['invalid', 'INVALID_ARGUMENT'],
    401: ['authError', 'UNAUTHENTICATED'],
    403: ['forbidden', 'PERMISSION_DENIED'],
    404: ['notFound', 'NOT_FOUND'],
    429: ['rateLimitExceeded', 'RESOURCE_EXHAUSTED'],
  };
  const [reason, state] = reasons[status] ?? ['backendError', 'INTERNAL'];
  res.status(status).json({
    error: { code: status, message, errors: [{ message, domain: 'global', reason }], status: state },
  });
}

function tokenError(res: Response, status: number, error: string, description: string): void {
  res.status(status).json({ error, error_description: description });
}

function googleId(index: number): string {
  return String(100000000000000000000n + BigInt(index));
}

function googleUser(user: IdpUser, index: number, projection: string): Record<string, unknown> {
  const customSchemas: Record<string, Record<string, string>> = {};
  for (const [key, value] of Object.entries(user.attributes)) {
    const [schema, field] = key.split('.');
    if (schema && field) (customSchemas[schema] ??= {})[field] = value;
  }
  return {
    kind: 'admin#directory#user',
    id: googleId(index),
    primaryEmail: user.email,
    name: { fullName: user.displayName ?? user.login },
    isAdmin: false,
    suspended: IdpDirectory.googleSuspended(user),
    archived: user.archived ?? false,
    orgUnitPath: '/',
    ...(projection !== 'basic' && Object.keys(customSchemas).length > 0 ? { customSchemas } : {}),
  };
}

function decodeSegment(segment: string | undefined): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment ?? '', 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Why the assertion is refused; undefined when it is good. */
function assertionProblem(context: SimulatorContext, assertion: string): string | undefined {
  const account = context.idp.googleServiceAccount;
  if (!account) return 'No service account is registered with the simulator.';
  const parts = assertion.split('.');
  if (parts.length !== 3)
    return 'Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.';
  const header = decodeSegment(parts[0]);
  const claims = decodeSegment(parts[1]);
  if (!header || !claims || header.alg !== 'RS256') return 'Invalid JWT header.';
  const signed = verify(
    'sha256',
    Buffer.from(`${parts[0]}.${parts[1]}`),
    createPublicKey(account.publicKey),
    Buffer.from(parts[2]!, 'base64url'),
  );
  if (!signed) return 'Invalid JWT Signature.';
  const now = Math.floor(Date.now() / 1000);
  if (claims.iss !== account.clientEmail) return 'Invalid issuer: unknown service account.';
  if (claims.aud !== `${context.baseUrl}/google/token`)
    return 'Invalid JWT: audience is not the token endpoint.';
  if (typeof claims.sub !== 'string' || claims.sub === '')
    return 'Invalid JWT: no subject (delegated administrator).';
  if (typeof claims.scope !== 'string' || !claims.scope.split(' ').includes(SCOPE))
    return 'Invalid JWT: the scope does not include admin.directory.user.readonly.';
  if (
    typeof claims.exp !== 'number' ||
    typeof claims.iat !== 'number' ||
    claims.exp <= now ||
    claims.iat > now + 60
  )
    return 'Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.';
  return undefined;
}

export function googleRoutes(context: SimulatorContext): Router {
  const router = Router();
  const faults = () => context.idp.faults.google;

  router.post('/google/token', express.urlencoded({ extended: false }), (req, res) => {
    const body = (req.body ?? {}) as Record<string, string | undefined>;
    if (faults().tokenOutage !== null) {
      tokenError(res, faults().tokenOutage!, 'internal_failure', 'Injected outage.');
      return;
    }
    if (body.grant_type !== JWT_BEARER) {
      tokenError(res, 400, 'unsupported_grant_type', 'Invalid grant_type.');
      return;
    }
    const problem = assertionProblem(context, body.assertion ?? '');
    if (problem !== undefined) {
      tokenError(res, 400, 'invalid_grant', problem);
      return;
    }
    const issued = faults().issueToken();
    res.json({ access_token: issued.accessToken, expires_in: issued.expiresInSec, token_type: 'Bearer' });
  });

  const api = '/google/admin/directory/v1';
  router.use(api, (req, res, next) => {
    if (faults().checkToken(bearerToken(req.headers.authorization)) !== 'valid') {
      googleError(res, 401, 'Request had invalid authentication credentials. Expected OAuth 2 access token.');
      return;
    }
    next();
  });
  router.use(
    api,
    idpGate(context, 'google', googleError, () => undefined),
  );

  router.get(`${api}/users`, (req, res) => {
    const customer = stringParam(req, 'customer');
    if (customer !== 'my_customer' && !/^C[0-9a-z]+$/.test(customer ?? '')) {
      googleError(res, 400, 'Bad Request');
      return;
    }
    const projection = stringParam(req, 'projection') ?? 'basic';
    const query = stringParam(req, 'query');
    let matches: ((user: IdpUser) => boolean) | undefined;
    if (query !== undefined) {
      const eq = CUSTOM_QUERY.exec(query);
      if (!eq) {
        googleError(res, 400, 'Invalid Input');
        return;
      }
      const key = `${eq[1]}.${eq[2]}`;
      matches = (user) => user.attributes[key]?.toLowerCase() === eq[3]!.toLowerCase();
    }
    const page = query === undefined ? listingPage(faults(), res, googleError) : 'serve';
    if (page === undefined) return;
    const maxResults = pageSizeParam(stringParam(req, 'maxResults'), DEFAULT_RESULTS, MAX_RESULTS);
    const accounts = idpDirectory(context).users;
    // Positions of the matching accounts; without a query, every one (no per-request copy).
    const positions = matches ? accounts.flatMap((user, i) => (matches(user) ? [i] : [])) : undefined;
    const total = positions?.length ?? accounts.length;
    const start = cursorIndex(stringParam(req, 'pageToken'));
    const users: Record<string, unknown>[] = [];
    for (let n = start; n < Math.min(total, start + maxResults); n++) {
      const index = positions ? positions[n]! : n;
      users.push(googleUser(accounts[index]!, index, projection));
    }
    const more = start + maxResults < total && page !== 'last';
    res.json({
      kind: 'admin#directory#users',
      ...(users.length > 0 ? { users } : {}),
      ...(more ? { nextPageToken: String(start + maxResults) } : {}),
    });
  });

  router.get(`${api}/users/:userKey`, (req, res) => {
    const wanted = req.params.userKey.toLowerCase();
    const users = idpDirectory(context).users;
    const index = users.findIndex((user, i) => user.email.toLowerCase() === wanted || googleId(i) === wanted);
    if (index < 0) {
      googleError(res, 404, 'Resource Not Found: userKey');
      return;
    }
    res.json(googleUser(users[index]!, index, stringParam(req, 'projection') ?? 'basic'));
  });

  router.use(api, (_req, res) => googleError(res, 404, 'Not Found'));
  return router;
}
