import { randomBytes } from 'node:crypto';

/** The identity providers the simulator plays. */
export const IDPS = ['okta', 'entra', 'google'] as const;
export type Idp = (typeof IDPS)[number];

/*
 * How one simulated IdP misbehaves on request of a test (`/__sim/idp/:idp/faults`), and the
 * access tokens its token endpoint issued. Everything is cleared by `/__sim/reset`.
 */
export class IdpFaults {
  /** Every API request answers with this status, or never answers ('timeout'). */
  outage: number | 'timeout' | null = null;
  /** The next this many API requests answer 429, then the API recovers. */
  rateLimited = 0;
  /** Listing pages served normally; every later listing page answers 500. */
  cutAfterPages: number | null = null;
  /** Listing pages served normally; the last of them leaves out its next link (a silently short listing). */
  truncateAfterPages: number | null = null;
  /** Listing pages served so far (any listing, not the look-ups). */
  pagesServed = 0;
  /** Lifetime of the tokens issued from now on, in seconds. */
  tokenLifetimeSec = 3600;
  /** The token endpoint answers with this status (an outage of the sign-in service). */
  tokenOutage: number | null = null;
  private readonly tokens = new Map<string, number>();

  issueToken(now = Date.now()): { accessToken: string; expiresInSec: number } {
    const accessToken = randomBytes(24).toString('base64url');
    this.tokens.set(accessToken, now + this.tokenLifetimeSec * 1000);
    return { accessToken, expiresInSec: this.tokenLifetimeSec };
  }

  /** 'valid', 'expired' (issued, but past its lifetime) or 'unknown'. */
  checkToken(token: string | undefined, now = Date.now()): 'valid' | 'expired' | 'unknown' {
    const expires = token === undefined ? undefined : this.tokens.get(token);
    if (expires === undefined) return 'unknown';
    return now < expires ? 'valid' : 'expired';
  }

  revokeTokens(): void {
    this.tokens.clear();
  }

  /** Whether the next listing page is served (and counts it), 'cut' or 'last' by the faults. */
  nextListingPage(): 'serve' | 'cut' | 'last' {
    if (this.cutAfterPages !== null && this.pagesServed >= this.cutAfterPages) return 'cut';
    this.pagesServed++;
    if (this.truncateAfterPages !== null && this.pagesServed >= this.truncateAfterPages) return 'last';
    return 'serve';
  }
}

/** Each IdP's faults, and the service account Google's token endpoint trusts. */
export class IdpState {
  readonly faults: Record<Idp, IdpFaults> = {
    okta: new IdpFaults(),
    entra: new IdpFaults(),
    google: new IdpFaults(),
  };
  /** Registered by a test: the client e-mail and public key (PEM) of its service-account key pair. */
  googleServiceAccount: { clientEmail: string; publicKey: string } | undefined;

  reset(): void {
    for (const idp of IDPS) this.faults[idp] = new IdpFaults();
    this.googleServiceAccount = undefined;
  }
}
