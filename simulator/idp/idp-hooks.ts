import { createPublicKey } from 'node:crypto';
import { Router, type Response } from 'express';
import { fixtureScimUserSchema } from '../fixture-schema.js';
import type { SimulatorContext } from '../simulator-context.js';
import { IdpDirectory } from './idp-directory.js';
import { idpDirectory } from './idp-gate.js';
import { IDPS, type Idp } from './idp-faults.js';

/*
 * /__sim/idp/*: the test hooks of the simulated IdPs. Replace or change their accounts, make
 * one of them fail, rate-limit, cut or shorten its listing, issue short-lived tokens or revoke
 * them, and register the service account Google's token endpoint trusts.
 */

function bad(res: Response, message: string): void {
  res.status(400).json({ error: message });
}

const FAULT_KEYS = [
  'outage',
  'rateLimited',
  'cutAfterPages',
  'truncateAfterPages',
  'tokenLifetimeSec',
  'tokenOutage',
] as const;

export function idpHookRoutes(context: SimulatorContext): Router {
  const router = Router();

  // { users: [fixture externalDirectory users] }: the IdPs' accounts from now on.
  router.post('/__sim/idp/users', (req, res) => {
    const parsed = fixtureScimUserSchema.array().safeParse((req.body as { users?: unknown })?.users);
    if (!parsed.success) return bad(res, `users: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    context.world.idp = IdpDirectory.from(parsed.data);
    res.json({ users: context.world.idp.users.length });
  });

  // Adds or changes one account: { active, status, suspended, archived, email, attributes }.
  router.post('/__sim/idp/users/:login', (req, res) => {
    const parsed = fixtureScimUserSchema.partial().safeParse(req.body ?? {});
    if (!parsed.success) return bad(res, parsed.error.issues[0]?.message ?? 'invalid');
    const directory = idpDirectory(context);
    context.world.idp = directory;
    // Only what the body names changes: the schema's defaults (active) must not re-enable anyone.
    const named = new Set(Object.keys((req.body ?? {}) as object));
    const changes = Object.fromEntries(
      Object.entries(parsed.data).filter(([key]) => named.has(key) && key !== 'userName'),
    );
    res.json(directory.upsert({ ...changes, userName: req.params.login }));
  });

  // Partial: { outage, rateLimited, cutAfterPages, truncateAfterPages, tokenLifetimeSec, tokenOutage }.
  router.post('/__sim/idp/:idp/faults', (req, res) => {
    const idp = req.params.idp as Idp;
    if (!IDPS.includes(idp)) return bad(res, `unknown IdP ${req.params.idp} (${IDPS.join(', ')})`);
    const faults = context.idp.faults[idp];
    const body = (req.body ?? {}) as Record<string, unknown>;
    for (const key of Object.keys(body)) {
      if (!(FAULT_KEYS as readonly string[]).includes(key)) return bad(res, `unknown fault ${key}`);
    }
    if ('outage' in body)
      faults.outage = body.outage === 'timeout' ? 'timeout' : ((body.outage as number | null) ?? null);
    if ('rateLimited' in body) faults.rateLimited = Number(body.rateLimited ?? 0);
    if ('cutAfterPages' in body) faults.cutAfterPages = (body.cutAfterPages as number | null) ?? null;
    if ('truncateAfterPages' in body)
      faults.truncateAfterPages = (body.truncateAfterPages as number | null) ?? null;
    if ('tokenLifetimeSec' in body) faults.tokenLifetimeSec = Number(body.tokenLifetimeSec ?? 3600);
    if ('tokenOutage' in body) faults.tokenOutage = (body.tokenOutage as number | null) ?? null;
    if ('cutAfterPages' in body || 'truncateAfterPages' in body) faults.pagesServed = 0;
    res.json({ ok: true });
  });

  // Every token issued so far is refused from now on (401), as after a key rotation.
  router.post('/__sim/idp/:idp/revoke-tokens', (req, res) => {
    const idp = req.params.idp as Idp;
    if (!IDPS.includes(idp)) return bad(res, `unknown IdP ${req.params.idp}`);
    context.idp.faults[idp].revokeTokens();
    res.json({ ok: true });
  });

  // { clientEmail, publicKey }: the service account whose signed JWTs /google/token accepts.
  router.post('/__sim/idp/google/service-account', (req, res) => {
    const { clientEmail, publicKey } = (req.body ?? {}) as { clientEmail?: unknown; publicKey?: unknown };
    if (typeof clientEmail !== 'string' || typeof publicKey !== 'string')
      return bad(res, 'clientEmail and publicKey (PEM) are required');
    try {
      createPublicKey(publicKey);
    } catch {
      return bad(res, 'publicKey is not a PEM public key');
    }
    context.idp.googleServiceAccount = { clientEmail, publicKey };
    res.json({ ok: true });
  });

  return router;
}
