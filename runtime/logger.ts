import { pino, type DestinationStream, type Logger } from 'pino';
import { SECRET_KEYS } from '../config/schema.js';

export type { Logger };

/*
 * Structured JSON logs. Secrets are redacted by key (the configuration's SECRET_KEYS) wherever
 * they appear, so a config object or a request's headers can be logged without leaking a token.
 */
const REDACTED_PATHS = [
  // Up to five levels deep, a list's index counting as one: `{ config }` reaches
  // config.directories.sources[0].token, and api.tokens[0].token is reached from the top.
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`, `*.*.*.*.${key}`]),
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'headers.cookie',
  'req.headers.cookie',
  'req.headers.authorization',
  // The identity providers' secrets, alone or inside a directory source.
  'clientSecret',
  'privateKey',
  '*.clientSecret',
  '*.privateKey',
  'sources[*].token',
  'sources[*].clientSecret',
  'sources[*].privateKey',
  'directories.sources[*].token',
  'directories.sources[*].clientSecret',
  'directories.sources[*].privateKey',
  // Jira's database URL may carry its password.
  'database.url',
  'jira.database.url',
  'config.jira.database.url',
  '*.*.database.password',
];

export function createLogger(
  name = 'reclaim',
  level = process.env.LOG_LEVEL ?? 'info',
  destination?: DestinationStream,
): Logger {
  const options = {
    name,
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}

/** A logger that writes nothing (tests, and the CLI's quiet commands). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
