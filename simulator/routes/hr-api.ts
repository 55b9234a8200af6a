import { Router, type Request, type Response } from 'express';
import { isAuthenticated } from '../middleware/authentication.js';
import { stringParam } from '../query-params.js';
import type { ScimDirectory } from '../scim-directory.js';
import type { SimulatorContext } from '../simulator-context.js';

/*
 * The external directory as an HR system's own JSON API, the shape an `http` directory source
 * reads: `GET /hr-api/people` pages through everyone (`page` + `limit`, or `offset` + `limit`,
 * with a relative `next` link and a `total`), `GET /hr-api/people/{username}` is one person or
 * a 404. It serves the same people as the SCIM endpoint, with a status word instead of a flag:
 * "active" or "terminated", or what a test set by `POST /__sim/hr-api/status`.
 * `POST /__sim/hr-api/outage { status }` makes it answer every request with an HTTP status
 * (null recovers). Bearer sim-token or Basic admin:admin, as the rest of the simulator.
 */

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;

interface HrApiState {
  outage: number | null;
  /** Lower-cased username → a status word that replaces "active" / "terminated". */
  statuses: Map<string, string>;
}

function person(directory: ScimDirectory, index: number, state: HrApiState) {
  const username = directory.userName(index);
  const email = directory.email(index);
  const status =
    state.statuses.get(username.toLowerCase()) ?? (directory.isActive(index) ? 'active' : 'terminated');
  return {
    id: index + 1,
    username,
    ...(email !== undefined ? { email } : {}),
    profile: { login: username },
    status,
  };
}

function count(text: string | undefined, fallback: number): number {
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : fallback;
}

function problem(res: Response, status: number, title: string): void {
  res.status(status).json({ status, title });
}

export function hrApiRoutes(context: SimulatorContext): Router {
  const router = Router();
  const state: HrApiState = { outage: null, statuses: new Map() };

  router.post('/__sim/hr-api/outage', (req, res) => {
    const status = (req.body as { status?: unknown } | undefined)?.status;
    if (status === null || status === undefined) state.outage = null;
    else if (typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599)
      state.outage = status;
    else return problem(res, 400, 'status must be an HTTP error status (400-599) or null');
    res.json({ outage: state.outage });
  });

  router.post('/__sim/hr-api/status', (req, res) => {
    const body = (req.body ?? {}) as { username?: unknown; status?: unknown };
    if (typeof body.username !== 'string' || (typeof body.status !== 'string' && body.status !== null))
      return problem(res, 400, 'expected { username, status } (status null restores the default)');
    if (body.status === null) state.statuses.delete(body.username.toLowerCase());
    else state.statuses.set(body.username.toLowerCase(), body.status);
    res.json({ username: body.username, status: body.status });
  });

  router.post('/__sim/reset', (_req, _res, next) => {
    state.outage = null;
    state.statuses.clear();
    next();
  });

  router.use('/hr-api', (req: Request, res: Response, next) => {
    if (!isAuthenticated(req, context.token)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="hr-api"');
      return problem(res, 401, 'Authentication required.');
    }
    if (state.outage !== null) return problem(res, state.outage, `Injected outage: HTTP ${state.outage}.`);
    if (!context.world.scim) return problem(res, 404, 'No external directory is configured.');
    next();
  });

  router.get('/hr-api/people', (req, res) => {
    const directory = context.world.scim as ScimDirectory;
    const limit = Math.min(Math.max(1, count(stringParam(req, 'limit'), DEFAULT_LIMIT)), MAX_LIMIT);
    const offsetParam = stringParam(req, 'offset');
    const page = Math.max(1, count(stringParam(req, 'page'), 1));
    const offset = offsetParam !== undefined ? count(offsetParam, 0) : (page - 1) * limit;
    const items = [];
    for (let index = offset; index < Math.min(directory.size, offset + limit); index++)
      items.push(person(directory, index, state));
    const more = offset + limit < directory.size;
    const next =
      offsetParam !== undefined
        ? `/hr-api/people?offset=${offset + limit}&limit=${limit}`
        : `/hr-api/people?page=${page + 1}&limit=${limit}`;
    res.json({ items, total: directory.size, next: more ? next : null });
  });

  router.get('/hr-api/people/:username', (req, res) => {
    const directory = context.world.scim as ScimDirectory;
    const index = directory.indexOfUserName(req.params.username);
    if (index === undefined) return problem(res, 404, `No person ${req.params.username}.`);
    res.json(person(directory, index, state));
  });

  router.use('/hr-api', (_req, res) => problem(res, 404, 'No such HR API endpoint.'));
  return router;
}
