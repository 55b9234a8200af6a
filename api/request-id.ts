import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from '../runtime/logger.js';

declare module 'express-serve-static-core' {
  interface Request {
    requestId?: string;
  }
}

/** A caller's own id is kept when it is a plain token; anything else is replaced, never echoed. */
const ACCEPTED_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Every request gets an id (the caller's `X-Request-Id`, or a new one), sent back in the
 * response header, put in error bodies and in the one log line per request, so a user's
 * error message leads to the log entry.
 */
export function requestId(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && ACCEPTED_ID.test(given) ? given : randomUUID();
    req.requestId = id;
    res.setHeader('X-Request-Id', id);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      logger.info(
        {
          requestId: id,
          method: req.method,
          path: req.path,
          status: res.statusCode,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
          caller: req.caller?.name,
        },
        'request',
      );
    });
    next();
  };
}
