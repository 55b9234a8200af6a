import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { freePort } from '../../runtime/local-redis.js';
import type { Profile } from '../../simulator/index.js';

/*
 * The simulated Jira in a process of its own (`reclaim sim`), so that its CPU and memory are
 * its own and not the bench driver's: what a run costs the driver, the workers and the
 * simulator can then be read apart.
 */

export interface SimProcessOptions {
  users: number;
  profile: Profile;
  latencyMs: number;
  /** Jira's token bucket, requests per second; undefined = unlimited. */
  rateLimit?: number;
}

export interface SimRequestCounts {
  /** Requests to Jira's REST API (`/rest/…`), the SCIM directory left out. */
  jira: number;
  /** Of those, answered 429. */
  rateLimited: number;
  byRoute: Record<string, number>;
}

export interface SimProcess {
  url: string;
  pid: number;
  /** Seconds from spawn to listening (the synthetic enterprise built). */
  loadSeconds: number;
  counts(): Promise<SimRequestCounts>;
  stop(): Promise<void>;
}

export async function startSimProcess(options: SimProcessOptions): Promise<SimProcess> {
  const port = await freePort();
  const args = ['bin/reclaim.js', 'sim', '--users', String(options.users), '--profile', options.profile];
  args.push('--port', String(port), '--latency-ms', String(options.latencyMs));
  if (options.rateLimit !== undefined) args.push('--rate-limit', String(options.rateLimit));
  const started = performance.now();
  // A million users need more than Node's default heap.
  const child = spawn(process.execPath, ['--max-old-space-size=4096', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const match = /^Jira simulator .* at (http:\/\/\S+)$/.exec(line);
      if (match) resolve(match[1]!);
    });
    void exited.then((code) => reject(new Error(`the simulator exited (${code}) before listening`)));
  });
  const loadSeconds = (performance.now() - started) / 1000;
  return {
    url,
    pid: child.pid!,
    loadSeconds,
    async counts() {
      const response = await fetch(`${url}/__sim/stats`);
      const stats = (await response.json()) as {
        requests: { byRoute: Record<string, Record<string, number>> };
      };
      const byRoute: Record<string, number> = {};
      let jira = 0;
      let rateLimited = 0;
      for (const [route, byStatus] of Object.entries(stats.requests.byRoute)) {
        if (!route.includes(' /rest/')) continue;
        const n = Object.values(byStatus).reduce((a, b) => a + b, 0);
        byRoute[route] = n;
        jira += n;
        rateLimited += byStatus['429'] ?? 0;
      }
      return { jira, rateLimited, byRoute };
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** What happened between two readings of the counts. */
export function countsBetween(before: SimRequestCounts, after: SimRequestCounts): SimRequestCounts {
  const byRoute: Record<string, number> = {};
  for (const [route, n] of Object.entries(after.byRoute)) {
    const delta = n - (before.byRoute[route] ?? 0);
    if (delta > 0) byRoute[route] = delta;
  }
  return { jira: after.jira - before.jira, rateLimited: after.rateLimited - before.rateLimited, byRoute };
}
