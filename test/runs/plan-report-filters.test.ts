import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { configSchema } from '../../config/schema.js';
import type { PlannedAction, Verdict } from '../../services/policy/types.js';
import {
  filteredLines,
  matches,
  parsedLineFilterFor,
  reportPage,
  type ReportFilter,
} from '../../services/reports/inactive-report.js';
import { encodePlanLine, parsePlanLine } from '../../services/runs/plan-line-codec.js';
import { PlanStore } from '../../services/runs/plan-store.js';
import { RunLifecycle } from '../../services/runs/run-lifecycle.js';
import { RunStore } from '../../services/runs/run-store.js';
import type { PlanLine, Run } from '../../services/runs/types.js';
import { openTestRecords, type TestRecords } from '../support/records.js';
import { testRedisUrl, usePrefix } from '../support/redis.js';

/*
 * The report's days, application and group filters drop lines inside the plan store before the
 * lines are built (parsedLineFilterFor). That shortcut must give exactly the lines the slow path
 * gives: every line of the plan built, then kept by `matches`.
 */

const DAY = 24 * 3600 * 1000;
const LINES = 3_000;
const ALL_VERDICTS: Verdict[] = ['keep', 'inactive', 'never-logged-in', 'left-company'];

/** A mix of last logins (known on and around day boundaries, never, unknown) and of actions. */
function syntheticLine(i: number, asOf: number): PlanLine {
  const verdict = ALL_VERDICTS[i % 4]!;
  const loginKind = i % 7;
  // Day boundaries ± 1 ms, so a rounding difference between the two paths would show.
  const knownAt = asOf - ((i * 13) % 700) * DAY + ((i % 3) - 1);
  const lastLogin = loginKind === 5 ? null : loginKind === 6 ? null : new Date(knownAt).toISOString();
  const lastLoginStatus = loginKind === 5 ? 'never' : loginKind === 6 ? 'unknown' : 'known';
  const licence = ['jira-software-users', 'Jira-ServiceDesk-Users', 'jira-core-users'][i % 3]!;
  const actionsBy: PlannedAction[][] = [
    [],
    [{ type: 'revoke-license', groups: [licence] }],
    [
      { type: 'revoke-license', groups: [licence, 'jira-software-users'] },
      { type: 'remove-groups', groups: ['Confluence-Users'] },
    ],
    [{ type: 'remove-groups', groups: ['confluence-users', 'team-a'] }],
    // Groups added are not groups held: the group filter must not find them.
    [{ type: 'add-groups', groups: ['confluence-users', 'jira-software-users'] }],
    [{ type: 'rename', to: `former-${i}` }, { type: 'deactivate' }],
  ];
  return {
    key: `JIRAUSER${100_000 + i}`,
    name: `user${i}`,
    ...(i % 11 === 0 ? {} : { displayName: `User ${i}` }),
    ...(i % 13 === 0 ? {} : { emailAddress: `user${i}@example.com` }),
    active: i % 17 !== 0,
    lastLogin,
    lastLoginStatus,
    verdict,
    actions: actionsBy[(i * 5) % actionsBy.length]!,
    reasons:
      i % 2 === 0
        ? [
            {
              signal: 'last-login',
              rule: 'last login more than inactiveDays before asOf',
              threshold: '90 days',
            },
          ]
        : [
            {
              signal: 'last-login',
              rule: 'logged in within inactiveDays',
              value: new Date(knownAt).toISOString(),
            },
          ],
    ...(i % 9 === 0 ? { directory: 'Corporate LDAP' } : {}),
  };
}

const FILTERS: Array<[string, Omit<ReportFilter, 'verdicts'>]> = [
  ['minDays', { minDays: 300 }],
  ['minDays=0', { minDays: 0 }],
  ['maxDays', { maxDays: 120 }],
  ['maxDays=0', { maxDays: 0 }],
  ['minDays and maxDays', { minDays: 100, maxDays: 400 }],
  ['minDays beyond every login', { minDays: 10_000 }],
  ['application', { applicationGroups: ['JIRA-SERVICEDESK-USERS'] }],
  ['application of two groups', { applicationGroups: ['jira-core-users', 'jira-software-users'] }],
  ['application nobody holds', { applicationGroups: ['no-such-group'] }],
  ['group removed', { group: 'confluence-users' }],
  ['group nobody holds', { group: 'no-such-group' }],
  ['group and days', { group: 'jira-software-users', minDays: 200 }],
  [
    'application, group, days and text',
    { applicationGroups: ['jira-core-users'], group: 'team-a', maxDays: 600, q: 'user1' },
  ],
];

