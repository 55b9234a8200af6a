import type { RequestHandler } from 'express';
import type { PendingTimers } from '../pending-timers.js';
import type { Random } from '../prng.js';

/** Delays each request by a random time in [0.5 L, 1.5 L], like a loaded server far away. */
export function latency(latencyMs: number, random: Random, timers: PendingTimers): RequestHandler {
  return (_req, _res, next) => {
    timers.after(latencyMs * (0.5 + random()), () => next());
  };
}
