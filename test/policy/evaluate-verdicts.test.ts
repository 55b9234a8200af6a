import assert from 'node:assert/strict';
import { evaluateUser } from '../../services/policy/evaluate.js';
import type { PolicyContext, UserFacts, Verdict } from '../../services/policy/types.js';
import { AS_OF, FIRST_SCAN_AT, NEVER, contextWith, loginAt, policyWith, userWith } from './fixtures.js';

interface Row {
  name: string;
  user?: Partial<UserFacts>;
  policy?: Record<string, unknown>;
  ctx?: Partial<PolicyContext>;
  verdict: Verdict;
  /** A reason rule (or part of one) the admin must read in the plan. */
  because?: string;
}

const DISABLED: UserFacts['directory'] = { status: 'disabled', source: 'scim', attribute: 'active=false' };
const ABSENT: UserFacts['directory'] = { status: 'absent', source: 'scim' };
const UNKNOWN_DIRECTORY: UserFacts['directory'] = {
  status: 'unknown',
  source: 'scim',
  reason: 'scim: request failed: 503 Service Unavailable',
};
const UNKNOWN_LOGIN: UserFacts['lastLogin'] = { status: 'unknown', reason: 'crowd attributes unreadable' };
const OLD_LOGIN = loginAt('2026-05-01T10:00:00.000Z');

