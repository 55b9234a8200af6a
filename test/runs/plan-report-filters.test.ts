import assert from 'node:assert/strict';
import type { PlannedAction, Verdict } from '../../services/policy/types.js';
import {
  filteredLines,
  matches,
  reportPage,
  type ReportFilter,
} from '../../services/reports/inactive-report.js';
import type { PlanStore } from '../../services/runs/plan-store.js';
import type { PlanLine, Run } from '../../services/runs/types.js';
import { usePrefix } from '../support/redis.js';
import { openPlanStores, type PlanStores } from './plan-stores.js';

/*
 * Over an archived plan the report's filters are SQL (plan-archive.ts); over a plan still in
 * Redis they are `matches` on each line. Both must give exactly the lines the slow path gives:
 * every line of the plan built, then kept by `matches`.
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
    ...(i % 11 === 0 ? {} : { displayName: i % 50 === 1 ? `Ærøskøbing İlse ${i}` : `User ${i}` }),
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
  ['text in upper case', { q: 'USER12' }],
  ['text beyond ASCII', { q: 'ÆRØSKØBING i̇lse' }],
  ['text in the e-mail address', { q: '7@example' }],
  ['text nobody has', { q: 'no-such-user' }],
  [
    'application, group, days and text',
    { applicationGroups: ['jira-core-users'], group: 'team-a', maxDays: 600, q: 'user1' },
  ],
];

describe('report filters over the plan in PostgreSQL and in Redis', function () {
  this.timeout(60_000);
  const scope = usePrefix('runs-report-filters');
  let stores: PlanStores;
  let plans: PlanStore;
  let run: Run;
  let asOf: Date;
  let allLines: PlanLine[];
  /** Per filter: what the live plan (in Redis) gave, streamed and page by page. */
  const live = new Map<string, { streamed: PlanLine[]; paged: PlanLine[] }>();

  const filterOf = (partial: Omit<ReportFilter, 'verdicts'>): ReportFilter => ({
    verdicts: ['inactive', 'never-logged-in', 'left-company'],
    ...partial,
  });
  const read = async (filter: ReportFilter) => {
    const streamed: PlanLine[] = [];
    for await (const found of filteredLines(plans, run, filter)) streamed.push(found.line);
    // Page by page too: the cursors move past the lines the filter drops.
    const paged: PlanLine[] = [];
    let cursor: string | undefined;
    do {
      const page = await reportPage(plans, run, filter, { limit: 97, ...(cursor ? { cursor } : {}) });
      paged.push(...page.lines);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return { streamed, paged };
  };

  before(async () => {
    stores = await openPlanStores(scope.prefix);
    plans = stores.plans;
    run = await stores.newRun();
    asOf = new Date(run.asOf);
    for (let from = 0; from < LINES; from += 500) {
      await Promise.all(
        Array.from({ length: 500 }, (_, j) => plans.record(run.id, syntheticLine(from + j, asOf.getTime()))),
      );
    }
    await stores.lifecycle.markPlanned(run.id);
    for (const [label, partial] of FILTERS) live.set(label, await read(filterOf(partial)));
    await plans.archive(run.id);
    assert.equal(await plans.isArchived(run.id), true);
    allLines = [];
    for await (const line of plans.stream(run.id)) allLines.push(line);
    assert.equal(allLines.length, LINES);
  });
  after(async () => {
    await stores.close();
  });

  for (const [label, partial] of FILTERS) {
    it(`gives the same lines as building every line, for ${label}`, async () => {
      const filter = filterOf(partial);
      const slow = allLines.filter((line) => matches(line, filter, asOf));
      const archived = await read(filter);
      assert.deepEqual(archived.streamed, slow);
      assert.deepEqual(archived.paged, slow);
      assert.deepEqual(live.get(label), { streamed: slow, paged: slow }, 'the live plan gave the same');
    });
  }

  it('filters some lines out and keeps others for most filters (the comparisons above are not vacuous)', () => {
    const sizes = FILTERS.map(([, partial]) => {
      const filter: ReportFilter = { verdicts: ALL_VERDICTS, ...partial };
      return allLines.filter((line) => matches(line, filter, asOf)).length;
    });
    const between = sizes.filter((size) => size > 0 && size < LINES).length;
    assert.ok(between >= 12, `filters keeping some but not all lines: ${sizes.join(', ')}`);
  });

  it('refuses a cursor of a verdict the filter does not show', async () => {
    const keepCursor = Buffer.from(JSON.stringify([0, 'JIRAUSER100000'])).toString('base64url');
    await assert.rejects(
      reportPage(plans, run, filterOf({}), { limit: 10, cursor: keepCursor }),
      /invalid plan cursor/,
    );
  });
});
