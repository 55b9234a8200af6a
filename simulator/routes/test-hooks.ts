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

  return router;
}
