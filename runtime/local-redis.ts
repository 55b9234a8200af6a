import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/*
 * Redis for local use: the demo, `reclaim start` and the tests need a Redis. When none is
 * configured and none answers on the default port, start a throwaway one (no persistence,
 * temp dir) and stop it on exit.
 */

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export interface LocalRedis {
  url: string;
  /** True when this process started the server (and so must stop it). */
  started: boolean;
  stop(): Promise<void>;
}

export class RedisUnavailableError extends Error {
  constructor() {
    super(
      'No Redis is reachable on 127.0.0.1:6379 and there is no redis-server on PATH to start one.\n' +
        'Get one with: apt-get install redis-server | brew install redis | docker compose up -d redis,\n' +
        'or point Reclaim at yours with REDIS_URL=redis://host:6379.',
    );
    this.name = 'RedisUnavailableError';
  }
}

/** Answers PING within the time limit? */
export async function redisAnswers(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

/** Nothing listens on this port of 127.0.0.1. */
export async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * The Redis to use: REDIS_URL when set (never second-guessed), else 127.0.0.1:6379 when it
 * answers, else a throwaway redis-server.
 */
export async function ensureRedis(
  env: Record<string, string | undefined> = process.env,
): Promise<LocalRedis> {
  if (env.REDIS_URL) return { url: env.REDIS_URL, started: false, stop: async () => undefined };
  if (await redisAnswers('127.0.0.1', 6379)) {
    return { url: DEFAULT_REDIS_URL, started: false, stop: async () => undefined };
  }
  return startThrowawayRedis();
}

export async function startThrowawayRedis(): Promise<LocalRedis> {
  if (spawnSync('redis-server', ['--version']).error) throw new RedisUnavailableError();
  const dir = mkdtempSync(join(tmpdir(), 'reclaim-redis-'));
  const port = await freePort();
  const pidFile = join(dir, 'redis.pid');
  const args = [
    '--bind',
    '127.0.0.1',
    '--port',
    String(port),
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    '--pidfile',
    pidFile,
    '--logfile',
    join(dir, 'redis.log'),
    '--daemonize',
    'yes',
  ];
  const result = spawnSync('redis-server', args, { stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`redis-server did not start (exit ${result.status})`);
  const deadline = Date.now() + 10_000;
  while (!(await redisAnswers('127.0.0.1', port, 300))) {
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer within 10 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  const stop = async () => {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
    const until = Date.now() + 5_000;
    while (Date.now() < until && (await redisAnswers('127.0.0.1', port, 200))) {
      await new Promise((r) => setTimeout(r, 50));
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // A daemonized server outlives us unless we stop it; the caller owns stop(), and this is
  // the last resort for an exit that skipped it.
  process.once('exit', () => {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  });
  return { url: `redis://127.0.0.1:${port}`, started: true, stop };
}
