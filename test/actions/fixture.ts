import type { FixtureInput } from '../../simulator/index.js';
import { renameTarget } from '../../services/policy/rename-target.js';
import type { PlannedAction, Verdict } from '../../services/policy/types.js';

/*
 * A small Jira for the action tests: one user per situation the apply stage meets, and the
 * plan a run on 2026-11-29 made for each of them.
 */

export const AS_OF = new Date('2026-11-29T06:00:00Z');
export const RENAME_PATTERN = '{username}_inactive_{yyyyMMdd}';
export const LDAP_DIRECTORY_ID = 10000;
export const READ_ONLY_MESSAGE = 'Cannot edit user, the user directory is read-only.';

export const ACTIONS_FIXTURE: FixtureInput = {
  profile: 'dc11',
  applicationRoles: [
    {
      key: 'jira-software',
      name: 'Jira Software',
      groups: ['jira-software-users'],
      defaultGroups: ['jira-software-users'],
    },
    { key: 'jira-servicedesk', name: 'Jira Service Management', groups: ['jira-servicedesk-agents'] },
  ],
  directories: [
    { id: 1, name: 'Jira Internal Directory', readOnly: false },
    { id: LDAP_DIRECTORY_ID, name: 'Corporate LDAP', readOnly: true },
  ],
  groups: [
    'jira-software-users',
    'jira-servicedesk-agents',
    'developers',
    'security-team',
    'jira-inactive-users',
    'jira-administrators',
  ],
  users: [
    {
      name: 'ivan',
      key: 'JIRAUSER20001',
      groups: ['jira-software-users', 'developers'],
      lastLoginTime: '2026-01-10T09:00:00+0100',
    },
    { name: 'nina', key: 'JIRAUSER20002', groups: ['jira-software-users', 'jira-servicedesk-agents'] },
    {
      name: 'leo',
      key: 'JIRAUSER20003',
      groups: ['jira-software-users', 'developers', 'security-team'],
      lastLoginTime: '2026-11-20T08:00:00Z',
    },
    {
      name: 'lara',
      key: 'JIRAUSER20004',
      directoryId: LDAP_DIRECTORY_ID,
      groups: ['jira-software-users', 'developers'],
      lastLoginTime: '2026-10-01T08:00:00Z',
    },
    {
      name: 'ralf',
      key: 'JIRAUSER20005',
      groups: ['jira-software-users'],
      lastLoginTime: '2026-09-01T08:00:00Z',
    },
    { name: 'ralf_inactive_20261129', key: 'JIRAUSER20006', groups: ['developers'] },
    {
      name: 'lucy',
      key: 'JIRAUSER20007',
      groups: ['jira-software-users'],
      lastLoginTime: '2026-02-01T10:00:00Z',
    },
    {
      name: 'otto',
      key: 'JIRAUSER20008',
      groups: ['jira-software-users', 'developers'],
      lastLoginTime: '2026-06-01T08:00:00Z',
    },
    { name: 'sam', key: 'JIRAUSER20009', groups: [] },
  ],
};

export interface PlannedUser {
  key: string;
  name: string;
  verdict: Verdict;
  lastLogin: string | null;
  actions: PlannedAction[];
}

const rename = (name: string, key: string): PlannedAction => ({
  type: 'rename',
  to: renameTarget(RENAME_PATTERN, { name, key }, AS_OF),
});

export const PLAN: Record<string, PlannedUser> = {
  ivan: {
    key: 'JIRAUSER20001',
    name: 'ivan',
    verdict: 'inactive',
    lastLogin: '2026-01-10T08:00:00.000Z',
    actions: [
      { type: 'revoke-license', groups: ['jira-software-users'] },
      { type: 'add-groups', groups: ['jira-inactive-users'] },
    ],
  },
  nina: {
    key: 'JIRAUSER20002',
    name: 'nina',
    verdict: 'never-logged-in',
    lastLogin: null,
    actions: [
      { type: 'revoke-license', groups: ['jira-servicedesk-agents', 'jira-software-users'] },
      { type: 'add-groups', groups: ['jira-inactive-users'] },
    ],
  },
  leo: {
    key: 'JIRAUSER20003',
    name: 'leo',
    verdict: 'left-company',
    lastLogin: '2026-11-20T08:00:00.000Z',
    actions: [
      { type: 'revoke-license', groups: ['jira-software-users'] },
      { type: 'remove-groups', groups: ['developers', 'security-team'] },
      { type: 'deactivate' },
      rename('leo', 'JIRAUSER20003'),
    ],
  },
  lara: {
    key: 'JIRAUSER20004',
    name: 'lara',
    verdict: 'left-company',
    lastLogin: '2026-10-01T08:00:00.000Z',
    actions: [
      { type: 'revoke-license', groups: ['jira-software-users'] },
      { type: 'remove-groups', groups: ['developers'] },
      { type: 'deactivate' },
      rename('lara', 'JIRAUSER20004'),
    ],
  },
  ralf: {
    key: 'JIRAUSER20005',
    name: 'ralf',
    verdict: 'left-company',
    lastLogin: '2026-09-01T08:00:00.000Z',
    actions: [
      { type: 'revoke-license', groups: ['jira-software-users'] },
      { type: 'deactivate' },
      rename('ralf', 'JIRAUSER20005'),
    ],
  },
  lucy: {
    key: 'JIRAUSER20007',
    name: 'lucy',
    verdict: 'inactive',
    lastLogin: '2026-02-01T10:00:00.000Z',
    actions: [{ type: 'revoke-license', groups: ['jira-software-users'] }],
  },
  otto: {
    key: 'JIRAUSER20008',
    name: 'otto',
    verdict: 'left-company',
    lastLogin: '2026-06-01T08:00:00.000Z',
    actions: [
      { type: 'revoke-license', groups: ['jira-software-users'] },
      { type: 'remove-groups', groups: ['developers'] },
      { type: 'deactivate' },
      rename('otto', 'JIRAUSER20008'),
    ],
  },
};

/** The state each planned user ends in once the whole plan is applied (lucy: see the login test). */
export const PLANNED_END_STATE: Record<
  string,
  { name: string; active: boolean; groups: string[]; mutations: number }
> = {
  ivan: { name: 'ivan', active: true, groups: ['developers', 'jira-inactive-users'], mutations: 2 },
  nina: { name: 'nina', active: true, groups: ['jira-inactive-users'], mutations: 3 },
  leo: { name: 'leo_inactive_20261129', active: false, groups: [], mutations: 5 },
  lara: { name: 'lara', active: true, groups: [], mutations: 2 },
  ralf: { name: 'ralf_inactive_20261129_2', active: false, groups: [], mutations: 3 },
  otto: { name: 'otto_inactive_20261129', active: false, groups: [], mutations: 4 },
};
