import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { configSchema, SECRET_KEYS, type ReclaimConfig } from './schema.js';

/** Every problem in a configuration, each named by its path. */
export class ConfigError extends Error {
  constructor(
    readonly problems: string[],
    readonly source: string,
  ) {
    super(`${source}: ${problems.length} problem(s) in the configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Environment variables that override a key of the file (secrets and endpoints). */
const ENV_OVERRIDES: Array<[string, string[], (v: string) => unknown]> = [
  ['REDIS_URL', ['redis', 'url'], String],
  ['REDIS_PREFIX', ['redis', 'prefix'], String],
  ['REDIS_CLUSTER', ['redis', 'cluster'], clusterNodes],
  ['RECORDS_URL', ['records', 'url'], String],
  ['JIRA_URL', ['jira', 'url'], String],
  ['JIRA_TOKEN', ['jira', 'token'], String],
  ['JIRA_USER', ['jira', 'username'], String],
  ['JIRA_PASSWORD', ['jira', 'password'], String],
  ['JIRA_CROWD_APPLICATION', ['jira', 'crowd', 'application'], String],
  ['JIRA_CROWD_PASSWORD', ['jira', 'crowd', 'password'], String],
  ['JIRA_DATABASE_URL', ['jira', 'database', 'url'], String],
  ['JIRA_DATABASE_PASSWORD', ['jira', 'database', 'password'], String],
  ['SMTP_URL', ['notify', 'smtpUrl'], String],
  ['API_PORT', ['api', 'port'], (v) => (/^\d+$/.test(v) ? Number(v) : v)],
  ['API_HOST', ['api', 'host'], String],
];

/**
 * REDIS_CLUSTER=host:port,host:port → [{host, port}]; a malformed entry is passed on as it is
 * read, so the schema reports it under its path (redis.cluster.N.port).
 */
function clusterNodes(value: string): unknown {
  return value.split(',').map((entry) => {
    const at = entry.trim().lastIndexOf(':');
    if (at < 0) return { host: entry.trim() };
    const port = entry.trim().slice(at + 1);
    return { host: entry.trim().slice(0, at), port: /^\d+$/.test(port) ? Number(port) : port };
  });
}

export interface LoadOptions {
  /** A YAML file; when absent, RECLAIM_CONFIG, else defaults only. */
  file?: string;
  env?: Env;
  /** Values set by the program itself (the demo, tests), applied after the environment. */
  overrides?: Record<string, unknown>;
}

export function loadConfig(options: LoadOptions = {}): Readonly<ReclaimConfig> {
  const env = options.env ?? process.env;
  const file = options.file ?? env.RECLAIM_CONFIG;
  const raw = file ? readYaml(file) : {};
  for (const [variable, path, convert] of ENV_OVERRIDES) {
    const value = env[variable];
    if (value !== undefined && value !== '') setPath(raw, path, convert(value));
  }
  const merged = options.overrides ? deepMerge(raw, options.overrides) : raw;
  return validateConfig(merged, file ?? 'configuration');
}

/** Validates a parsed configuration; throws a ConfigError listing every problem. */
export function validateConfig(raw: unknown, source = 'configuration'): Readonly<ReclaimConfig> {
  const result = configSchema.safeParse(raw, { reportInput: true });
  if (!result.success) throw new ConfigError(result.error.issues.flatMap(describeIssue), source);
  return deepFreeze(result.data);
}

function readYaml(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError([`cannot read the file (${(error as NodeJS.ErrnoException).code ?? error})`], file);
  }
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => `YAML syntax, line ${e.linePos?.[0].line ?? '?'}: ${e.message.split('\n')[0]}`),
      file,
    );
  }
  const value = doc.toJS() ?? {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(['the file must hold a mapping of keys (redis, jira, policy, …)'], file);
  }
  return value as Record<string, unknown>;
}

function describeIssue(issue: z.core.$ZodIssue): string[] {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const where = path.length ? `${path.join('.')}.` : '';
    return issue.keys.map((key) => `${where}${key}: unknown key`);
  }
  const where = path.length ? path.join('.') : '(top level)';
  const message = issue.message.replace(/^Invalid input: /, '');
  const secret = path.some((segment) => SECRET_KEYS.includes(segment));
  const input = (issue as { input?: unknown }).input;
  if (secret || input === undefined || typeof input === 'object') {
    return [`${where}: ${message}${input === undefined ? ' (missing)' : ''}`];
  }
  return [`${where}: ${message}, got ${JSON.stringify(redactUrl(input))}`];
}

/** A URL may carry a password (redis://:secret@host, ?api_key=…): never echo it. */
function redactUrl(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return value
    .replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/\s]*@/i, '$1***@')
    .replace(/([?&][^=&#\s]*(?:key|token|secret|password|passwd|sig|auth)[^=&#\s]*=)[^&#\s]*/gi, '$1***');
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

/** `extra` laid over `base`, objects merged key by key (lists and values replaced). */
export function deepMerge(
  base: Record<string, unknown>,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = out[key];
    out[key] =
      isPlainObject(value) && isPlainObject(current)
        ? deepMerge(current, value)
        : (value as Record<string, unknown>);
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
