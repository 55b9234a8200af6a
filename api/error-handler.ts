import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import type { Logger } from '../runtime/logger.js';
import { HttpError } from './http-error.js';

/** Bad input is a 400 naming the field; only a fault of ours is a 500, and it is logged. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    if (error instanceof HttpError) {
      res
        .status(error.status)
        .json({ error: { code: error.code, message: error.message, details: error.details } });
      return;
    }
    if (error instanceof ZodError) {
      const issues = error.issues.map((issue) => ({
        field: issue.path.join('.') || '(body)',
        message: issue.message.replace(/^Invalid input: /, ''),
      }));
      const first = issues[0]!;
      res.status(400).json({
        error: { code: 'bad_request', message: `${first.field}: ${first.message}`, details: issues },
      });
      return;
    }
    const status = (error as { status?: number; type?: string }).status;
    if (status && status >= 400 && status < 500) {
      // express.json(): malformed JSON, a body too large, a wrong charset …
      const message = error instanceof Error ? error.message : 'bad request';
      res.status(status).json({ error: { code: 'bad_request', message: `body: ${message}` } });
      return;
    }
    logger.error(
      { err: error instanceof Error ? error.stack : String(error), path: req.path },
      'request failed',
    );
    res.status(500).json({ error: { code: 'internal', message: 'internal error; see the API log' } });
  };
}

export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).json({ error: { code: 'not_found', message: `no route ${req.method} ${req.path}` } });
};
