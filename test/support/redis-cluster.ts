import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, redisAnswers } from '../../runtime/local-redis.js';

/*
 * A real Redis Cluster on loopback for one test file: `masters` masters with `replicas` replicas
 * each, every server daemonized in a temp dir of its own (no persistence), created with
 * `redis-cli --cluster create`. stop() kills every server by its pid and removes the dir.
 */

export interface ClusterServer {
  port: number;
  pid: number;
}

export interface RunningCluster {
  nodes: Array<{ host: string; port: number }>;
  servers: ClusterServer[];
  /** The server that is master of a slot now. */
  masterOf(slot: number): Promise<ClusterServer>;
  /** The servers that are masters now. */
  masters(): Promise<ClusterServer[]>;
  /** SIGKILLs one server (as a machine that dies), and waits for the cluster to be whole again. */
  killAndFailOver(server: ClusterServer, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Skips the calling suite when redis-server is not installed; on CI (CI set) that is a failure. */
export function requireRedisServer(context: Mocha.Context): void {
  if (!spawnSync('redis-server', ['--version']).error && !spawnSync('redis-cli', ['--version']).error) return;
  const message = 'redis-server / redis-cli are not installed: apt-get install redis-server';
  const ci = process.env.CI?.trim().toLowerCase();
  if (ci !== undefined && ci !== '' && ci !== '0' && ci !== 'false') {
    throw new Error(`${message}; CI must run the Redis Cluster tests`);
  }
  console.warn(`      skipped: ${message}`);
  context.skip();
}

export async function startRedisCluster(masters = 3, replicas = 1): Promise<RunningCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'reclaim-cluster-'));
  const servers: ClusterServer[] = [];
  const stop = async () => {
    for (const server of servers) kill(server.pid);
    for (const server of servers) await untilSilent(server.port);
    rmSync(dir, { recursive: true, force: true });
  };
  // The last resort for an exit that skipped stop(): daemonized servers outlive us otherwise.
  const onExit = () => servers.forEach((server) => kill(server.pid));
  process.once('exit', onExit);
  try {
    for (let i = 0; i < masters * (1 + replicas); i++) servers.push(await startNode(dir, i));
    const addresses = servers.map((server) => `127.0.0.1:${server.port}`);
    const created = spawnSync(
      'redis-cli',
      ['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicas), '--cluster-yes'],
      { encoding: 'utf8', timeout: 30_000 },
    );
    if (created.status !== 0)
      throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
    await untilWhole(servers, masters, replicas, 30_000);
  } catch (error) {
    await stop();
    process.off('exit', onExit);
    throw error;
  }
  // Killed servers, by port: a killed daemon may linger as a zombie nobody reaps.
  const killed = new Set<number>();
  const alive = () => servers.filter((server) => !killed.has(server.port));
  return {
    nodes: servers.map((server) => ({ host: '127.0.0.1', port: server.port })),
    servers,
    async masterOf(slot) {
      for (const server of alive()) {
        const shards = (await ask(server.port, (redis) => redis.cluster('SLOTS'))) as unknown as Array<
          [number, number, [string, number]]
        >;
        const owner = shards.find(([from, to]) => slot >= from && slot <= to);
        const found = owner && servers.find((s) => s.port === owner[2][1]);
        if (found) return found;
      }
      throw new Error(`no master of slot ${slot}`);
    },
    async masters() {
      const found: ClusterServer[] = [];
      for (const server of alive()) {
        const role = (await ask(server.port, (redis) => redis.role())) as unknown[];
        if (role[0] === 'master') found.push(server);
      }
      return found;
    },
    async killAndFailOver(server, timeoutMs = 30_000) {
      killed.add(server.port);
      kill(server.pid, 'SIGKILL');
      await untilSilent(server.port);
      const rest = alive();
      await untilWhole(rest, masters, replicas - 1, timeoutMs);
    },
    async stop() {
      await stop();
      process.off('exit', onExit);
    },
  };
}

async function startNode(dir: string, index: number): Promise<ClusterServer> {
  const nodeDir = join(dir, `node-${index}`);
  mkdirSync(nodeDir);
  const port = await freePort();
  // The bus port is chosen too: port + 10000 (Redis' default) may be taken or out of range.
  let busPort = await freePort();
  while (busPort === port) busPort = await freePort();
  const pidFile = join(nodeDir, 'redis.pid');
  const args = [
    '--bind',
    '127.0.0.1',
    '--port',
    String(port),
    '--cluster-enabled',
    'yes',
    '--cluster-port',
    String(busPort),
    '--cluster-config-file',
    join(nodeDir, 'nodes.conf'),
    // Quick failure detection, so that a failover fits in a test; a replica always may take over.
    '--cluster-node-timeout',
    '1000',
    '--cluster-replica-validity-factor',
    '0',
    '--cluster-require-full-coverage',
    'no',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    nodeDir,
    '--pidfile',
    pidFile,
    '--logfile',
    join(nodeDir, 'redis.log'),
    '--daemonize',
    'yes',
  ];
  const result = spawnSync('redis-server', args, { stdio: 'ignore' });
  if (result.status !== 0)
    throw new Error(`redis-server on port ${port} did not start (exit ${result.status})`);
  const deadline = Date.now() + 10_000;
  while (!existsSync(pidFile) || !(await redisAnswers('127.0.0.1', port, 300))) {
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { port, pid: Number(readFileSync(pidFile, 'utf8').trim()) };
}

/** Every live server says cluster_state:ok and sees the expected masters and replicas. */
async function untilWhole(
  servers: ClusterServer[],
  masters: number,
  replicasEach: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: string;
  for (;;) {
    try {
      const views = await Promise.all(
        servers.map((server) =>
          ask(server.port, async (redis) => ({
            info: String(await redis.cluster('INFO')),
            nodes: String(await redis.cluster('NODES')),
          })),
        ),
      );
      const whole = views.every(({ info, nodes }) => {
        const lines = nodes.split('\n').filter((line) => line && !/\b(fail|fail\?|noaddr)\b/.test(line));
        const masterCount = lines.filter(
          (line) => /\bmaster\b/.test(line) && /\d+-\d+|\s\d+$/.test(line),
        ).length;
        const replicaCount = lines.filter((line) => /\bslave\b/.test(line)).length;
        return (
          /cluster_state:ok/.test(info) && masterCount === masters && replicaCount >= masters * replicasEach
        );
      });
      if (whole && (await replicasInSync(servers))) return;
      last = views.map((view) => view.info.split('\n')[0]).join(', ');
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline)
      throw new Error(`the cluster did not become whole within ${timeoutMs} ms (${last})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Every replica has its link to its master up. */
async function replicasInSync(servers: ClusterServer[]): Promise<boolean> {
  for (const server of servers) {
    const info = await ask(server.port, (redis) => redis.info('replication'));
    if (/role:slave/.test(info) && !/master_link_status:up/.test(info)) return false;
  }
  return true;
}

async function ask<T>(port: number, question: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis({
    host: '127.0.0.1',
    port,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    lazyConnect: true,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return await question(redis);
  } finally {
    redis.disconnect();
  }
}

function kill(pid: number, signal: NodeJS.Signals = 'SIGTERM'): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

async function untilSilent(port: number): Promise<void> {
  const until = Date.now() + 5_000;
  while (Date.now() < until && (await redisAnswers('127.0.0.1', port, 200))) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
