import { Router, type Response } from 'express';
import { sendJiraError } from '../jira-error.js';
import type { SimulatorContext } from '../simulator-context.js';

/*
 * /__sim/*: hooks for tests and demos, without authentication, never rate-limited or
 * faulted. They read and steer the simulated Jira from outside its REST API.
 */

export interface TestHookCallbacks {
  /** Called after the world is rebuilt, to restart the fault sequence and refill the rate limiter. */
  onReset(): void;
}

function userState(context: SimulatorContext, index: number) {
  const store = context.world.store;
  const lastLoginTime = store.lastLoginTime(index);
  return {
    name: store.name(index),
    key: store.key(index),
    active: store.isActive(index),
    directoryId: store.directory(index).id,
    groups: store.groupNamesOf(index),
    ...(lastLoginTime !== undefined ? { lastLoginTime } : {}),
    mutations: store.mutations(index),
  };
}

function unknownUser(res: Response, name: string): void {
  sendJiraError(res, 404, [`The user named '${name}' does not exist`]);
}

export function testHookRoutes(context: SimulatorContext, callbacks: TestHookCallbacks): Router {
  const router = Router();

  router.get('/__sim/stats', (_req, res) => {
    res.json({
      requests: {
        total: context.stats.total,
        byRoute: context.stats.byRoute,
        perSecond: context.stats.perSecond,
      },
      mutations: { total: context.world.store.totalMutations },
    });
  });

  // Every user as the simulated Jira holds it now, in load order.
  router.get('/__sim/state/users', (_req, res) => {
    const store = context.world.store;
    const users = [];
    for (let index = 0; index < store.size; index++) users.push(userState(context, index));
    res.json({ users });
  });

  // Every applied mutation after `afterSeq` (default: all), oldest first.
  router.get('/__sim/state/mutations', (req, res) => {
    const afterSeq = Number(req.query.afterSeq ?? 0);
    if (!Number.isInteger(afterSeq) || afterSeq < 0) {
      sendJiraError(res, 400, [], { afterSeq: 'afterSeq must be a whole number (0 or more)' });
      return;
    }
    res.json({ mutations: context.world.store.mutationLog(afterSeq) });
  });

  router.get('/__sim/state/users/:name/mutations', (req, res) => {
    const store = context.world.store;
    const index = store.indexOfName(req.params.name);
    if (index === undefined) return unknownUser(res, req.params.name);
    res.json({ name: store.name(index), key: store.key(index), mutations: store.mutationLogOf(index) });
  });

  router.get('/__sim/state/users/:name', (req, res) => {
    const index = context.world.store.indexOfName(req.params.name);
    if (index === undefined) return unknownUser(res, req.params.name);
    res.json(userState(context, index));
  });

  router.post('/__sim/users/:name/login', (req, res) => {
    const store = context.world.store;
    const index = store.indexOfName(req.params.name);
    if (index === undefined) return unknownUser(res, req.params.name);
    store.recordLogin(index, Date.now());
    res.json(userState(context, index));
  });

  // The user's change requests after the next `after` ones fail with `status`; null lifts it.
  router.post('/__sim/users/:name/fail-changes', (req, res) => {
    const store = context.world.store;
    const index = store.indexOfName(req.params.name);
    if (index === undefined) return unknownUser(res, req.params.name);
    const body = (req.body ?? {}) as { after?: unknown; status?: unknown };
    if (body.status === null) {
      context.changeFaults.clear(index);
      res.json({ failing: false });
      return;
    }
    const after = body.after ?? 0;
    if (typeof after !== 'number' || !Number.isInteger(after) || after < 0) {
      sendJiraError(res, 400, [], { after: 'after must be a whole number of changes (0 or more)' });
      return;
    }
    if (
      typeof body.status !== 'number' ||
      !Number.isInteger(body.status) ||
      body.status < 400 ||
      body.status > 599
    ) {
      sendJiraError(res, 400, [], { status: 'status must be an HTTP error status (400-599) or null' });
      return;
    }
    context.changeFaults.set(index, after, body.status);
    res.json({ failing: true, after, status: body.status });
  });

  // The licence changes: an application role gets another number of seats (-1: unlimited).
  router.post('/__sim/application-roles/:key/seats', (req, res) => {
    const role = context.world.store.roleOf(req.params.key);
    if (!role) {
      sendJiraError(res, 404, [`The application role with key '${req.params.key}' does not exist.`]);
      return;
    }
    const seats = (req.body as { numberOfSeats?: unknown } | undefined)?.numberOfSeats;
    if (typeof seats !== 'number' || !Number.isInteger(seats) || seats < -1) {
      sendJiraError(res, 400, [], {
        numberOfSeats: 'numberOfSeats must be a whole number, or -1 for unlimited',
      });
      return;
    }
    role.numberOfSeats = seats;
    const used = context.world.store.roleUserCount(role);
    res.json({
      key: role.key,
      numberOfSeats: seats,
      userCount: used,
      remainingSeats: seats === -1 ? -1 : seats - used,
    });
  });

  router.post('/__sim/reset', (_req, res) => {
    context.reset();
    callbacks.onReset();
    res.json({ ok: true, users: context.world.store.size });
  });

  router.post('/__sim/scim/outage', (req, res) => {
    const status = (req.body as { status?: unknown } | undefined)?.status;
    if (status === null || status === undefined) context.scimFaults.outage = null;
    else if (status === 'timeout') context.scimFaults.outage = 'timeout';
    else if (typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599) {
      context.scimFaults.outage = status;
    } else {
      sendJiraError(res, 400, [], {
        status: 'status must be an HTTP error status (400-599), "timeout" or null',
      });
      return;
    }
    res.json({ outage: context.scimFaults.outage });
  });

  router.post('/__sim/scim/hide', (req, res) => {
    const percent = (req.body as { percent?: unknown } | undefined)?.percent;
    if (typeof percent !== 'number' || percent < 0 || percent > 100) {
      sendJiraError(res, 400, [], { percent: 'percent must be a number from 0 to 100' });
      return;
    }
    context.scimFaults.hiddenPercent = percent;
    res.json({ hiddenPercent: percent });
  });

  // The IdP changes its mind about a user: enabled or disabled, added when it did not know them.
  router.post('/__sim/scim/users/:userName', (req, res) => {
    const scim = context.world.scim;
    if (!scim) {
      sendJiraError(res, 404, ['The simulator has no SCIM directory (the fixture has none of type scim).']);
      return;
    }
    const active = (req.body as { active?: unknown } | undefined)?.active;
    if (typeof active !== 'boolean') {
      sendJiraError(res, 400, [], { active: 'active must be true or false' });
      return;
    }
    const userName = req.params.userName;
    let index = scim.indexOfUserName(userName);
    if (index === undefined) {
      scim.add({ userName, active });
      index = scim.size - 1;
    } else scim.setActive(index, active);
    res.json({ userName: scim.userName(index), active: scim.isActive(index) });
  });

  router.post('/__sim/scim/unlist', (req, res) => {
    const userNames = (req.body as { userNames?: unknown } | undefined)?.userNames;
    if (!Array.isArray(userNames) || !userNames.every((name) => typeof name === 'string')) {
      sendJiraError(res, 400, [], { userNames: 'userNames must be a list of user names' });
      return;
    }
    context.scimFaults.unlisted = new Set(userNames.map((name: string) => name.toLowerCase()));
    res.json({ unlisted: [...context.scimFaults.unlisted] });
  });

  return router;
}
