import type { RequestHandler, Response } from 'express';
import type { SimulatorContext } from '../simulator-context.js';
import { IdpDirectory } from './idp-directory.js';
import type { Idp, IdpFaults } from './idp-faults.js';

/** Writes one IdP's error body for a status. */
export type IdpErrorWriter = (res: Response, status: number, message: string) => void;

/**
 * The injected faults of one IdP's API, after authentication: an outage (a status, or no
 * answer at all) and a run of 429s, each answered in the IdP's own error shape.
 */
export function idpGate(
  context: SimulatorContext,
  idp: Idp,
  writeError: IdpErrorWriter,
  rateLimitHeaders: (res: Response) => void,
): RequestHandler {
  return (_req, res, next) => {
    const faults = context.idp.faults[idp];
    if (faults.outage === 'timeout') return; // never answers: the client's time limit must end it
    if (faults.outage !== null)
      return writeError(res, faults.outage, `Injected outage: HTTP ${faults.outage}.`);
    if (faults.rateLimited > 0) {
      faults.rateLimited--;
      rateLimitHeaders(res);
      return writeError(res, 429, 'Too many requests.');
    }
    next();
  };
}

/** A listing page as the faults allow it: undefined when it was answered with a 500 already. */
export function listingPage(
  faults: IdpFaults,
  res: Response,
  writeError: IdpErrorWriter,
): 'serve' | 'last' | undefined {
  const verdict = faults.nextListingPage();
  if (verdict === 'cut') {
    writeError(res, 500, 'Injected failure of the listing.');
    return undefined;
  }
  return verdict;
}

const derived = new WeakMap<object, IdpDirectory>();

/** The IdPs' accounts: the fixture's, or a synthetic enterprise's SCIM directory, or none. */
export function idpDirectory(context: SimulatorContext): IdpDirectory {
  const world = context.world;
  if (world.idp) return world.idp;
  let directory = derived.get(world);
  if (!directory) {
    directory = world.scim ? IdpDirectory.fromScim(world.scim) : new IdpDirectory();
    derived.set(world, directory);
  }
  return directory;
}

/** The bearer token of a request, if any. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
}

/** Parses a cursor written by `String(index)`; a bad one is 0 (the first page). */
export function cursorIndex(text: string | undefined): number {
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : 0;
}

/** A `limit`-like parameter: a whole number within [1, max], else the fallback. */
export function pageSizeParam(text: string | undefined, fallback: number, max: number): number {
  if (text === undefined || !/^\d+$/.test(text)) return fallback;
  return Math.min(Math.max(1, Number(text)), max);
}
