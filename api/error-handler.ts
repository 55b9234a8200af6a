import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { ZodError } from 'zod';
import type { Logger } from '../runtime/logger.js';
import { NulCharacterError } from '../services/records/records-db.js';
import { HttpError } from './http-error.js';
import { pathMatcher, type ApiRoute } from './route-registry.js';

interface ErrorBody {
  code: string;
  message: string;
  details?: unknown;
}

/** The one error envelope: `{error: {code, message, details?, requestId}}`. */
export function sendError(req: Request, res: Response, status: number, error: ErrorBody): void {
  res.status(status).json({ error: { ...error, requestId: req.requestId } });
}

/** body-parser's error types that are the caller's fault, with the status and code they get. */
const BODY_ERRORS: Record<string, { status: number; code: string }> = {
  'entity.too.large': { status: 413, code: 'payload_too_large' },
  'entity.parse.failed': { status: 400, code: 'bad_request' },
  'charset.unsupported': { status: 415, code: 'unsupported_media_type' },
  'encoding.unsupported': { status: 415, code: 'unsupported_media_type' },
  'entity.verify.failed': { status: 400, code: 'bad_request' },
  'request.aborted': { status: 400, code: 'bad_request' },
  'request.size.invalid': { status: 400, code: 'bad_request' },
  'stream.encoding.set': { status: 400, code: 'bad_request' },
  'parameters.too.many': { status: 413, code: 'payload_too_large' },
};

/**
 * Bad input is a 4xx naming the field; only a fault of ours is a 500, and it is logged. An error
 * that `unavailable` recognises (Redis unreachable) is answered by it instead (a 503).
 */
export function errorHandler(
  logger: Logger,
  unavailable?: { test(error: unknown): boolean; send(req: Request, res: Response): void },
): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    if (res.headersSent) {
      // A stream (CSV) broke midway: the status is sent, so end the response and log it.
      logger.error(
        { requestId: req.requestId, err: String(error), path: req.path },
        'response failed midway',
      );
      res.destroy();
      return;
    }
    if (error instanceof HttpError) {
      sendError(req, res, error.status, { code: error.code, message: error.message, details: error.details });
      return;
    }
    if (error instanceof NulCharacterError) {
      sendError(req, res, 400, { code: 'bad_request', message: error.message });
      return;
    }
    if (error instanceof ZodError) {
      const issues = error.issues.map((issue) => ({
        field: issue.path.join('.') || '(body)',
        message: issue.message.replace(/^Invalid input: /, ''),
      }));
      const first = issues[0]!;
      sendError(req, res, 400, {
        code: 'bad_request',
        message: `${first.field}: ${first.message}`,
        details: issues,
      });
      return;
    }
    const { status, type } = error as { status?: number; type?: string };
    const known = type === undefined ? undefined : BODY_ERRORS[type];
    if (known || (status && status >= 400 && status < 500)) {
      // express.json(): malformed JSON, a body too large, a wrong charset … The message is
      // body-parser's one line, never a stack.
      const message = error instanceof Error ? error.message.split('\n', 1)[0] : 'bad request';
      sendError(req, res, known?.status ?? status!, {
        code: known?.code ?? 'bad_request',
        message: `body: ${message}`,
      });
      return;
    }
    if (unavailable?.test(error)) {
      logger.warn(
        {
          requestId: req.requestId,
          err: error instanceof Error ? error.message : String(error),
          path: req.path,
        },
        'request failed: Redis unavailable',
      );
      unavailable.send(req, res);
      return;
    }
    logger.error(
      { requestId: req.requestId, err: error instanceof Error ? error.stack : String(error), path: req.path },
      'request failed',
    );
    sendError(req, res, 500, { code: 'internal', message: 'internal error; see the API log' });
  };
}

export const notFoundHandler: RequestHandler = (req, res) => {
  sendError(req, res, 404, { code: 'not_found', message: `no route ${req.method} ${safePath(req.path)}` });
};

/**
 * 405 with `Allow` for a path that is a known route, asked with another method; passes on
 * to the 404 otherwise. Mounted after the routers, so it only sees what none of them took.
 */
export function methodNotAllowed(routes: () => readonly ApiRoute[]): RequestHandler {
  let compiled: Array<{ matcher: RegExp; method: string }> | undefined;
  return (req, res, next) => {
    compiled ??= routes().map((r) => ({ matcher: pathMatcher(r.path), method: r.method.toUpperCase() }));
    const allowed = [...new Set(compiled.filter((r) => r.matcher.test(req.path)).map((r) => r.method))];
    if (allowed.length === 0) {
      next();
      return;
    }
    if (allowed.includes('GET')) allowed.push('HEAD');
    res.setHeader('Allow', allowed.join(', '));
    sendError(req, res, 405, {
      code: 'method_not_allowed',
      message: `${req.method} is not allowed on ${safePath(req.path)} (allowed: ${allowed.join(', ')})`,
    });
  };
}

/** A path as echoed in a message: bounded, so a huge or hostile path is not sent back whole. */
function safePath(path: string): string {
  return path.length > 200 ? `${path.slice(0, 200)}…` : path;
}
