import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestHandler } from 'express';

/**
 * Where the request being handled comes from, for the listeners of the mutation log: an
 * in-process test can tell which client (by its TCP port) made a change, e.g. to kill exactly
 * that process between Jira's change and its answer.
 */
export interface RequestOrigin {
  /** The client's own port of the connection. */
  remotePort: number | undefined;
}

export const requestOrigin = new AsyncLocalStorage<RequestOrigin>();

/** Keeps the request's origin for everything its handling does, latency timers included. */
export function keepRequestOrigin(): RequestHandler {
  return (req, _res, next) => requestOrigin.run({ remotePort: req.socket.remotePort }, next);
}
