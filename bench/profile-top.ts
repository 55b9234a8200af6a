/*
 * The top self-time functions of V8 CPU profiles (`node --cpu-prof`), e.g. the workers' of
 * `bench/dry-run.ts --cpu-prof DIR`. Self time is summed per function (name, file, line) over
 * every profile given, so two workers' profiles read as one.
 *
 *   npx tsx bench/profile-top.ts DIR|FILE... [--top 30]
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  options: { top: { type: 'string', default: '30' } },
  allowPositionals: true,
});
const files = positionals.flatMap((path) =>
  statSync(path).isDirectory()
    ? readdirSync(path)
        .filter((name) => name.endsWith('.cpuprofile'))
        .map((name) => join(path, name))
    : [path],
);
if (files.length === 0) throw new Error('no .cpuprofile given (a directory or files)');

const selfMicros = new Map<string, number>();
const byPackage = new Map<string, number>();
let total = 0;
for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  profile.samples.forEach((id, i) => {
    const micros = profile.timeDeltas[i] ?? 0;
    const { functionName, url, lineNumber } = nodes.get(id)!.callFrame;
    const where = url.replace(/^file:\/\/.*?\/(node_modules|reclaim|perf)\//, '$1/');
    const key = `${functionName || '(anonymous)'}  ${where}:${lineNumber + 1}`;
    selfMicros.set(key, (selfMicros.get(key) ?? 0) + micros);
    byPackage.set(packageOf(url, functionName), (byPackage.get(packageOf(url, functionName)) ?? 0) + micros);
    total += micros;
  });
}

/** node_modules/<package>, node:internal, the project's own code, or V8's pseudo-frames. */
function packageOf(url: string, functionName: string): string {
  if (!url) return `(${functionName.replace(/[()]/g, '')})`;
  const module = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (module) return module[1]!;
  if (url.startsWith('node:')) return 'node:internal';
  return 'reclaim';
}

const share = (micros: number) => `${((micros / total) * 100).toFixed(1).padStart(5)} %`;
console.log(`${files.length} profile(s), ${(total / 1e6).toFixed(1)} s sampled`);
console.log('\nself time by package:');
for (const [name, micros] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
  console.log(`${share(micros)}  ${name}`);
}
console.log('\ntop functions by self time:');
for (const [name, micros] of [...selfMicros].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) {
  console.log(`${share(micros)}  ${name}`);
}
