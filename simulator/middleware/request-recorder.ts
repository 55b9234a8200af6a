import type { RequestHandler } from 'express';
import type { RequestStats } from '../request-stats.js';

/** Counts each finished request by "METHOD /path" and status; a cut connection counts as "reset". */
export function requestRecorder(stats: RequestStats): RequestHandler {
  return (req, res, next) => {
    if (req.path.startsWith('/__sim/')) {
      next();
      return;
    }
    const route = `${req.method} ${req.path}`;
    let recorded = false;
    const record = (status: string) => {
      if (recorded) return;
      recorded = true;
      stats.record(route, status);
    };
    res.on('finish', () => record(String(res.statusCode)));
    res.on('close', () => record(res.writableFinished ? String(res.statusCode) : 'reset'));
    next();
  };
}
