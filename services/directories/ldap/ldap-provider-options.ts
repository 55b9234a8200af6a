import type { DirectorySourceConfig } from '../../../config/schema.js';
import type { LdapProviderOptions } from './ldap-directory-provider.js';

type LdapSourceConfig = Extract<DirectorySourceConfig, { type: 'ldap' }>;

/**
 * The provider's options from its configuration. The bind password is `bindPassword`, else
 * the environment variable `bindPasswordEnv` names (default LDAP_BIND_PASSWORD), so it need
 * not be written in the file.
 */
export function ldapProviderOptions(
  name: string,
  source: LdapSourceConfig,
  env: Record<string, string | undefined>,
): LdapProviderOptions {
  const fromEnv = env[source.bindPasswordEnv];
  return {
    name,
    url: source.url,
    bindDN: source.bindDN,
    bindPassword: source.bindPassword ?? (fromEnv === '' ? undefined : fromEnv),
    bindPasswordFrom: `the environment variable ${source.bindPasswordEnv}`,
    baseDN: source.baseDN,
    userFilter: source.userFilter,
    usernameAttribute: source.usernameAttribute,
    emailAttribute: source.emailAttribute,
    disabled: source.disabled,
    tls: source.tls,
    pageSize: source.pageSize,
    timeoutMs: source.timeoutMs,
    match: source.match,
    ...(source.matchAttribute !== undefined ? { matchAttribute: source.matchAttribute } : {}),
  };
}
