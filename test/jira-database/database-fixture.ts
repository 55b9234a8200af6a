import type { FixtureInput } from '../../simulator/index.js';

/*
 * A Jira with an internal directory, a read-only LDAP directory and an administrators group
 * renamed to "it-admins" (it holds ADMINISTER); created dates and last logins given exactly.
 */

export const DB_AS_OF = new Date('2026-11-29T00:00:00Z');
export const CORPORATE_LDAP = 'Corporate LDAP';

export function databaseFixture(profile: 'dc9' | 'dc10' | 'dc11' = 'dc9'): FixtureInput {
  const software = 'jira-software-users';
  return {
    profile,
    applicationRoles: [
      { key: 'jira-software', name: 'Jira Software', groups: [software], defaultGroups: [software] },
    ],
    directories: [
      { id: 1, name: 'Jira Internal Directory', readOnly: false },
      { id: 10000, name: CORPORATE_LDAP, readOnly: true },
      { id: 20000, name: 'Contractors', readOnly: false },
    ],
    groups: [software, 'it-admins', 'developers'],
    globalPermissions: [
      { permission: 'ADMINISTER', group: 'it-admins' },
      { permission: 'USE', group: software },
    ],
    users: [
      // Active, recent login, internal.
      {
        name: 'alice',
        key: 'JIRAUSER10001',
        groups: [software, 'developers'],
        directoryId: 1,
        createdDate: '2024-03-01T10:00:00Z',
        lastLoginTime: '2026-11-20T08:30:00Z',
      },
      // Never logged in, created long ago: never-logged-in by its creation date.
      {
        name: 'carl',
        key: 'JIRAUSER10002',
        groups: [software],
        directoryId: 1,
        createdDate: '2025-01-10T00:00:00Z',
      },
      // Never logged in, created a week ago: kept although first seen long ago would not be.
      {
        name: 'nina',
        key: 'JIRAUSER10003',
        groups: [software],
        directoryId: 1,
        createdDate: '2026-11-22T00:00:00Z',
      },
      // A leaver in the read-only LDAP directory.
      {
        name: 'lena',
        key: 'JIRAUSER10004',
        groups: [software, 'developers'],
        directoryId: 10000,
        createdDate: '2023-05-05T05:05:05Z',
        lastLoginTime: '2026-11-01T08:00:00Z',
      },
      // An administrator through the renamed group, inactive for long.
      {
        name: 'root-admin',
        key: 'JIRAUSER10005',
        groups: [software, 'it-admins'],
        directoryId: 1,
        lastLoginTime: '2025-01-01T00:00:00Z',
      },
      // Inactive in the Contractors directory (skipDirectories names it).
      {
        name: 'tom',
        key: 'JIRAUSER10006',
        groups: [software],
        directoryId: 20000,
        createdDate: '2024-01-01T00:00:00Z',
        lastLoginTime: '2025-06-01T00:00:00Z',
      },
      // The account Reclaim works with (the simulator's admin).
      {
        name: 'admin',
        key: 'admin',
        groups: [software],
        directoryId: 1,
        lastLoginTime: '2026-11-28T00:00:00Z',
      },
    ],
    externalDirectory: {
      type: 'scim',
      users: ['alice', 'carl', 'nina', 'root-admin', 'tom', 'admin'].map((userName) => ({
        userName,
        active: true,
      })),
    },
  };
}