describe('report filters on plan lines before they are built', function () {
  this.timeout(60_000);
  const scope = usePrefix('runs-report-filters');
  let redis: Redis;
  let records: TestRecords;
  let plans: PlanStore;
  let run: Run;
  let asOf: Date;
  let allLines: PlanLine[];

  before(async () => {
    redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
    plans = new PlanStore(redis, scope.prefix);
    records = await openTestRecords('report-filters');
    const runs = new RunStore(redis, scope.prefix, records.db);
    run = await runs.create({
      mode: 'dry-run',
      trigger: { type: 'cli', by: 'test' },
      policy: configSchema.parse({}).policy,
    });
    asOf = new Date(run.asOf);
    const lifecycle = new RunLifecycle(runs);
    await lifecycle.startEvaluating(run.id);
    for (let from = 0; from < LINES; from += 500) {
      await Promise.all(
        Array.from({ length: 500 }, (_, j) => plans.record(run.id, syntheticLine(from + j, asOf.getTime()))),
      );
    }
    await lifecycle.markPlanned(run.id);
    await plans.compact(run.id);
    allLines = [];
    for await (const line of plans.stream(run.id)) allLines.push(line);
    assert.equal(allLines.length, LINES);
  });
  after(async () => {
    await redis.quit();
    await records?.close();
  });

  for (const [label, partial] of FILTERS) {
    it(`gives the same lines as building every line, for ${label}`, async () => {
      const filter: ReportFilter = { verdicts: ['inactive', 'never-logged-in', 'left-company'], ...partial };
      assert.ok(parsedLineFilterFor(filter, asOf), 'the filter takes the shortcut');
      const slow = allLines.filter((line) => matches(line, filter, asOf));
      const fast: PlanLine[] = [];
      for await (const found of filteredLines(plans, run, filter)) fast.push(found.line);
      assert.deepEqual(fast, slow);

      // Page by page too: the cursors move past the lines the shortcut dropped.
      const paged: PlanLine[] = [];
      let cursor: string | undefined;
      do {
        const page = await reportPage(plans, run, filter, { limit: 97, ...(cursor ? { cursor } : {}) });
        paged.push(...page.lines);
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      assert.deepEqual(paged, slow);
    });
  }

  it('filters some lines out and keeps others for most filters (the comparisons above are not vacuous)', () => {
    const sizes = FILTERS.map(([, partial]) => {
      const filter: ReportFilter = { verdicts: ALL_VERDICTS, ...partial };
      return allLines.filter((line) => matches(line, filter, asOf)).length;
    });
    const between = sizes.filter((size) => size > 0 && size < LINES).length;
    assert.ok(between >= 9, `filters keeping some but not all lines: ${sizes.join(', ')}`);
  });

  it('agrees with matches on every line as encoded, with and without the dictionary', () => {
    for (const [label, partial] of FILTERS) {
      const filter: ReportFilter = { verdicts: ALL_VERDICTS, ...partial };
      const { q: _q, ...withoutText } = filter;
      const test = parsedLineFilterFor(withoutText, asOf)!;
      for (let i = 0; i < LINES; i++) {
        const line = syntheticLine(i, asOf.getTime());
        const expected = matches(line, withoutText, asOf);
        assert.equal(test(parsePlanLine(encodePlanLine(line))), expected, `${label}, line ${i}`);
        assert.equal(
          test(parsePlanLine(encodePlanLine(line, [0]))),
          expected,
          `${label}, line ${i}, interned`,
        );
      }
    }
  });

  it('takes no shortcut when the filter names no days, application or group', () => {
    assert.equal(parsedLineFilterFor({ verdicts: ['inactive'] }, asOf), undefined);
    assert.equal(parsedLineFilterFor({ verdicts: ['inactive'], q: 'x' }, asOf), undefined);
  });
});
