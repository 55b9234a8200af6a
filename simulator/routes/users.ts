import { Router } from 'express';
import { JiraError } from '../jira-error.js';
import { stringParam } from '../query-params.js';
import type { SimulatorContext } from '../simulator-context.js';
import { userBean, type UserExpansion } from '../user-json.js';
import type { UserChanges } from '../user-store.js';
import { userFromQuery } from './user-lookup.js';

const READ_ONLY_MESSAGE = 'Cannot edit user, the user directory is read-only.';

function expansions(text: string | undefined): Set<UserExpansion> {
  const wanted = new Set<UserExpansion>();
  for (const part of (text ?? '').split(',')) {
    const name = part.trim();
    if (name === 'groups' || name === 'applicationRoles') wanted.add(name);
  }
  return wanted;
}

/** Reads a UserWriteBean; fields Jira would reject by type are 400s naming the field. */
function userChanges(body: unknown): UserChanges {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new JiraError(400, ['The request body must be a JSON object.']);
  }
  const fields = body as Record<string, unknown>;
  const changes: UserChanges = {};
  for (const field of ['name', 'emailAddress', 'displayName'] as const) {
    const value = fields[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string' || value.trim() === '') {
      throw JiraError.fieldError(400, field, `You must specify a valid ${field}.`);
    }
    changes[field] = value;
  }
  if (fields.active !== undefined && fields.active !== null) {
    if (typeof fields.active !== 'boolean')
      throw JiraError.fieldError(400, 'active', 'active must be true or false.');
    changes.active = fields.active;
  }
  return changes;
}

/** GET and PUT /rest/api/2/user. */
export function userRoutes(context: SimulatorContext): Router {
  const router = Router();

  router.get('/rest/api/2/user', (req, res) => {
    const index = userFromQuery(req, context.world.store);
    res.json(userBean(context, index, expansions(stringParam(req, 'expand'))));
  });

  router.put('/rest/api/2/user', (req, res) => {
    const store = context.world.store;
    const index = userFromQuery(req, store);
    const requested = userChanges(req.body);
    const changes: UserChanges = {};
    if (requested.name !== undefined && requested.name !== store.name(index)) changes.name = requested.name;
    if (requested.emailAddress !== undefined && requested.emailAddress !== store.emailAddress(index)) {
      changes.emailAddress = requested.emailAddress;
    }
    if (requested.displayName !== undefined && requested.displayName !== store.displayName(index)) {
      changes.displayName = requested.displayName;
    }
    if (requested.active !== undefined && requested.active !== store.isActive(index))
      changes.active = requested.active;

    context.changeFaults.admit(index, `updating ${store.name(index)}`);
    if (Object.keys(changes).length > 0 && store.directory(index).readOnly) {
      throw new JiraError(400, [READ_ONLY_MESSAGE]);
    }
    if (changes.name !== undefined) {
      const holder = store.indexOfName(changes.name);
      if (holder !== undefined && holder !== index) {
        throw JiraError.fieldError(400, 'name', 'A user with that username already exists.');
      }
    }
    store.update(index, changes);
    res.json(userBean(context, index));
  });

  return router;
}
