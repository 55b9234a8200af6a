import { DirectoryUnavailableError } from '../directory-unavailable-error.js';

/** A secret given in the configuration, or the name of the environment variable that holds it. */
export interface SecretSetting {
  value?: string;
  env?: string;
}

/**
 * The secret's value. Read when first needed rather than at start-up, so a variable that is
 * missing makes this source unknown for the run (with a message naming the variable and the
 * configuration key) instead of stopping the process.
 */
export function resolveSecret(
  source: string,
  setting: SecretSetting,
  key: string,
  env: Record<string, string | undefined> = process.env,
): string {
  if (setting.value !== undefined && setting.value !== '') return setting.value;
  if (setting.env !== undefined) {
    const value = env[setting.env];
    if (value !== undefined && value !== '') return value;
    throw new DirectoryUnavailableError(
      source,
      'config',
      `the environment variable ${setting.env} (${key}Env) is not set`,
    );
  }
  throw new DirectoryUnavailableError(source, 'config', `no ${key} is configured`);
}
