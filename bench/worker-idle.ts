/*
 * An idle `reclaim worker`: the memory of the process itself, before any user (issue 14's
 * worker memory target is measured from there). Starts the bench stack with one worker on the
 * shared Redis (a prefix of its own) and a records database of its own, waits until the worker
 * listens and then --idle-ms more, and prints its VmHWM and VmRSS from /proc.
 *
 *   npx tsx bench/worker-idle.ts [--idle-ms 5000] [--samples 3]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { deletePrefixKeys } from '../runtime/prefix-keys.js';
import { startBenchStack } from './support.js';

const { values } = parseArgs({
  options: {
    'idle-ms': { type: 'string', default: '5000' },
    samples: { type: 'string', default: '3' },
  },
});
const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const mib = (kb: number) => `${(kb / 1024).toFixed(1)} MiB`;

for (let sample = 1; sample <= Number(values.samples); sample += 1) {
  const prefix = `bench-idle-${Date.now()}`;
  const stack = await startBenchStack(
    {
      redis: { url: redisUrl, prefix },
      // Never called while idle: the worker only needs a Jira to be configured.
      jira: { url: 'http://127.0.0.1:9', token: 'unused' },
    },
    1,
  );
  try {
    await new Promise((resolve) => setTimeout(resolve, Number(values['idle-ms'])));
    const status = readFileSync(`/proc/${stack.workerPids[0]}/status`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    console.log(
      `idle worker ${sample}: VmHWM ${mib(field('VmHWM'))}, VmRSS ${mib(field('VmRSS'))} ` +
        `(anonymous ${mib(field('RssAnon'))}, file-backed ${mib(field('RssFile'))})`,
    );
  } finally {
    await stack.stopWorkers();
    await stack.app.close();
    await deletePrefixKeys(redisUrl, prefix);
    await stack.removeConfig();
  }
}
