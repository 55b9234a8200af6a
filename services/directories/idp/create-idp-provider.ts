import type { DirectorySourceConfig } from '../../../config/schema.js';
import type { DirectoryProvider } from '../directory-provider.js';
import { EntraDirectoryProvider } from '../entra/entra-directory-provider.js';
import { GoogleDirectoryProvider } from '../google/google-directory-provider.js';
import { OktaDirectoryProvider } from '../okta/okta-directory-provider.js';

type IdpSourceConfig = Extract<DirectorySourceConfig, { type: 'okta' | 'entra' | 'google' }>;

export interface IdpTuning {
  retries: number;
  retryDelayMs: number;
}

/** The provider of an identity-provider source (`okta`, `entra`, `google`), from its configuration. */
export function createIdpProvider(
  source: IdpSourceConfig,
  name: string,
  tuning: IdpTuning,
): DirectoryProvider {
  const common = {
    name,
    match: source.match,
    matchAttribute: source.matchAttribute,
    pageSize: source.pageSize,
    timeoutMs: source.timeoutMs,
    retries: tuning.retries,
    retryDelayMs: tuning.retryDelayMs,
  };
  switch (source.type) {
    case 'okta':
      return new OktaDirectoryProvider({
        ...common,
        url: source.url,
        token: { value: source.token, env: source.tokenEnv },
      });
    case 'entra':
      return new EntraDirectoryProvider({
        ...common,
        tenantId: source.tenantId,
        clientId: source.clientId,
        clientSecret: { value: source.clientSecret, env: source.clientSecretEnv },
        tokenUrl:
          source.tokenUrl ??
          `https://login.microsoftonline.com/${encodeURIComponent(source.tenantId)}/oauth2/v2.0/token`,
        scope: source.tokenScope,
        graphUrl: source.graphUrl,
      });
    case 'google':
      return new GoogleDirectoryProvider({
        ...common,
        subject: source.subject,
        customer: source.customer,
        url: source.url,
        credentialsFile: source.credentialsFile,
        clientEmail: source.clientEmail,
        privateKey: { value: source.privateKey, env: source.privateKeyEnv },
        tokenUrl: source.tokenUrl,
      });
  }
}
