/*
 * What a dry run's Redis is made of: one dry run (simulated Jira of N users, W `reclaim worker`
 * processes, a throwaway redis-server with its defaults), and every few seconds every key of the
 * installation weighed (MEMORY USAGE … SAMPLES 0) and summed by family — the plan's lines, its
 * verdict indexes, the scan's seen set, the membership index, the evaluate queue's jobs, … —
 * next to used_memory. Prints the family table at the largest sample and after the run, in
 * bytes and in bytes per user, so that a family's cost at a million users can be projected.
 *
 *   npx tsx bench/redis-memory.ts [--users 100000] [--profile dc11] [--workers 1] [--every 5]
 */
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { launchRun } from '../runtime/launch-run.js';
import { planKeys } from '../services/runs/keys.js';
import { startThrowawayRedis } from '../runtime/local-redis.js';
import { deletePrefixKeys } from '../runtime/prefix-keys.js';
import { startSimulator } from '../simulator/index.js';
import { startBenchStack } from './support.js';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '100000' },
    profile: { type: 'string', default: 'dc11' },
    workers: { type: 'string', default: '1' },
    every: { type: 'string', default: '5' },
    'show-lines': { type: 'boolean', default: false },
  },
});
const users = Number(values.users);
const profile = values.profile as 'dc9' | 'dc10' | 'dc11';

/** The family of a key, from its name (the prefix's hash tag stripped). */
export function familyOf(key: string, prefix: string): string {
  const run = new RegExp(`^\\{${prefix}:run:[^}]+\\}(.*)$`).exec(key);
  if (run) {
    const rest = run[1]!;
    if (rest === '' || rest === ':counters' || rest === ':notes') return 'run record';
    if (rest.startsWith(':plan:lines')) return 'plan lines';
    if (rest.startsWith(':plan:verdict')) return 'plan verdict indexes';
    if (rest.startsWith(':plan:reasons')) return 'plan dictionary';
    if (rest.startsWith(':seen')) return 'scan seen set';
    if (rest.startsWith(':members:') || rest === ':member-groups') return 'membership index';
    if (rest.startsWith(':deferred')) return 'deferred leavers';
    return `run scratch ${rest.slice(1)}`;
  }
  const queue = new RegExp(`^\\{${prefix}:([^}]+)\\}:[^:]+:(.*)$`).exec(key);
  if (queue) {
    const [, name, rest] = queue;
    if (/^(eval|act|scan|finish|apply)-/.test(rest!) && !rest!.includes(':'))
      return `queue ${name}: job hashes`;
    return `queue ${name}: ${rest!.replace(/:.*$/, '')}`;
  }
  const state = new RegExp(`^\\{${prefix}\\}:([^:]+)`).exec(key);
  return state ? `state ${state[1]}` : 'other';
}

interface Sample {
  at: number;
  status: string;
  evaluated: number;
  usedMemory: number;
  families: Map<string, { keys: number; bytes: number; type: string; encodings: Set<string> }>;
}

async function weigh(redis: Redis, prefix: string): Promise<Sample['families']> {
  const families: Sample['families'] = new Map();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `{${prefix}*`, 'COUNT', 2000);
    cursor = next;
    const pipeline = redis.pipeline();
    for (const key of keys) {
      pipeline.call('MEMORY', 'USAGE', key, 'SAMPLES', '0');
      pipeline.call('OBJECT', 'ENCODING', key);
    }
    const replies = (await pipeline.exec()) ?? [];
    keys.forEach((key, i) => {
      const [usageError, usage] = replies[2 * i]!;
      const [, encoding] = replies[2 * i + 1]!;
      if (usageError || usage === null) return; // gone meanwhile
      const name = familyOf(key, prefix);
      const family = families.get(name) ?? { keys: 0, bytes: 0, type: '', encodings: new Set<string>() };
      family.keys += 1;
      family.bytes += Number(usage);
      if (typeof encoding === 'string') family.encodings.add(encoding);
      families.set(name, family);
    });
  } while (cursor !== '0');
  return families;
}

async function usedMemory(redis: Redis): Promise<number> {
  return Number(/^used_memory:(\d+)/m.exec(await redis.info('memory'))![1]);
}

