/*
 * The credentials of an HTTP(S) directory source: a Bearer token or Basic username + password,
 * each from the configuration or from the environment variable it names (`tokenEnv`,
 * `passwordEnv`), so the file can be shared without its secrets. The header is built here and
 * nowhere printed; a variable that is named but not set is a configuration problem the source
 * reports on every request (the source is then `unknown`, never absent).
 */

export interface CredentialConfig {
  token?: string | undefined;
  tokenEnv?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
  passwordEnv?: string | undefined;
}

export type SourceAuth = { header?: string; problem?: string };

export function sourceAuth(config: CredentialConfig, env: NodeJS.ProcessEnv = process.env): SourceAuth {
  const fromEnv = (name: string | undefined) => (name === undefined ? undefined : env[name] || undefined);
  if (config.tokenEnv !== undefined && fromEnv(config.tokenEnv) === undefined && config.token === undefined)
    return { problem: `the environment variable ${config.tokenEnv} (tokenEnv) is not set` };
  const token = config.token ?? fromEnv(config.tokenEnv);
  if (token !== undefined) return { header: `Bearer ${token}` };
  if (config.username === undefined) {
    if (config.password !== undefined || config.passwordEnv !== undefined)
      return { problem: 'a password is configured without a username' };
    return {};
  }
  const password = config.password ?? fromEnv(config.passwordEnv);
  if (password === undefined) {
    const where = config.passwordEnv
      ? `the environment variable ${config.passwordEnv} (passwordEnv) is not set`
      : 'no password';
    return { problem: `username ${config.username} is configured but ${where}` };
  }
  return { header: `Basic ${Buffer.from(`${config.username}:${password}`).toString('base64')}` };
}
