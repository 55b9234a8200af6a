import type { RequestHandler } from 'express';
import type { RequestStats } from '../request-stats.js';

/**
 * Counts each finished request by "METHOD /path" and status (a cut connection counts as
 * "reset"), and by the second it arrived in.
 */
export function requestRecorder(stats: RequestStats): RequestHandler {
  return (req, res, next) => {
    if (req.path.startsWith('/__sim/')) {
      next();
      return;
    }
    const route = `${req.method} ${req.path}`;
    const arrivedAt = Date.now();
    let recorded = false;
    const record = (status: string) => {
      if (recorded) return;
      recorded = true;
      stats.record(route, status, arrivedAt);
    };
    res.on('finish', () => record(String(res.statusCode)));
    res.on('close', () => record(res.writableFinished ? String(res.statusCode) : 'reset'));
    next();
  };
}
