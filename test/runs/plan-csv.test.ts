import assert from 'node:assert/strict';
import { text } from 'node:stream/consumers';
import { parse } from 'csv-parse/sync';
import { planCsv } from '../../services/runs/plan-csv.js';
import type { PlanLine } from '../../services/runs/types.js';
import { usePrefix } from '../support/redis.js';
import { fromArray, inactiveLine, keepLine, leaverLine, mixedLine } from './plan-lines.js';
import { openPlanStores, type PlanStores } from './plan-stores.js';

const HEADER = 'username,key,display_name,email,active,last_login,verdict,actions,reasons';

async function csvOf(lines: PlanLine[]): Promise<string> {
  return text(planCsv(fromArray(lines)));
}

function rowsOf(csv: string): string[][] {
  return parse(csv) as string[][];
}

describe('plan CSV', () => {
  it('appends the directory column only when a source knows directories', async () => {
    const lines = [{ ...leaverLine('JIRAUSER1'), directory: 'Corporate LDAP' }, inactiveLine('JIRAUSER2')];
    const withColumn = rowsOf(await text(planCsv(fromArray(lines), { directoryColumn: true })));
    assert.equal(withColumn[0]!.join(','), `${HEADER},directory`);
    assert.equal(withColumn[1]!.at(-1), 'Corporate LDAP');
    assert.equal(withColumn[2]!.at(-1), '');
    assert.equal((await csvOf(lines)).split('\n')[0], HEADER);
  });

  it('starts with the documented header and writes one row per line', async () => {
    const csv = await csvOf([inactiveLine('JIRAUSER1'), leaverLine('JIRAUSER2')]);
    assert.equal(csv.split('\n')[0], HEADER);
    assert.deepEqual(rowsOf(csv).slice(1), [
      [
        'jirauser1',
        'JIRAUSER1',
        'User JIRAUSER1',
        'jirauser1@example.com',
        'true',
        '2026-01-15T09:30:00.000Z',
        'inactive',
        'revoke-license(jira-software-users)',
        'last login more than inactiveDays before asOf: 2026-01-15T09:30:00.000Z (threshold: 90 days)',
      ],
      [
        'jirauser2',
        'JIRAUSER2',
        'User JIRAUSER2',
        'jirauser2@example.com',
        'true',
        '2026-11-01T08:00:00.000Z',
        'left-company',
        'revoke-license(jira-software-users,jira-servicedesk-agents);remove-groups(developers);deactivate;rename(jirauser2_inactive_20261129)',
        'absent from the external directory: scim: absent',
      ],
    ]);
  });

  it('leaves last_login, display name and e-mail empty when there is none', async () => {
    const [, row] = rowsOf(
      await csvOf([
        keepLine('K', {
          lastLogin: null,
          lastLoginStatus: 'never',
          displayName: undefined,
          emailAddress: undefined,
        }),
      ]),
    );
    assert.deepEqual(row!.slice(2, 6), ['', '', 'true', '']);
  });

  it('quotes commas, quotes and newlines so every cell reads back unchanged', async () => {
    const tricky = keepLine('JIRAUSER3', {
      displayName: 'Ames, Alice "Al"',
      emailAddress: 'alice@example.com',
      reasons: [
        { signal: 'group', rule: 'member of a skip group', value: 'line one\nline two' },
        { signal: 'user', rule: 'listed in skipUsers' },
      ],
    });
    const csv = await csvOf([tricky]);
    const [, row] = rowsOf(csv);
    assert.equal(row![2], 'Ames, Alice "Al"');
    assert.equal(row![8], 'member of a skip group: line one\nline two;listed in skipUsers');
    assert.ok(csv.includes('"Ames, Alice ""Al"""'));
  });

  it('a ";" inside a reason does not split the reasons cell', async () => {
    const line = keepLine('JIRAUSER4', {
      reasons: [
        { signal: 'group', rule: 'member of a skip group', value: 'ops;admins' },
        { signal: 'user', rule: 'listed in skipUsers' },
      ],
    });
    const [, row] = rowsOf(await csvOf([line]));
    assert.deepEqual(row![8]!.split(';'), ['member of a skip group: ops,admins', 'listed in skipUsers']);
  });

  it('neutralises cells a spreadsheet would run as a formula', async () => {
    const lines = ['=HYPERLINK("http://evil")', '+1+1', '-2+3', '@SUM(A1)', '\tcmd', '\rcmd'].map((name, i) =>
      keepLine(`K${i}`, { name, displayName: name }),
    );
    const rows = rowsOf(await csvOf(lines)).slice(1);
    for (const [i, row] of rows.entries()) {
      const original = lines[i]!.name;
      assert.equal(row[0], `'${original}`);
      assert.equal(row[2], `'${original}`);
    }
    const [, safe] = rowsOf(await csvOf([keepLine('K', { displayName: 'Alice = Ames' })]));
    assert.equal(safe![2], 'Alice = Ames');
  });

  it('ends the stream with the error when reading the plan fails', async () => {
    async function* failing(): AsyncIterable<PlanLine> {
      yield keepLine('K1');
      throw new Error('Redis went away');
    }
    await assert.rejects(text(planCsv(failing())), /Redis went away/);
  });

  describe('from the plan store', () => {
    const scope = usePrefix('runs-csv');
    let stores: PlanStores;

    before(async () => {
      stores = await openPlanStores(scope.prefix);
    });
    after(async () => {
      await stores.close();
    });

    it('streams a stored plan as CSV, the same before and after it is archived', async () => {
      const { plans } = stores;
      const runId = (await stores.newRun()).id;
      const lines = Array.from({ length: 2500 }, (_, i) => mixedLine(i));
      await Promise.all(lines.map((line) => plans.record(runId, line)));
      const live = await text(planCsv(plans.stream(runId)));
      const rows = rowsOf(live);
      assert.equal(rows[0]!.join(','), HEADER);
      assert.equal(rows.length, 2501);
      assert.equal(new Set(rows.slice(1).map((r) => r[1])).size, 2500);
      await stores.planAndArchive(runId);
      assert.equal(await text(planCsv(plans.stream(runId))), live);
    });
  });
});
