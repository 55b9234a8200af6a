import { Router, type Response } from 'express';
import { isAuthenticated } from '../middleware/authentication.js';
import { stableHash } from '../prng.js';
import { stringParam } from '../query-params.js';
import type { ScimDirectory } from '../scim-directory.js';
import type { SimulatorContext } from '../simulator-context.js';

/*
 * The external directory as a SCIM 2.0 service provider (RFC 7644): list and filter Users.
 * Test hooks can make it fail (an HTTP status, or no answer at all), lose a share of users, or
 * leave named users out of the unfiltered listing only.
 */

const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const DEFAULT_COUNT = 100;
const MAX_COUNT = 1000;
/** `userName eq "…"` or `emails.value eq "…"` (attribute names are case-insensitive). */
const ATTRIBUTE_EQ = /^\s*(userName|emails\.value|emails)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$/i;

function scimError(res: Response, status: number, detail: string, scimType?: string): void {
  res
    .status(status)
    .type('application/scim+json')
    .send(
      JSON.stringify({
        schemas: [ERROR_SCHEMA],
        status: String(status),
        ...(scimType ? { scimType } : {}),
        detail,
      }),
    );
}

function isHidden(directory: ScimDirectory, index: number, percent: number): boolean {
  return percent > 0 && stableHash(directory.userName(index).toLowerCase()) % 100 < percent;
}

function resource(context: SimulatorContext, directory: ScimDirectory, index: number) {
  const id = directory.id(index);
  const displayName = directory.displayName(index);
  const email = directory.email(index);
  return {
    schemas: [USER_SCHEMA],
    id,
    userName: directory.userName(index),
    active: directory.isActive(index),
    ...(displayName !== undefined ? { displayName } : {}),
    ...(email !== undefined ? { emails: [{ value: email, type: 'work', primary: true }] } : {}),
    meta: { resourceType: 'User', location: `${context.baseUrl}/scim/v2/Users/${id}` },
  };
}

function positiveInt(text: string | undefined, fallback: number): number {
  if (text === undefined || !/^-?\d+$/.test(text)) return fallback;
  return Number(text);
}

export function scimRoutes(context: SimulatorContext): Router {
  const router = Router();

  router.use('/scim/v2', (req, res, next) => {
    if (!isAuthenticated(req, context.token)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="scim"');
      scimError(res, 401, 'Authentication required.');
      return;
    }
    const outage = context.scimFaults.outage;
    if (outage === 'timeout') return; // never answers: the client's timeout must end it
    if (outage !== null) {
      scimError(res, outage, `Injected outage: HTTP ${outage}.`);
      return;
    }
    if (!context.world.scim) {
      scimError(res, 404, 'No external directory is configured.');
      return;
    }
    next();
  });

  router.get('/scim/v2/Users', (req, res) => {
    const directory = context.world.scim as ScimDirectory;
    const hiddenPercent = context.scimFaults.hiddenPercent;
    const startIndex = Math.max(1, positiveInt(stringParam(req, 'startIndex'), 1));
    const count = Math.min(Math.max(0, positiveInt(stringParam(req, 'count'), DEFAULT_COUNT)), MAX_COUNT);
    const filter = stringParam(req, 'filter');

    let candidates: Iterable<number>;
    const unlisted = context.scimFaults.unlisted;
    if (filter !== undefined && filter.trim() !== '') {
      const match = ATTRIBUTE_EQ.exec(filter);
      if (!match) {
        scimError(
          res,
          400,
          `Unsupported filter: ${filter}. Only 'userName eq "…"' and 'emails.value eq "…"' are supported.`,
          'invalidFilter',
        );
        return;
      }
      const value = (match[2] as string).replace(/\\(.)/g, '$1');
      candidates =
        (match[1] as string).toLowerCase() === 'username'
          ? [directory.indexOfUserName(value)].filter((i) => i !== undefined)
          : directory.indicesOfEmail(value);
    } else {
      candidates = (function* () {
        for (let index = 0; index < directory.size; index++) {
          if (unlisted.size > 0 && unlisted.has(directory.userName(index).toLowerCase())) continue;
          yield index;
        }
      })();
    }

    const resources: ReturnType<typeof resource>[] = [];
    let totalResults = 0;
    for (const index of candidates) {
      if (isHidden(directory, index, hiddenPercent)) continue;
      totalResults++;
      if (totalResults >= startIndex && resources.length < count)
        resources.push(resource(context, directory, index));
    }
    res.type('application/scim+json').send(
      JSON.stringify({
        schemas: [LIST_SCHEMA],
        totalResults,
        startIndex,
        itemsPerPage: resources.length,
        Resources: resources,
      }),
    );
  });

  router.get('/scim/v2/Users/:id', (req, res) => {
    const directory = context.world.scim as ScimDirectory;
    const match = /^2819c223-7f76-453a-919d-([0-9a-f]{12})$/.exec(req.params.id);
    const index = match ? parseInt(match[1] as string, 16) : -1;
    if (
      index < 0 ||
      index >= directory.size ||
      isHidden(directory, index, context.scimFaults.hiddenPercent)
    ) {
      scimError(res, 404, `Resource ${req.params.id} not found.`);
      return;
    }
    res.type('application/scim+json').send(JSON.stringify(resource(context, directory, index)));
  });

  router.use('/scim/v2', (_req, res) => scimError(res, 404, 'No such SCIM endpoint.'));

  return router;
}
