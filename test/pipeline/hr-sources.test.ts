import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planByName, runToEnd, startStack, type Stack } from '../support/stack.js';
import { AS_OF, EXPECTED, VERDICT_POLICY, verdictFixture } from './verdict-fixture.js';

/** What the simulated HR API lists, as an HR export would write it. */
async function exportCsv(stack: Stack): Promise<string[]> {
  const response = await fetch(`${stack.sim.url}/hr-api/people?limit=200`, {
    headers: { authorization: 'Bearer sim-token' },
  });
  const { items } = (await response.json()) as { items: { username: string; status: string }[] };
  return items.map((p) => `"${p.username}",${p.status}`);
}

/*
 * The HR sources in a real run: the scan lists the HR API and reads the HR export instead of
 * SCIM, and the plan holds the same leavers; an export cut short is not believed the next run.
 */
describe('a dry run with an HR JSON API and an HR CSV export as the directories', function () {
  this.timeout(60_000);
  let stack: Stack;
  let dir: string;
  let csv: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'reclaim-hr-run-'));
    csv = join(dir, 'people.csv');
    stack = await startStack({
      sim: { fixture: verdictFixture('dc11') },
      config: (sim) => ({
        policy: VERDICT_POLICY,
        directories: {
          maxAbsentPercent: 20,
          sources: [
            { type: 'http', name: 'hr-api', listUrl: `${sim.url}/hr-api/people?limit=5`, token: 'sim-token' },
            { type: 'csv', name: 'hr-export', path: csv, columns: { status: 'status' } },
          ],
        },
      }),
    });
    writeFileSync(csv, `username,status\n${(await exportCsv(stack)).join('\n')}\n`);
  });
  after(async () => {
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('plans the same leavers as the SCIM directory would, each source believed on its own', async () => {
    const run = await runToEnd(stack, { asOf: AS_OF });
    assert.equal(run.status, 'done', run.statusReason);
    const plan = await planByName(stack.app, run.id);
    for (const [name, expected] of Object.entries(EXPECTED))
      assert.equal(
        plan.get(name)?.verdict,
        expected.verdict,
        `${name}: ${JSON.stringify(plan.get(name)?.reasons)}`,
      );
    assert.deepEqual(
      run.directories?.map((d) => [d.source, d.trusted, d.asked, d.absent, d.disabled]),
      [
        ['hr-api', true, 12, 2, 1],
        ['hr-export', true, 12, 2, 1],
      ],
    );
  });

  it('an export cut short is not believed: nobody is left-company, the run record says why', async () => {
    const rows = await exportCsv(stack);
    writeFileSync(csv, `username,status\n${rows.slice(0, rows.length - 3).join('\n')}\n`);
    const run = await runToEnd(stack, { asOf: AS_OF });
    assert.equal(run.status, 'done', run.statusReason);
    assert.equal(run.counters.byVerdict['left-company'] ?? 0, 0);
    const [api, hrExport] = run.directories ?? [];
    assert.equal(api?.trusted, true);
    assert.equal(hrExport?.trusted, false);
    assert.match(
      hrExport?.reason ?? '',
      /^hr-export: the file has 10 account\(s\), 23\.1% fewer than the 13 last believed, more than maxAbsentPercent 20: not believed/,
    );
    const plan = await planByName(stack.app, run.id);
    assert.notEqual(plan.get('frank')?.verdict, 'left-company');
  });
});
