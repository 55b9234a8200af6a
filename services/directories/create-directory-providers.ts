import type { DirectorySourceConfig } from '../../config/schema.js';
import type { DirectoryProvider } from './directory-provider.js';
import { LdapDirectoryProvider } from './ldap/ldap-directory-provider.js';
import { ldapProviderOptions } from './ldap/ldap-provider-options.js';
import { createIdpProvider } from './idp/create-idp-provider.js';
import type { RowCountBaseline } from './csv/row-count-baseline.js';
import { CsvDirectoryProvider } from './csv/csv-directory-provider.js';
import { HttpDirectoryProvider } from './http/http-directory-provider.js';
import { ScimDirectoryProvider } from './scim/scim-directory-provider.js';
import { sourceAuth } from './source-credentials.js';

export interface ProviderTuning {
  /** Retries of a failed request inside the client. @defaultValue 2 */
  retries?: number;
  /** The first retry's delay; each further retry waits twice as long. @defaultValue 1000 */
  retryDelayMs?: number;
  /**
   * Where a CSV source's row count is kept between runs, and the largest shrink believed
   * (`directories.maxAbsentPercent`); `record` for a run, not for a check. Without it a CSV
   * file is not compared with the last one.
   */
  rowCounts?: { baseline: RowCountBaseline; maxShrinkPercent: number; record: boolean };
  /** Where `tokenEnv` / `passwordEnv` are read. @defaultValue process.env */
  env?: NodeJS.ProcessEnv;
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
      case 'http':
        return new HttpDirectoryProvider({
          ...source,
          name,
          auth: sourceAuth(source, tuning.env),
          retries: tuning.retries ?? 2,
          retryDelayMs: tuning.retryDelayMs ?? 1000,
        });
      case 'csv':
        return new CsvDirectoryProvider({
          ...source,
          name,
          auth: sourceAuth(source, tuning.env),
          retries: tuning.retries ?? 2,
          retryDelayMs: tuning.retryDelayMs ?? 1000,
          ...(tuning.rowCounts ? { shrinkGuard: tuning.rowCounts } : {}),
        });
    }
  });
}
