import type { DirectorySourceConfig } from '../../config/schema.js';
import type { DirectoryProvider } from './directory-provider.js';
import { LdapDirectoryProvider } from './ldap/ldap-directory-provider.js';
import { ldapProviderOptions } from './ldap/ldap-provider-options.js';
import { createIdpProvider } from './idp/create-idp-provider.js';
import { ScimDirectoryProvider } from './scim/scim-directory-provider.js';

export interface ProviderTuning {
  /** Retries of a failed request inside the client. @defaultValue 2 */
  retries?: number;
  /** The first retry's delay; each further retry waits twice as long. @defaultValue 1000 */
  retryDelayMs?: number;
}

/**
 * A provider for each configured source. Each is named by its `name`, else its type; a
 * second source of the same name gets a number (`scim-2`), so facts and reasons tell the
 * sources apart.
 */
export function createDirectoryProviders(
  sources: readonly DirectorySourceConfig[],
  tuning: ProviderTuning = {},
): DirectoryProvider[] {
  const taken = new Set<string>();
  return sources.map((source) => {
    const base = source.name ?? source.type;
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
    taken.add(name);
    switch (source.type) {
      case 'scim':
        return new ScimDirectoryProvider({
          name,
          url: source.url,
          token: source.token,
          pageSize: source.pageSize,
          timeoutMs: source.timeoutMs,
          retries: tuning.retries ?? 2,
          retryDelayMs: tuning.retryDelayMs ?? 1000,
          match: source.match,
          ...(source.matchAttribute !== undefined ? { matchAttribute: source.matchAttribute } : {}),
        });
      case 'ldap':
        return new LdapDirectoryProvider(ldapProviderOptions(name, source, process.env));
      case 'okta':
      case 'entra':
      case 'google':
        return createIdpProvider(source, name, {
          retries: tuning.retries ?? 2,
          retryDelayMs: tuning.retryDelayMs ?? 1000,
        });
    }
  });
}
