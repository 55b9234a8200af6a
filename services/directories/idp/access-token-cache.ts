import type { Authorizer } from './idp-http.js';

/** An access token as a token endpoint issued it. */
export interface IssuedToken {
  accessToken: string;
  /** Lifetime in seconds (`expires_in`). */
  expiresInSec: number;
}

/** Renewed this long before it expires at most: a request must not leave with a dying token. */
const MAX_MARGIN_MS = 60_000;

/*
 * One OAuth access token per source, shared by its concurrent requests: fetched on first use,
 * kept until shortly before it expires (a tenth of its lifetime, at most a minute), and
 * renewed when the API refuses it with 401 — once per refused token, however many requests
 * were refused with it at the same time.
 */
export class AccessTokenCache implements Authorizer {
  private current: { header: string; renewAt: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(
    private readonly fetchToken: () => Promise<IssuedToken>,
    private readonly now: () => number = Date.now,
  ) {}

  async header(): Promise<string> {
    if (this.current && this.now() < this.current.renewAt) return this.current.header;
    this.pending ??= this.fetchNew().finally(() => (this.pending = undefined));
    return this.pending;
  }

  renew(refused: string): void {
    if (this.current?.header === refused) this.current = undefined;
  }

  /** The current token, for redaction; undefined before the first. */
  get token(): string | undefined {
    return this.current?.header.replace(/^Bearer /, '');
  }

  private async fetchNew(): Promise<string> {
    const started = this.now();
    const issued = await this.fetchToken();
    const lifetimeMs = Math.max(0, issued.expiresInSec * 1000);
    const margin = Math.min(MAX_MARGIN_MS, lifetimeMs / 10);
    const header = `Bearer ${issued.accessToken}`;
    this.current = { header, renewAt: started + lifetimeMs - margin };
    return header;
  }
}
