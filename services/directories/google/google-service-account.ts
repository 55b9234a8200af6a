import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DirectoryUnavailableError } from '../directory-unavailable-error.js';
import { resolveSecret, type SecretSetting } from '../idp/secret.js';

/*
 * A Google service account acting for a Workspace administrator (domain-wide delegation): a
 * JWT signed with the account's RSA key (RS256) is exchanged at the token endpoint for an
 * access token (RFC 7523). The key comes from the JSON key file Google hands out, or from the
 * configuration (or the environment) with the account's e-mail.
 */

export interface ServiceAccountSetting {
  /** The JSON key file (`client_email`, `private_key`, `token_uri`). */
  credentialsFile?: string;
  clientEmail?: string;
  privateKey?: SecretSetting;
  /** Overrides the key file's `token_uri`. */
  tokenUrl?: string;
}

export interface ServiceAccount {
  clientEmail: string;
  privateKey: KeyObject;
  keyId?: string;
  tokenUrl: string;
}

export const DEFAULT_GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
export const DIRECTORY_READONLY_SCOPE = 'https://www.googleapis.com/auth/admin.directory.user.readonly';
/** A JWT assertion lives for an hour at most (Google's limit). */
const ASSERTION_LIFETIME_SEC = 3600;

function configError(source: string, detail: string): DirectoryUnavailableError {
  return new DirectoryUnavailableError(source, 'config', detail);
}

function readKeyFile(source: string, file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw configError(
      source,
      `cannot read credentialsFile ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // The message below; the file's text is never quoted (it holds the key).
  }
  throw configError(source, `credentialsFile ${file} is not a JSON service-account key`);
}

/** Loads the account once, when first needed; every problem names the key, never its value. */
export function loadServiceAccount(source: string, setting: ServiceAccountSetting): ServiceAccount {
  const file = setting.credentialsFile ? readKeyFile(source, setting.credentialsFile) : {};
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const clientEmail = setting.clientEmail ?? text(file.client_email);
  if (clientEmail === undefined)
    throw configError(source, 'no service-account e-mail (clientEmail, or client_email of credentialsFile)');
  const inlineKey =
    setting.privateKey && (setting.privateKey.value !== undefined || setting.privateKey.env !== undefined)
      ? resolveSecret(source, setting.privateKey, 'privateKey')
      : undefined;
  const pem = inlineKey ?? text(file.private_key);
  if (pem === undefined)
    throw configError(
      source,
      'no private key (privateKey, privateKeyEnv, or private_key of credentialsFile)',
    );
  let privateKey: KeyObject;
  try {
    // A key pasted into an environment variable often keeps its newlines as "\n".
    privateKey = createPrivateKey(pem.includes('-----BEGIN') ? pem.replaceAll('\\n', '\n') : pem);
  } catch {
    throw configError(source, 'the private key cannot be read (expected a PEM RSA private key)');
  }
  if (privateKey.asymmetricKeyType !== 'rsa') throw configError(source, 'the private key is not an RSA key');
  return {
    clientEmail,
    privateKey,
    keyId: text(file.private_key_id),
    tokenUrl: setting.tokenUrl ?? text(file.token_uri) ?? DEFAULT_GOOGLE_TOKEN_URL,
  };
}

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

/** The signed assertion: `iss` the account, `sub` the administrator it acts for, `aud` the token endpoint. */
export function signAssertion(
  account: ServiceAccount,
  subject: string,
  scope: string,
  nowMs = Date.now(),
): string {
  const iat = Math.floor(nowMs / 1000);
  const header = { alg: 'RS256', typ: 'JWT', ...(account.keyId ? { kid: account.keyId } : {}) };
  const claims = {
    iss: account.clientEmail,
    sub: subject,
    scope,
    aud: account.tokenUrl,
    iat,
    exp: iat + ASSERTION_LIFETIME_SEC,
  };
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = sign('sha256', Buffer.from(input), account.privateKey);
  return `${input}.${base64url(signature)}`;
}
