import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/*
 * Structured JSON logs. Secrets are redacted by key wherever they appear, so a config object
 * or a request's headers can be logged without leaking a token.
 */
const REDACTED_PATHS = [
  'token',
  'password',
  'authorization',
  'loginWebhookSecret',
  'metricsToken',
  'sessionSecret',
  '*.metricsToken',
  '*.sessionSecret',
  '*.token',
  '*.password',
  '*.authorization',
  '*.loginWebhookSecret',
  '*.*.token',
  '*.*.password',
  '*.tokens[*].token',
  'headers.authorization',
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
