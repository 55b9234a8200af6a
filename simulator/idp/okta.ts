import { Router, type Response } from 'express';
import { stringParam } from '../query-params.js';
import type { SimulatorContext } from '../simulator-context.js';
import { IdpDirectory, type IdpUser } from './idp-directory.js';
import { cursorIndex, idpDirectory, idpGate, listingPage, pageSizeParam } from './idp-gate.js';

/*
 * Okta's Users API (`/okta/api/v1/users`): `Authorization: SSWS <token>`, `limit` / `after`
 * paging through `Link: <…>; rel="next"`, `filter` (status, profile.login, profile.email;
 * exact) and `search` (any profile attribute; case-insensitive). As in Okta, a plain listing leaves out DEPROVISIONED users.
 */

const MAX_LIMIT = 200;
const EQ = /^\s*(status|profile\.[A-Za-z_][A-Za-z0-9_]*)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$/;

function oktaError(res: Response, status: number, summary: string): void {
  const codes: Record<number, string> = {
    400: 'E0000031',
    401: 'E0000011',
    404: 'E0000007',
    429: 'E0000047',
  };
  res.status(status).json({
    errorCode: codes[status] ?? 'E0000009',
    errorSummary: summary,
    errorLink: codes[status] ?? 'E0000009',
    errorId: `oae${status}`,
    errorCauses: [],
  });
}

function userJson(base: string, user: IdpUser, index: number) {
  const id = `00u${index.toString(36).padStart(17, '0')}`;
  const [firstName, ...rest] = (user.displayName ?? user.login).split(' ');
  return {
    id,
    status: IdpDirectory.oktaStatus(user),
    created: '2024-01-01T00:00:00.000Z',
    activated: null,
    statusChanged: null,
    lastLogin: null,
    lastUpdated: '2026-01-01T00:00:00.000Z',
    type: { id: 'oty1' },
    profile: {
      firstName: firstName ?? user.login,
      lastName: rest.join(' ') || null,
      mobilePhone: null,
      secondEmail: null,
      login: user.login,
      email: user.email,
      ...user.attributes,
    },
    _links: { self: { href: `${base}/api/v1/users/${id}` } },
  };
}

function profileValue(user: IdpUser, attribute: string): string | undefined {
  if (attribute === 'login') return user.login;
  if (attribute === 'email') return user.email;
  return user.attributes[attribute];
}

export function oktaRoutes(context: SimulatorContext): Router {
  const router = Router();
  const base = () => `${context.baseUrl}/okta`;

  router.use('/okta/api/v1', (req, res, next) => {
    if (req.headers.authorization !== `SSWS ${context.token}`) {
      oktaError(res, 401, 'Invalid token provided');
      return;
    }
    next();
  });
  router.use(
    '/okta/api/v1',
    idpGate(context, 'okta', oktaError, (res) => {
      res.setHeader('X-Rate-Limit-Limit', '600');
      res.setHeader('X-Rate-Limit-Remaining', '0');
      res.setHeader('X-Rate-Limit-Reset', String(Math.floor(Date.now() / 1000) + 1));
    }),
  );

  router.get('/okta/api/v1/users', (req, res) => {
    const users = idpDirectory(context).users;
    const limit = pageSizeParam(stringParam(req, 'limit'), MAX_LIMIT, MAX_LIMIT);
    const after = cursorIndex(stringParam(req, 'after'));
    const filter = stringParam(req, 'filter');
    const search = stringParam(req, 'search');
    const expression = filter ?? search;
    let matches: (user: IdpUser) => boolean = (user) => IdpDirectory.oktaStatus(user) !== 'DEPROVISIONED';
    let isListing = true;
    if (expression !== undefined && expression.trim() !== '') {
      const eq = EQ.exec(expression);
      const field = eq?.[1];
      const wanted = eq?.[2]?.replace(/\\(.)/g, '$1');
      const filterable = [
        'status',
        'profile.login',
        'profile.email',
        'profile.firstName',
        'profile.lastName',
      ];
      if (!field || wanted === undefined || (filter !== undefined && !filterable.includes(field))) {
        oktaError(res, 400, `Invalid search criteria: ${expression}`);
        return;
      }
      if (field === 'status') matches = (user) => IdpDirectory.oktaStatus(user) === wanted;
      else {
        isListing = false;
        const attribute = field.slice('profile.'.length);
        // As in Okta, `filter` compares exactly and `search` ignores case.
        matches =
          filter !== undefined
            ? (user) => profileValue(user, attribute) === wanted
            : (user) => profileValue(user, attribute)?.toLowerCase() === wanted.toLowerCase();
      }
    }
    let page: 'serve' | 'last' | undefined = 'serve';
    if (isListing) page = listingPage(context.idp.faults.okta, res, oktaError);
    if (page === undefined) return;
    const selected: ReturnType<typeof userJson>[] = [];
    let next: number | undefined;
    for (let index = after; index < users.length; index++) {
      if (!matches(users[index]!)) continue;
      if (selected.length === limit) {
        next = index;
        break;
      }
      selected.push(userJson(base(), users[index]!, index));
    }
    const query = (extra: Record<string, string>) =>
      new URLSearchParams({
        limit: String(limit),
        ...(filter !== undefined ? { filter } : {}),
        ...(search !== undefined ? { search } : {}),
        ...extra,
      }).toString();
    const links = [
      `<${base()}/api/v1/users?${query(after > 0 ? { after: String(after) } : {})}>; rel="self"`,
    ];
    if (next !== undefined && page !== 'last')
      links.push(`<${base()}/api/v1/users?${query({ after: String(next) })}>; rel="next"`);
    res.setHeader('Link', links);
    res.json(selected);
  });

  router.use('/okta/api/v1', (_req, res) => oktaError(res, 404, 'Not found: Resource not found'));
  return router;
}
