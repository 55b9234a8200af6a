import { Router, type Response } from 'express';
import { stringParam } from '../query-params.js';
import type { SimulatorContext } from '../simulator-context.js';

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
    const name = store.name(index);
    const displayName = store.displayName(index);
    const space = displayName.indexOf(' ');
    const self = `${context.baseUrl}/rest/usermanagement/1/user?username=${encodeURIComponent(name)}`;
    const withAttributes = (stringParam(req, 'expand') ?? '').split(',').includes('attributes');
    res.json({
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
    });
  });

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
