import express, { Router } from 'express';
import { z } from 'zod';
import { printableText } from '../printable-text.js';
import type { App } from '../../runtime/app.js';
import { noteReportedLogin } from '../../services/restore/note-login.js';
import { SIGNATURE_HEADER, verifyLoginSignature } from '../../services/restore/login-signature.js';
import { isoInstantString } from '../../services/time/iso-instant.js';
import { loginDeps } from '../../workers/restore.js';
import { HttpError } from '../http-error.js';
import { mountRoute, type ApiRoute } from '../route-registry.js';

/** `POST /api/events/login`: who logged in (by username or key) and when. */
const printable = () =>
  z.string().min(1).max(255).refine(printableText, { error: 'expected no control characters' });

export const loginEventBody = z
  .strictObject({
    username: printable().optional(),
    key: printable().optional(),
    at: isoInstantString({ notInFuture: true }),
  })
  .refine((body) => body.username !== undefined || body.key !== undefined, {
    error: 'expected username or key',
    path: ['username'],
  });

export const EVENTS_ROUTES = {
  login: {
    method: 'post',
    path: '/events/login',
    summary:
      'A login reported by an SSO, IdP or log shipper, signed with api.loginWebhookSecret ' +
      '(X-Reclaim-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">): ' +
      'a reclaimed user gets back what was taken',
    role: null,
    body: loginEventBody,
    responses: {
      202: { description: '`{queued: "restore" | "grant" | null, requestId?, reason?}`' },
      401: {
        description:
          'Wrong signature, a timestamp more than 5 minutes from now, or a signature accepted before: nothing queued',
      },
      404: { description: 'The login webhook is off (api.loginWebhookSecret is not set)' },
    },
  },
} satisfies Record<string, ApiRoute>;

const RAW_LIMIT = '64kb';

/**
 * Login events. Mounted before the API's JSON parser: the signature is over the raw body, so
 * the bytes are checked before anything reads them as JSON.
 */
export function eventsRouter(app: App): Router {
  const router = Router();
  mountRoute(
    router,
    EVENTS_ROUTES.login,
    express.raw({ type: () => true, limit: RAW_LIMIT }),
    async (req, res) => {
      const secret = app.config.api.loginWebhookSecret;
      if (secret === null)
        throw new HttpError(404, 'not_found', 'the login webhook is off: set api.loginWebhookSecret');
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const verdict = await verifyLoginSignature(
        app.redis,
        app.prefix,
        secret,
        req.get(SIGNATURE_HEADER),
        raw,
      );
      if (!verdict.ok) throw new HttpError(401, 'unauthorized', `login event refused: ${verdict.reason}`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw.toString('utf8'));
      } catch {
        throw HttpError.badRequest('body', 'expected a JSON object {username | key, at}');
      }
      const body = loginEventBody.parse(parsed);
      const outcome = await noteReportedLogin(loginDeps(app), {
        user: body.key !== undefined ? { key: body.key } : { name: body.username! },
        at: new Date(body.at),
        trigger: 'webhook',
        actor: 'login-webhook',
      });
      res.status(202).json(outcome);
    },
  );
  return router;
}
