import { Router, type Request, type Response } from 'express';
import { stringParam } from '../query-params.js';
import type { SimulatorContext } from '../simulator-context.js';
import { groupMemberships } from './crowd-memberships.js';

/*
 * Crowd's user-management REST on Jira (Jira as "Jira User Server"). It is where Jira 9 and
 * earlier expose the last login: the user attributes `login.lastLoginMillis` and
 * `lastAuthenticated` (epoch milliseconds as strings), absent for a user who never logged in.
 */

function link(href: string) {
  return { href, rel: 'self' };
}

function userNotFound(res: Response, username: string): void {
  res.status(404).json({ reason: 'USER_NOT_FOUND', message: `User <${username}> does not exist` });
}

function attributeList(context: SimulatorContext, index: number) {
  const store = context.world.store;
  const name = store.name(index);
  const base = `${context.baseUrl}/rest/usermanagement/1/user/attribute?username=${encodeURIComponent(name)}`;
  const lastLogin = store.lastLoginEpochMs(index);
  const attributes =
    lastLogin === undefined
      ? []
      : ['login.lastLoginMillis', 'lastAuthenticated'].map((attributeName) => ({
          link: link(`${base}&attributename=${attributeName}`),
          name: attributeName,
          values: [String(lastLogin)],
        }));
  return { attributes, link: link(base) };
}

/** Crowd's search pages: at most this many entities, whatever `max-results` asks. */
const SEARCH_PAGE_CAP = 1000;

function crowdUser(context: SimulatorContext, index: number, withAttributes: boolean) {
  const store = context.world.store;
  const name = store.name(index);
  const displayName = store.displayName(index);
  const space = displayName.indexOf(' ');
  const self = `${context.baseUrl}/rest/usermanagement/1/user?username=${encodeURIComponent(name)}`;
  return {
    expand: 'attributes',
    link: link(self),
    name,
    key: store.key(index),
    password: {
      link: link(
        `${context.baseUrl}/rest/usermanagement/1/user/password?username=${encodeURIComponent(name)}`,
      ),
    },
    active: store.isActive(index),
    'first-name': space > 0 ? displayName.slice(0, space) : displayName,
    'last-name': space > 0 ? displayName.slice(space + 1) : '',
    'display-name': displayName,
    email: store.emailAddress(index),
    ...(withAttributes ? { attributes: attributeList(context, index) } : {}),
  };
}

function expansions(req: Request): string[] {
  return (stringParam(req, 'expand') ?? '').split(',').map((part) => part.trim());
}

/**
 * `/search?entity-type=user`: every user in name order, paged by `start-index` / `max-results`.
 * `expand=user` gives the whole user, `expand=attributes` its attributes; otherwise only the
 * name and link. A restriction (CQL `restriction=` or a POST body) is not interpreted: the
 * simulator answers the unrestricted search, which is what a bulk reader asks.
 */
function search(context: SimulatorContext, req: Request, res: Response): void {
  const entityType = stringParam(req, 'entity-type');
  if (entityType !== 'user') {
    res.status(400).json({
      reason: 'ILLEGAL_ARGUMENT',
      message: `Unsupported entity type: ${entityType ?? '(none)'} (the simulator searches users)`,
    });
    return;
  }
  const startIndex = Number(stringParam(req, 'start-index') ?? '0');
  const maxResults = Number(stringParam(req, 'max-results') ?? String(SEARCH_PAGE_CAP));
  if (!Number.isInteger(startIndex) || startIndex < 0 || !Number.isInteger(maxResults) || maxResults < 0) {
    res.status(400).json({
      reason: 'ILLEGAL_ARGUMENT',
      message: 'start-index and max-results must be non-negative integers',
    });
    return;
  }
  const store = context.world.store;
  const expand = expansions(req);
  const withUser = expand.includes('user');
  const withAttributes = expand.includes('attributes');
  const page = store.usernameOrder.subarray(startIndex, startIndex + Math.min(maxResults, SEARCH_PAGE_CAP));
  const users = Array.from(page, (index) => {
    if (withUser) return crowdUser(context, index, withAttributes);
    const name = store.name(index);
    const self = `${context.baseUrl}/rest/usermanagement/1/user?username=${encodeURIComponent(name)}`;
    return {
      link: link(self),
      name,
      ...(withAttributes ? { attributes: attributeList(context, index) } : {}),
    };
  });
  res.json({ expand: 'user', users });
}

export function crowdRoutes(context: SimulatorContext): Router {
  const router = Router();

  router.get('/rest/usermanagement/1/user', (req, res) => {
    const store = context.world.store;
    const username = stringParam(req, 'username') ?? '';
    const index = store.indexOfName(username);
    if (index === undefined) {
      userNotFound(res, username);
      return;
    }
    res.json(crowdUser(context, index, expansions(req).includes('attributes')));
  });

  router.get('/rest/usermanagement/1/search', (req, res) => search(context, req, res));

  // A group's members by name (the simulator has no nested groups: direct and nested agree).
  for (const path of [
    '/rest/usermanagement/1/group/user/nested',
    '/rest/usermanagement/1/group/user/direct',
  ]) {
    router.get(path, (req, res) => {
      const store = context.world.store;
      const groupname = stringParam(req, 'groupname') ?? '';
      const groupId = store.groupIdOf(groupname);
      if (groupId === undefined) {
        res.status(404).json({ reason: 'GROUP_NOT_FOUND', message: `Group <${groupname}> does not exist` });
        return;
      }
      const startIndex = Number(stringParam(req, 'start-index') ?? '0');
      const maxResults = Math.min(
        Number(stringParam(req, 'max-results') ?? String(SEARCH_PAGE_CAP)),
        SEARCH_PAGE_CAP,
      );
      const page = store.membersOf(groupId).subarray(startIndex, startIndex + maxResults);
      const users = Array.from(page, (index) => {
        const name = store.name(index);
        const self = `${context.baseUrl}/rest/usermanagement/1/user?username=${encodeURIComponent(name)}`;
        return { link: link(self), name };
      });
      res.json({ expand: 'user', users });
    });
  }
  router.post('/rest/usermanagement/1/search', (req, res) => search(context, req, res));
  router.get('/rest/usermanagement/1/group/membership', (req, res) => groupMemberships(context, req, res));

  router.get('/rest/usermanagement/1/user/attribute', (req, res) => {
    const username = stringParam(req, 'username') ?? '';
    const index = context.world.store.indexOfName(username);
    if (index === undefined) {
      userNotFound(res, username);
      return;
    }
    res.json(attributeList(context, index));
  });

  return router;
}
