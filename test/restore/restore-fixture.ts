import { INTERNAL_DIRECTORY } from '../support/fixture-parts.js';

/*
 * A small Jira for the restore tests: Jira Software and Jira Service Management with a seat
 * count of the test's choosing; two users the policy finds inactive (bob, a developer, and sam,
 * a Service Management agent), two more (carl, dora) for the seat queue, active users who keep
 * their licences, gina, who holds no licence at all (grant on login), and frank, who left the
 * company (absent from the SCIM directory, which only some tests configure).
 */

export const POLICY = { inactiveDays: 90, neverLoggedInDays: 30, trackingGroup: 'jira-inactive-users' };
export const OPEN_BRAKE = { maxActions: 1000, maxPercentOfUsers: 100 };

export const GROUPS_BEFORE: Record<string, string[]> = {
  bob: ['developers', 'jira-software-users'],
  sam: ['jira-servicedesk-users', 'support-agents'],
  carl: ['developers', 'jira-software-users'],
  dora: ['developers', 'jira-software-users'],
};

const LONG_AGO = '2025-01-15T09:00:00Z';

export function restoreFixture(seats: { software?: number; servicedesk?: number } = {}) {
  const recent = new Date(Date.now() - 2 * 24 * 3600_000).toISOString();
  return {
    profile: 'dc11' as const,
    directories: [INTERNAL_DIRECTORY],
    applicationRoles: [
      {
        key: 'jira-software',
        name: 'Jira Software',
        groups: ['jira-software-users'],
        defaultGroups: ['jira-software-users'],
        numberOfSeats: seats.software ?? 50,
      },
      {
        key: 'jira-servicedesk',
        name: 'Jira Service Management',
        groups: ['jira-servicedesk-users'],
        defaultGroups: ['jira-servicedesk-users'],
        numberOfSeats: seats.servicedesk ?? 10,
      },
    ],
    groups: [
      'jira-software-users',
      'jira-servicedesk-users',
      'jira-administrators',
      'jira-inactive-users',
      'developers',
      'support-agents',
      'staff',
    ],
    users: [
      { name: 'admin', groups: ['jira-administrators', 'jira-software-users'], lastLoginTime: recent },
      { name: 'alice', groups: ['jira-software-users', 'developers'], lastLoginTime: recent },
      { name: 'erin', groups: ['jira-servicedesk-users'], lastLoginTime: recent },
      { name: 'bob', groups: GROUPS_BEFORE.bob, lastLoginTime: LONG_AGO },
      { name: 'sam', groups: GROUPS_BEFORE.sam, lastLoginTime: LONG_AGO },
      { name: 'carl', groups: GROUPS_BEFORE.carl, lastLoginTime: LONG_AGO },
      { name: 'dora', groups: GROUPS_BEFORE.dora, lastLoginTime: LONG_AGO },
      { name: 'gina', groups: ['staff'], lastLoginTime: recent },
      // Left the company: only a stack with the SCIM directory finds out.
      { name: 'frank', groups: ['jira-software-users', 'staff'], lastLoginTime: recent },
    ],
    externalDirectory: {
      type: 'scim' as const,
      users: ['admin', 'alice', 'erin', 'bob', 'sam', 'carl', 'dora', 'gina'].map((userName) => ({
        userName,
        active: true,
      })),
    },
  };
}
