import type { IdpHttpOptions } from './idp-http.js';
import type { MatchSetting } from './match-setting.js';

/** What every identity-provider source (Okta, Entra ID, Google) is given besides its own API's settings. */
export interface IdpProviderOptions extends MatchSetting {
  name: string;
  timeoutMs: number;
  retries: number;
  retryDelayMs: number;
  /** Look-ups in flight at once. @defaultValue 4 */
  lookupConcurrency?: number;
  /** The longest rate-limit wait accepted. @defaultValue 60000 */
  maxRateLimitWaitMs?: number;
}

/** The provider's settings for its IdpHttp; the source's name names it in error messages. */
export function idpHttpOptionsOf(
  options: IdpProviderOptions,
): Pick<IdpHttpOptions, 'source' | 'timeoutMs' | 'retries' | 'retryDelayMs' | 'maxRateLimitWaitMs'> {
  return {
    source: options.name,
    timeoutMs: options.timeoutMs,
    retries: options.retries,
    retryDelayMs: options.retryDelayMs,
    maxRateLimitWaitMs: options.maxRateLimitWaitMs,
  };
}
