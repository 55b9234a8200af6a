import type { FixtureInput } from '../../simulator/index.js';

/*
 * One user per verdict and per edge case, for a run as of AS_OF with the policy of
 * VERDICT_POLICY. EXPECTED says what the plan must hold for each of them.
 */

export const AS_OF = new Date('2026-11-29T00:00:00Z');

export const VERDICT_POLICY = {
  inactiveDays: 90,
  neverLoggedInDays: 30,
  existingUsersSeenSince: '2026-01-01',
  skipUsers: ['svc-bot'],
  trackingGroup: 'jira-inactive-users',
  keepGroups: ['staff'],
  rename: { enabled: true },
};

const SOFTWARE = 'jira-software-users';

interface U {
  name: string;
  groups: string[];
  lastLoginTime?: string;
  active?: boolean;
  directoryId?: number;
}

const users: U[] = [
  { name: 'alice', groups: [SOFTWARE, 'developers'], lastLoginTime: '2026-11-01T08:00:00Z' },
  { name: 'bob', groups: [SOFTWARE, 'developers'], lastLoginTime: '2026-05-01T08:00:00Z' },
  { name: 'carol', groups: [SOFTWARE] },
  { name: 'dave', groups: [SOFTWARE], active: false, lastLoginTime: '2025-01-01T00:00:00Z' },
  { name: 'erin', groups: [SOFTWARE, 'jira-administrators'], lastLoginTime: '2025-01-01T00:00:00Z' },
  { name: 'svc-bot', groups: [SOFTWARE], lastLoginTime: '2024-01-01T00:00:00Z' },
  { name: 'frank', groups: [SOFTWARE, 'developers', 'staff'], lastLoginTime: '2026-11-20T08:00:00Z' },
  { name: 'grace', groups: ['jira-servicedesk-users', 'support'], lastLoginTime: '2026-11-20T08:00:00Z' },
  // Exactly 90 days before asOf: not "more than" 90 days.
  { name: 'heidi', groups: [SOFTWARE], lastLoginTime: '2026-08-31T00:00:00Z' },
  // One second more, written with a +10:00 offset as Jira does.
  { name: 'ivan', groups: [SOFTWARE], lastLoginTime: '2026-08-31T09:59:59+1000' },
  { name: 'judy', groups: ['developers'], lastLoginTime: '2026-01-01T00:00:00Z' },
  {
    name: 'ken',
    groups: [SOFTWARE, 'developers'],
    lastLoginTime: '2026-11-25T00:00:00Z',
    directoryId: 10000,
  },
  {
    name: 'zoë o’neil+test',
    groups: [SOFTWARE, 'jira-core-users'],
    lastLoginTime: '2026-02-01T00:00:00+0100',
  },
  { name: 'mallory', groups: [SOFTWARE], lastLoginTime: '2026-11-28T00:00:00Z' },
  { name: 'nina', groups: [SOFTWARE, 'jira-servicedesk-users'], lastLoginTime: '2026-11-28T00:00:00Z' },
];

/** Present and active in the directory unless named here. */
const directory: Record<string, 'absent' | 'disabled'> = {
  frank: 'absent',
  grace: 'disabled',
  ken: 'absent',
};

export function verdictFixture(profile: 'dc9' | 'dc10' | 'dc11' = 'dc11'): FixtureInput {
  return {
    profile,
    applicationRoles: [
      {
        key: 'jira-software',
        name: 'Jira Software',
        groups: [SOFTWARE],
        defaultGroups: [SOFTWARE],
        numberOfSeats: 50,
      },
      {
        key: 'jira-servicedesk',
        name: 'Jira Service Management',
        groups: ['jira-servicedesk-users'],
        defaultGroups: ['jira-servicedesk-users'],
        numberOfSeats: 10,
      },
      {
        key: 'jira-core',
        name: 'Jira Work Management',
        groups: ['jira-core-users'],
        defaultGroups: ['jira-core-users'],
        numberOfSeats: 10,
      },
    ],
    directories: [
      { id: 1, name: 'Jira Internal Directory', readOnly: false },
      { id: 10000, name: 'Corporate LDAP', readOnly: true },
    ],
    groups: [
      SOFTWARE,
      'jira-servicedesk-users',
      'jira-core-users',
      'jira-administrators',
      'jira-system-administrators',
      'jira-inactive-users',
      'developers',
      'support',
      'staff',
    ],
    users: users.map((u, i) => ({
      name: u.name,
      key: `JIRAUSER${10100 + i}`,
      displayName: u.name.replace(/^./, (c) => c.toUpperCase()),
      emailAddress: `${u.name.replace(/[^a-z]/g, '')}@example.com`,
      active: u.active ?? true,
      directoryId: u.directoryId ?? 1,
      groups: u.groups,
      ...(u.lastLoginTime ? { lastLoginTime: u.lastLoginTime } : {}),
    })),
    externalDirectory: {
      type: 'scim',
      users: users
        .filter((u) => directory[u.name] !== 'absent')
        .map((u) => ({ userName: u.name, active: directory[u.name] !== 'disabled' })),
    },
  };
}

type Expected = { verdict: string; actions: string[] };

/** Actions written as in the plan CSV: type(groups or target). */
export const EXPECTED: Record<string, Expected> = {
  alice: { verdict: 'keep', actions: [] },
  bob: {
    verdict: 'inactive',
    actions: [`revoke-license(${SOFTWARE})`, 'add-groups(jira-inactive-users)'],
  },
  carol: {
    verdict: 'never-logged-in',
    actions: [`revoke-license(${SOFTWARE})`, 'add-groups(jira-inactive-users)'],
  },
  dave: { verdict: 'already-inactive', actions: [] },
  erin: { verdict: 'exempt', actions: [] },
  'svc-bot': { verdict: 'exempt', actions: [] },
  frank: {
    verdict: 'left-company',
    actions: [
      `revoke-license(${SOFTWARE})`,
      'remove-groups(developers)',
      'deactivate',
      'rename(frank_inactive_20261129)',
      'add-groups(jira-inactive-users)',
    ],
  },
  grace: {
    verdict: 'left-company',
    actions: [
      'revoke-license(jira-servicedesk-users)',
      'remove-groups(support)',
      'deactivate',
      'rename(grace_inactive_20261129)',
      'add-groups(jira-inactive-users)',
    ],
  },
  heidi: { verdict: 'keep', actions: [] },
  ivan: {
    verdict: 'inactive',
    actions: [`revoke-license(${SOFTWARE})`, 'add-groups(jira-inactive-users)'],
  },
  judy: { verdict: 'inactive', actions: ['add-groups(jira-inactive-users)'] },
  ken: {
    verdict: 'left-company',
    actions: [
      `revoke-license(${SOFTWARE})`,
      'remove-groups(developers)',
      'deactivate',
      'rename(ken_inactive_20261129)',
      'add-groups(jira-inactive-users)',
    ],
  },
  'zoë o’neil+test': {
    verdict: 'inactive',
    actions: [`revoke-license(${SOFTWARE},jira-core-users)`, 'add-groups(jira-inactive-users)'],
  },
  mallory: { verdict: 'keep', actions: [] },
  nina: { verdict: 'keep', actions: [] },
};
