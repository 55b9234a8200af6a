import assert from 'node:assert/strict';
import { ConfigError, validateConfig } from '../../config/load.js';
import { createDirectoryProviders } from '../../services/directories/create-directory-providers.js';
import { EntraDirectoryProvider } from '../../services/directories/entra/entra-directory-provider.js';
import { GoogleDirectoryProvider } from '../../services/directories/google/google-directory-provider.js';
import { OktaDirectoryProvider } from '../../services/directories/okta/okta-directory-provider.js';

const OKTA = { type: 'okta', url: 'https://corp.okta.com', token: 't0ken' };
const ENTRA = { type: 'entra', tenantId: 'contoso', clientId: 'app', clientSecretEnv: 'ENTRA_SECRET' };
const GOOGLE = { type: 'google', subject: 'admin@corp.example', credentialsFile: '/etc/reclaim/google.json' };

function sources(...list: unknown[]) {
  return validateConfig({ directories: { sources: list } }).directories.sources;
}

function problems(source: unknown): string[] {
  try {
    sources(source);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('the configuration was accepted');
}

describe('configuration of the identity-provider sources (okta, entra, google)', () => {
  it('fills in every default', () => {
    const [okta, entra, google] = sources(OKTA, ENTRA, GOOGLE);
    assert.deepEqual(okta, { ...OKTA, match: 'username', pageSize: 200, timeoutMs: 30_000 });
    assert.deepEqual(entra, {
      ...ENTRA,
      graphUrl: 'https://graph.microsoft.com/v1.0',
      tokenScope: 'https://graph.microsoft.com/.default',
      match: 'username',
      pageSize: 999,
      timeoutMs: 30_000,
    });
    assert.deepEqual(google, {
      ...GOOGLE,
      customer: 'my_customer',
      url: 'https://admin.googleapis.com',
      match: 'username',
      pageSize: 500,
      timeoutMs: 30_000,
    });
  });

  it('makes one provider of each, named by type', () => {
    const providers = createDirectoryProviders(
      sources(OKTA, ENTRA, GOOGLE, { ...OKTA, name: 'okta-eu' }, OKTA),
    );
    assert.deepEqual(
      providers.map((p) => p.name),
      ['okta', 'entra', 'google', 'okta-eu', 'okta-2'],
    );
    assert.ok(providers[0] instanceof OktaDirectoryProvider);
    assert.ok(providers[1] instanceof EntraDirectoryProvider);
    assert.ok(providers[2] instanceof GoogleDirectoryProvider);
  });

  it('refuses a misspelt key, a missing or doubled secret, and attribute matching without an attribute', () => {
    assert.deepEqual(problems({ ...OKTA, pagesize: 10 }), ['directories.sources.0.pagesize: unknown key']);
    assert.deepEqual(problems({ type: 'okta', url: 'https://corp.okta.com' }), [
      'directories.sources.0.token: token or tokenEnv is required',
    ]);
    assert.deepEqual(problems({ ...OKTA, tokenEnv: 'OKTA_TOKEN' }), [
      'directories.sources.0.token: give token or tokenEnv, not both',
    ]);
    assert.deepEqual(problems({ ...ENTRA, match: 'attribute' }), [
      'directories.sources.0.matchAttribute: required with match: attribute',
    ]);
    assert.deepEqual(problems({ ...OKTA, pageSize: 500 }).length, 1);
    assert.deepEqual(problems({ type: 'google', subject: 'admin@corp.example' }), [
      'directories.sources.0.credentialsFile: credentialsFile, or clientEmail with privateKey or privateKeyEnv, is required',
    ]);
    assert.deepEqual(problems({ ...GOOGLE, match: 'attribute', matchAttribute: 'jiraUser' }), [
      'directories.sources.0.matchAttribute: expected a custom schema field as Schema.field',
    ]);
  });

  it('never echoes a secret in its messages', () => {
    const messages = [
      ...problems({ ...ENTRA, clientSecretEnv: undefined, clientSecret: 987654321 }),
      ...problems({ ...GOOGLE, clientEmail: 'x@y', privateKey: 123456789 }),
      ...problems({ ...OKTA, token: 555666777 }),
    ].join('\n');
    assert.match(messages, /clientSecret/);
    assert.match(messages, /privateKey/);
    for (const secret of ['987654321', '123456789', '555666777'])
      assert.ok(!messages.includes(secret), messages);
  });
});
