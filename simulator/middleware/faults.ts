import type { RequestHandler, Response } from 'express';
import { sendJiraError } from '../jira-error.js';
import type { PendingTimers } from '../pending-timers.js';
import type { Random } from '../prng.js';

export const SLOW_RESPONSE_MS = 3000;

type Fault = 500 | 502 | 503 | 'reset' | 'slow';
const FAULTS: readonly Fault[] = [500, 502, 503, 'reset', 'slow'];
const MUTATING_METHODS = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);

export interface FaultInjector {
  handler: RequestHandler;
  /** Starts the fault sequence over, so a reset simulator fails the same way again. */
  restart(): void;
}

/**
 * Fails a fraction of requests the way networks and overloaded Jiras do. For changes, every
 * second injected 5xx or reset happens after Jira applied the change: the client sees a
 * failure although the change is done, which is what idempotent retries must survive.
 */
export function faultInjector(
  faultRate: number,
  makeRandom: () => Random,
  timers: PendingTimers,
): FaultInjector {
  let random = makeRandom();
  let lostResponses = 0;

  const handler: RequestHandler = (req, res, next) => {
    if (random() >= faultRate) {
      next();
      return;
    }
    const fault = FAULTS[Math.floor(random() * FAULTS.length)] as Fault;
    if (fault === 'slow') {
      timers.after(SLOW_RESPONSE_MS, () => next());
      return;
    }
    const afterChange = MUTATING_METHODS.has(req.method) && lostResponses++ % 2 === 1;
    if (afterChange) {
      replaceResponse(res, fault);
      next();
      return;
    }
    if (fault === 'reset') {
      req.socket.destroy();
      return;
    }
    sendJiraError(res, fault, [`Injected fault: HTTP ${fault}.`]);
  };

  return {
    handler,
    restart() {
      random = makeRandom();
      lostResponses = 0;
    },
  };
}

/** Lets the handler apply its change, then loses its answer. */
function replaceResponse(res: Response, fault: Exclude<Fault, 'slow'>): void {
  const end = res.end.bind(res);
  res.end = ((..._ignored: unknown[]) => {
    if (fault === 'reset') {
      res.socket?.destroy();
      return res;
    }
    res.statusCode = fault;
    res.removeHeader('Content-Length');
    res.removeHeader('ETag');
    res.setHeader('Content-Type', 'application/json;charset=UTF-8');
    return end(JSON.stringify({ errorMessages: [`Injected fault: HTTP ${fault}.`], errors: {} }));
  }) as Response['end'];
}
