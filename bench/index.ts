/*
 * `npm run bench`: every scenario side by side — the naive admin script, the smart admin
 * script, BullMQ's no-op ceiling and Reclaim — each on a throwaway Redis and a simulated Jira
 * in its own process (5 ms latency), Reclaim through `reclaim worker` processes. Prints the
 * tables and writes every figure to a JSON file (its path printed). Exits non-zero when a
 * scenario fails: the run did not end `done`, the verdicts differ, an action failed, an error.
 *
 *   npm run bench [-- --quick] [-- --scenario dc11-100k,apply-20k] [-- --out file.json]
 *                 [-- --latency-ms 5] [-- --list]
 *
 * --quick: small N, every kind of scenario, for CI (a few minutes at most).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { renderTables } from './harness/report.js';
import { runScenario, type ScenarioResult } from './harness/run-scenario.js';
import { FULL_SCENARIOS, QUICK_SCENARIOS, pickScenarios } from './harness/scenarios.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    scenario: { type: 'string' },
    out: { type: 'string' },
    'latency-ms': { type: 'string', default: '5' },
    list: { type: 'boolean', default: false },
  },
});
if (values.list) {
  for (const s of [...FULL_SCENARIOS, ...QUICK_SCENARIOS])
    console.log(`${s.name} (${s.kind}, ${s.profile}, ${s.users} users)`);
  process.exit(0);
}
const latencyMs = Number(values['latency-ms']);
if (!(latencyMs >= 0))
  throw new Error(`--latency-ms: expected a number of milliseconds, got "${values['latency-ms']}"`);
const scenarios = pickScenarios(values.scenario, values.quick);
const startedAt = new Date();
const out = values.out ?? `bench-results/bench-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`;

const results: Array<ScenarioResult & { loadAverage5m?: number }> = [];
const failures: Array<{ scenario: string; error: string }> = [];
const failedScenarios = () => [
  ...failures.map((f) => f.scenario),
  ...results.filter((r) => r.problems.length > 0).map((r) => r.scenario.name),
];
/** Written after every scenario, so that a long run that is stopped keeps what it measured. */
function writeFigures(): void {
  mkdirSync(dirname(out), { recursive: true });
  const figures = {
    startedAt: startedAt.toISOString(),
    writtenAt: new Date().toISOString(),
    machine: { cores: cpus().length, memoryBytes: totalmem(), node: process.version },
    latencyMs,
    driverPeakRss: process.resourceUsage().maxRSS * 1024,
    results,
    errors: failures,
    failed: failedScenarios(),
  };
  writeFileSync(out, JSON.stringify(figures, null, 2));
}

for (const scenario of scenarios) {
  const began = performance.now();
  console.log(
    `== ${scenario.name}: ${scenario.kind}, ${scenario.profile}, ${scenario.users.toLocaleString('en-US')} users`,
  );
  try {
    const result = await runScenario(scenario, { latencyMs });
    // The machine may be shared: the load average says how much else ran beside the bench.
    const load = loadavg()[1]!;
    results.push({ ...result, loadAverage5m: load });
    for (const problem of result.problems) console.log(`   FAILED: ${problem}`);
    console.log(
      `   ${((performance.now() - began) / 1000).toFixed(0)} s, load average ${load.toFixed(1)}${result.problems.length ? '' : ', ok'}`,
    );
    console.log(renderTables([result]).replace(/^/gm, '   '));
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    failures.push({ scenario: scenario.name, error: message });
    console.log(`   FAILED: ${message}`);
  }
  writeFigures();
}

console.log(`\n${renderTables(results)}`);
const failed = failedScenarios();
console.log(`\nfigures: ${out}`);
console.log(
  failed.length ? `bench FAILED: ${failed.join(', ')}` : `bench passed: ${results.length} scenario(s)`,
);
process.exit(failed.length ? 1 : 0);
