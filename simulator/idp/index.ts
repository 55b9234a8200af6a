import { Router } from 'express';
import type { SimulatorContext } from '../simulator-context.js';
import { entraRoutes } from './entra.js';
import { googleRoutes } from './google.js';
import { idpHookRoutes } from './idp-hooks.js';
import { oktaRoutes } from './okta.js';

export { IdpDirectory, type IdpUser } from './idp-directory.js';
export { IdpState } from './idp-faults.js';

/** The simulated identity providers under /okta, /entra and /google, and their hooks under /__sim/idp. */
export function idpRoutes(context: SimulatorContext): Router {
  const router = Router();
  router.use(idpHookRoutes(context));
  router.use(oktaRoutes(context));
  router.use(entraRoutes(context));
  router.use(googleRoutes(context));
  return router;
}