const rows: Row[] = [
  // out-of-scope
  {
    name: 'onlyGroups set and the user in none of them',
    policy: { onlyGroups: ['emea-staff'] },
    user: { lastLogin: OLD_LOGIN },
    verdict: 'out-of-scope',
    because: 'not a member of any processing group',
  },
  {
    name: 'onlyGroups matched case-insensitively',
    policy: { onlyGroups: ['EMEA-Staff'] },
    user: { groups: ['emea-staff', 'jira-software-users'], lastLogin: OLD_LOGIN },
    verdict: 'inactive',
  },
  {
    name: 'out-of-scope comes before exempt',
    policy: { onlyGroups: ['emea-staff'] },
    user: { groups: ['jira-administrators'] },
    verdict: 'out-of-scope',
  },
  {
    name: 'skipDirectories set: cannot be applied through REST, decides nothing',
    policy: { skipDirectories: ['Corporate LDAP', 10000] },
    user: { lastLogin: OLD_LOGIN },
    verdict: 'inactive',
  },
  // exempt
  {
    name: 'in a default skip group',
    user: { groups: ['jira-administrators', 'jira-software-users'], lastLogin: OLD_LOGIN },
    verdict: 'exempt',
    because: 'member of a skip group (skipGroups)',
  },
  {
    name: 'in a skip group spelt with other case',
    user: { groups: ['JIRA-System-Administrators'], directory: DISABLED },
    verdict: 'exempt',
  },
  {
    name: 'administrators stay exempt when skipGroups lists other groups only',
    policy: { skipGroups: ['contractors-keep'] },
    user: { groups: ['jira-administrators'], lastLogin: OLD_LOGIN },
    verdict: 'exempt',
    because: 'Jira administrators group (always exempt)',
  },
  {
    name: 'a renamed administrators group named in adminGroups, whatever skipGroups says',
    policy: { skipGroups: ['contractors-keep'], adminGroups: ['Jira-Admins-Local'] },
    user: { groups: ['jira-admins-local'], lastLogin: OLD_LOGIN, directory: ABSENT },
    verdict: 'exempt',
    because: 'Jira administrators group (always exempt)',
  },
  {
    name: 'the built-in administrators groups stay exempt when adminGroups names others',
    policy: { skipGroups: [], adminGroups: ['jira-admins-local'] },
    user: { groups: ['jira-system-administrators'], lastLogin: OLD_LOGIN },
    verdict: 'exempt',
    because: 'Jira administrators group (always exempt)',
  },
  {
    name: 'the Jira account Reclaim itself uses, by key',
    ctx: { ownAccount: { key: 'JIRAUSER10001', name: 'svc-reclaim-renamed' } },
    user: { lastLogin: OLD_LOGIN, directory: ABSENT },
    verdict: 'exempt',
    because: 'the Jira account Reclaim itself uses (always exempt)',
  },
  {
    name: 'the Jira account Reclaim itself uses, by name in another case',
    ctx: { ownAccount: { key: 'other-key', name: 'ALICE' } },
    user: { lastLogin: OLD_LOGIN },
    verdict: 'exempt',
    because: 'the Jira account Reclaim itself uses (always exempt)',
  },
  {
    name: 'outside a directory source’s scope: not a leaver, the login rules decide',
    user: {
      lastLogin: loginAt('2026-11-28T08:00:00.000Z'),
      directory: { status: 'not-applicable', source: 'scim', reason: 'scim: no e-mail domain' },
    },
    verdict: 'keep',
    because: 'outside the scope of scim, so not a leaver by it',
  },
  {
    name: 'only left-company and outside the source’s scope: kept',
    ctx: { only: 'left-company' },
    user: { directory: { status: 'not-applicable', source: 'scim', reason: 'scim: no e-mail domain' } },
    verdict: 'keep',
  },
  {
    name: 'listed in skipUsers, other case',
    policy: { skipUsers: ['ALICE'] },
    user: { directory: ABSENT },
    verdict: 'exempt',
    because: 'listed in skipUsers',
  },
  {
    name: 'exempt before already-inactive',
    policy: { skipUsers: ['alice'] },
    user: { active: false },
    verdict: 'exempt',
  },
  // already-inactive
  {
    name: 'deactivated account, even when the directory says left',
    user: { active: false, directory: ABSENT },
    verdict: 'already-inactive',
    because: 'already deactivated',
  },
  // left-company
  {
    name: 'disabled in the directory',
    user: { directory: DISABLED },
    verdict: 'left-company',
    because: 'disabled in scim',
  },
  {
    name: 'absent from the directory',
    user: { directory: ABSENT },
    verdict: 'left-company',
    because: 'not found in scim',
  },
  {
    name: 'a leaver whose login is unknown is still a leaver',
    user: { directory: ABSENT, lastLogin: UNKNOWN_LOGIN },
    verdict: 'left-company',
  },
  {
    name: 'directory unknown: never a leaver, login rules decide',
    user: { directory: UNKNOWN_DIRECTORY, lastLogin: OLD_LOGIN },
    verdict: 'inactive',
    because: 'status in scim unknown, so not treated as a leaver',
  },
  {
    name: 'directory unknown and a recent login: keep',
    user: { directory: UNKNOWN_DIRECTORY },
    verdict: 'keep',
    because: 'status in scim unknown',
  },
  { name: 'no directory configured', user: { directory: { status: 'not-configured' } }, verdict: 'keep' },
  // never-logged-in
  {
    name: 'never logged in, first seen 31 days before asOf',
    user: { lastLogin: NEVER, firstSeen: new Date('2026-10-29T00:00:00.000Z') },
    verdict: 'never-logged-in',
    because: 'first seen more than 30 days before asOf',
  },
  {
    name: 'never logged in, first seen exactly 30 days before asOf',
    user: { lastLogin: NEVER, firstSeen: new Date('2026-10-30T00:00:00.000Z') },
    verdict: 'keep',
    because: 'first seen within 30 days before asOf',
  },
  {
    name: 'never logged in, first seen 30 days and 1 ms before asOf',
    user: { lastLogin: NEVER, firstSeen: new Date('2026-10-29T23:59:59.999Z') },
    verdict: 'never-logged-in',
  },
  {
    name: 'never logged in, first seen unknown',
    user: { lastLogin: NEVER, firstSeen: null },
    verdict: 'keep',
    because: 'first seen unknown',
  },
  {
    name: 'first seen by the first scan, existingUsersSeenSince dates the backlog',
    policy: { existingUsersSeenSince: '2025-01-01' },
    ctx: { firstScanAt: FIRST_SCAN_AT },
    user: { lastLogin: NEVER, firstSeen: FIRST_SCAN_AT },
    verdict: 'never-logged-in',
    because: 'dated by existingUsersSeenSince',
  },
  {
    name: 'first seen by the first scan, no existingUsersSeenSince: the scan date counts',
    ctx: { firstScanAt: FIRST_SCAN_AT },
    user: { lastLogin: NEVER, firstSeen: FIRST_SCAN_AT },
    verdict: 'keep',
  },
  {
    name: 'first seen by a later scan: existingUsersSeenSince does not apply',
    policy: { existingUsersSeenSince: '2025-01-01' },
    ctx: { firstScanAt: FIRST_SCAN_AT },
    user: { lastLogin: NEVER, firstSeen: new Date(FIRST_SCAN_AT.getTime() + 1) },
    verdict: 'keep',
  },
  {
    name: 'existingUsersSeenSince without a known first scan does not apply',
    policy: { existingUsersSeenSince: '2025-01-01' },
    user: { lastLogin: NEVER, firstSeen: FIRST_SCAN_AT },
    verdict: 'keep',
  },
  // inactive
  {
    name: 'last login exactly 90 days before asOf',
    user: { lastLogin: loginAt('2026-08-31T00:00:00.000Z') },
    verdict: 'keep',
    because: 'last login within 90 days before asOf',
  },
  {
    name: 'last login 90 days and 1 ms before asOf',
    user: { lastLogin: loginAt('2026-08-30T23:59:59.999Z') },
    verdict: 'inactive',
    because: 'last login more than 90 days before asOf',
  },
  {
    name: 'login at 2026-08-31T09:00+10:00 is 2026-08-30T23:00Z: more than 90 days',
    user: { lastLogin: loginAt('2026-08-31T09:00:00+10:00') },
    verdict: 'inactive',
  },
  {
    name: 'login at 2026-08-31T10:00+10:00 is exactly the threshold: keep',
    user: { lastLogin: loginAt('2026-08-31T10:00:00+10:00') },
    verdict: 'keep',
  },
  {
    name: 'login at 2026-08-30T20:00-05:00 is 2026-08-31T01:00Z: keep',
    user: { lastLogin: loginAt('2026-08-30T20:00:00-05:00') },
    verdict: 'keep',
  },
  {
    name: 'a login after asOf (a re-run of an old run) is recent',
    user: { lastLogin: loginAt('2026-12-01T00:00:00.000Z') },
    verdict: 'keep',
  },
  {
    name: 'inactiveDays from the policy',
    policy: { inactiveDays: 365 },
    user: { lastLogin: OLD_LOGIN },
    verdict: 'keep',
  },
  // undetermined
  {
    name: 'last login unknown',
    user: { lastLogin: UNKNOWN_LOGIN },
    verdict: 'undetermined',
    because: 'last login unknown',
  },
  {
    name: 'last login unknown and directory unknown',
    user: { lastLogin: UNKNOWN_LOGIN, directory: UNKNOWN_DIRECTORY },
    verdict: 'undetermined',
  },
  {
    name: 'an unreadable login time is unknown, not old',
    user: { lastLogin: { status: 'known', at: new Date('not a date'), source: 'jira' } },
    verdict: 'undetermined',
  },
  {
    name: 'unknown login, but exempt',
    user: { lastLogin: UNKNOWN_LOGIN, groups: ['jira-administrators'] },
    verdict: 'exempt',
  },
  // keep
  { name: 'recent login, active in the directory', verdict: 'keep', because: 'active in scim' },
  // --only
  {
    name: 'only never-logged-in: an inactive user is kept, and the plan says why',
    ctx: { only: 'never-logged-in' },
    user: { lastLogin: OLD_LOGIN },
    verdict: 'keep',
    because: "not in this run's scope (--only never-logged-in)",
  },
  {
    name: 'only never-logged-in: a leaver is not offboarded',
    ctx: { only: 'never-logged-in' },
    user: { directory: ABSENT },
    verdict: 'keep',
    because: "not in this run's scope (--only never-logged-in)",
  },
  {
    name: 'only never-logged-in: a never-logged-in user',
    ctx: { only: 'never-logged-in' },
    user: { lastLogin: NEVER, firstSeen: new Date('2026-01-01T00:00:00.000Z') },
    verdict: 'never-logged-in',
  },
  {
    name: 'only never-logged-in: exemptions still apply',
    ctx: { only: 'never-logged-in' },
    user: {
      lastLogin: NEVER,
      firstSeen: new Date('2026-01-01T00:00:00.000Z'),
      groups: ['jira-administrators'],
    },
    verdict: 'exempt',
  },
  {
    name: 'only inactive: a disabled user who is also inactive is reclaimed as inactive',
    ctx: { only: 'inactive' },
    user: { directory: DISABLED, lastLogin: OLD_LOGIN },
    verdict: 'inactive',
    because: "not in this run's scope (--only inactive)",
  },
  {
    name: 'only inactive: a never-logged-in user is kept',
    ctx: { only: 'inactive' },
    user: { lastLogin: NEVER, firstSeen: new Date('2026-01-01T00:00:00.000Z') },
    verdict: 'keep',
  },
  {
    name: 'only left-company: a leaver',
    ctx: { only: 'left-company' },
    user: { directory: DISABLED },
    verdict: 'left-company',
  },
  {
    name: 'only left-company: an inactive user is kept',
    ctx: { only: 'left-company' },
    user: { lastLogin: OLD_LOGIN },
    verdict: 'keep',
    because: "login rules not in this run's scope (--only left-company)",
  },
  {
    name: 'only left-company: an unknown login does not matter',
    ctx: { only: 'left-company' },
    user: { lastLogin: UNKNOWN_LOGIN },
    verdict: 'keep',
  },
  {
    name: 'only left-company and the directory unknown: nothing can be decided',
    ctx: { only: 'left-company' },
    user: { directory: UNKNOWN_DIRECTORY },
    verdict: 'undetermined',
  },
];

describe('policy: the verdict table, first match wins', () => {
  for (const row of rows) {
    it(`${row.name} → ${row.verdict}`, () => {
      const evaluation = evaluateUser(userWith(row.user), policyWith(row.policy), contextWith(row.ctx));
      assert.equal(evaluation.verdict, row.verdict, JSON.stringify(evaluation.reasons));
      assert.ok(evaluation.reasons.length > 0, 'every verdict carries a reason');
      if (row.because) {
        assert.ok(
          evaluation.reasons.some((r) => r.rule.includes(row.because!)),
          `expected a reason containing "${row.because}", got ${JSON.stringify(evaluation.reasons)}`,
        );
      }
      const withActions: Verdict[] = ['left-company', 'never-logged-in', 'inactive'];
      if (!withActions.includes(evaluation.verdict)) assert.deepEqual(evaluation.actions, []);
    });
  }

  it('does not read the clock: the same facts give the same evaluation', () => {
    const facts = userWith({ lastLogin: OLD_LOGIN });
    const first = evaluateUser(facts, policyWith(), contextWith());
    const second = evaluateUser(facts, policyWith(), contextWith({ asOf: new Date(AS_OF) }));
    assert.deepEqual(first, second);
  });
});
