/*
 * Prints the tables of one or more figure files that `npm run bench` wrote:
 *   npx tsx bench/render.ts bench-results/bench-….json [more.json]
 */
import { readFileSync } from 'node:fs';
import { renderTables } from './harness/report.js';
import type { ScenarioResult } from './harness/run-scenario.js';

const results = process.argv
  .slice(2)
  .flatMap((file) => (JSON.parse(readFileSync(file, 'utf8')) as { results: ScenarioResult[] }).results);
if (results.length === 0) throw new Error('usage: npx tsx bench/render.ts FIGURES.json [more.json]');
console.log(renderTables(results));
