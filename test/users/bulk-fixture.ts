import type { FixtureInput } from '../../simulator/index.js';
import { INTERNAL_DIRECTORY, SOFTWARE_ROLE } from '../support/fixture-parts.js';

/*
 * 2,000 users for the bulk-update tests: u0001 … u2000, all in jira-software-users and
 * developers; u1991 … u2000 live in a read-only directory (Jira refuses to edit them).
 */

export const USER_COUNT = 2_000;
export const READ_ONLY_FROM = 1_991;

export const nameOf = (i: number) => `u${String(i).padStart(4, '0')}`;
export const keyOf = (i: number) => `JIRAUSER${20000 + i}`;

export function bulkFixture(): FixtureInput {
  return {
    profile: 'dc11',
    applicationRoles: [SOFTWARE_ROLE],
    directories: [INTERNAL_DIRECTORY, { id: 10000, name: 'Corporate LDAP', readOnly: true }],
    groups: ['jira-software-users', 'developers', 'support', 'jira-administrators'],
    users: Array.from({ length: USER_COUNT }, (_, index) => {
      const i = index + 1;
      return {
        name: nameOf(i),
        key: keyOf(i),
        displayName: `User ${i}`,
        emailAddress: `${nameOf(i)}@example.com`,
        active: true,
        directoryId: i >= READ_ONLY_FROM ? 10000 : 1,
        groups: ['jira-software-users', 'developers'],
        lastLoginTime: '2026-06-01T08:00:00Z',
      };
    }),
  };
}