const server = await startThrowawayRedis();
const prefix = `mem${Date.now()}`;
const sim = await startSimulator({ users, profile });
const raw = {
  redis: { url: server.url, prefix },
  jira: { url: sim.url, token: 'sim-token', requestsPerSecond: 10_000 },
  directories: { sources: [{ type: 'scim', url: `${sim.url}/scim/v2`, token: 'sim-token' }] },
  policy: { existingUsersSeenSince: '2025-01-01' },
};
const stack = await startBenchStack(raw, Number(values.workers));
const observer = new Redis(server.url);
await stack.app.records.ready();
const usedBefore = await usedMemory(observer);

const started = Date.now();
const created = await launchRun(stack.app, { mode: 'dry-run', trigger: { type: 'cli', by: 'bench' } });
const samples: Sample[] = [];
let peakUsed = 0;
for (;;) {
  const run = (await stack.app.runs.get(created.id))!;
  const used = await usedMemory(observer);
  peakUsed = Math.max(peakUsed, used);
  const over = ['done', 'failed', 'cancelled'].includes(run.status);
  if (!over) {
    const families = await weigh(observer, prefix);
    // Weighing takes a while: a sample across a change of stage (the seen set removed at the
    // scan's end, the plan at the archive's) would add up keys of two moments. Not kept.
    const still = (await stack.app.runs.get(created.id))!;
    if (still.status !== run.status || still.counters.scanComplete !== run.counters.scanComplete) continue;
    samples.push({
      at: Date.now() - started,
      status: run.status,
      evaluated: run.counters.evaluated,
      usedMemory: used,
      families,
    });
    const last = samples.at(-1)!;
    if (values['show-lines'] && run.counters.evaluated > 0) {
      for (const key of planKeys(prefix, run.id).linesByVerdict) {
        const [member] = await observer.zrange(key, '0', '0');
        if (member) console.log(`  ${member.length} bytes: ${JSON.stringify(member)}`);
      }
    }
    console.log(
      `${(last.at / 1000).toFixed(0)} s ${run.status} evaluated ${run.counters.evaluated}, scanned ${run.counters.scanned}: used_memory ${mib(used)}`,
    );
  }
  if (over) break;
  await new Promise((resolve) => setTimeout(resolve, Number(values.every) * 1000));
}
const seconds = (Date.now() - started) / 1000;
const run = (await stack.app.runs.get(created.id))!;
// UNLINK frees in the background: give it a moment before the after-run figure.
await new Promise((resolve) => setTimeout(resolve, 2000));
const after: Sample = {
  at: Date.now() - started,
  status: run.status,
  evaluated: run.counters.evaluated,
  usedMemory: await usedMemory(observer),
  families: await weigh(observer, prefix),
};
const peakInfo = Number(/^used_memory_peak:(\d+)/m.exec(await observer.info('memory'))![1]);

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function table(title: string, sample: Sample): void {
  const rows = [...sample.families].sort((a, b) => b[1].bytes - a[1].bytes);
  const total = rows.reduce((sum, [, f]) => sum + f.bytes, 0);
  console.log(
    `\n${title}: ${(sample.at / 1000).toFixed(0)} s, ${sample.status}, ${sample.evaluated} evaluated, used_memory ${mib(sample.usedMemory)}, keys ${mib(total)}`,
  );
  for (const [name, family] of rows) {
    console.log(
      `  ${name.padEnd(36)} ${String(family.keys).padStart(7)} keys ${mib(family.bytes).padStart(11)} ${(family.bytes / users).toFixed(1).padStart(7)} B/user  ${[...family.encodings].join(',')}`,
    );
  }
}

console.log(`\nrun ${run.id}: ${run.status}, ${run.counters.evaluated} evaluated in ${seconds.toFixed(1)} s`);
console.log(`verdicts: ${JSON.stringify(run.counters.byVerdict)}`);
console.log(
  `used_memory: ${mib(usedBefore)} before, largest sample ${mib(peakUsed)}, server's used_memory_peak ${mib(peakInfo)}, ${mib(after.usedMemory)} after`,
);
const largest = samples.reduce((a, b) => (b.usedMemory > a.usedMemory ? b : a), samples[0]!);
// The family sizes when the plan is whole (the last sample before the run is over).
table('largest sample', largest);
table('last sample in flight', samples.at(-1)!);
table('after the run', after);
console.log(
  `worker CPU: ${stack.workerCpuSeconds().join(', ')} s; ${(((stack.workerCpuSeconds()[0] ?? 0) / users) * 1e6).toFixed(0)} µs/user`,
);

observer.disconnect();
await stack.stopWorkers();
await stack.app.close();
await sim.close();
await deletePrefixKeys(server.url, prefix);
await server.stop();
await stack.removeConfig();
