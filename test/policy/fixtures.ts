import { configSchema, type PolicyConfig } from '../../config/schema.js';
import type { PolicyContext, UserFacts } from '../../services/policy/types.js';

/** The run every policy test evaluates against: 90 days before it is 2026-08-31T00:00:00Z. */
export const AS_OF = new Date('2026-11-29T00:00:00.000Z');
export const FIRST_SCAN_AT = new Date('2026-11-01T06:00:00.000Z');

export const LICENCE_GROUPS = new Set(['jira-software-users', 'jira-servicedesk-agents']);

export function policyWith(overrides: Record<string, unknown> = {}): PolicyConfig {
  return configSchema.parse({ policy: overrides }).policy;
}

export function contextWith(overrides: Partial<PolicyContext> = {}): PolicyContext {
  return { asOf: AS_OF, licenceGroups: LICENCE_GROUPS, ...overrides };
}

/** An active, licensed user who logged in yesterday and is active in the directory. */
export function userWith(overrides: Partial<UserFacts> = {}): UserFacts {
  return {
    key: 'JIRAUSER10001',
    name: 'alice',
    displayName: 'Alice Ames',
    emailAddress: 'alice@example.com',
    active: true,
    groups: ['jira-software-users', 'developers'],
    lastLogin: { status: 'known', at: new Date('2026-11-28T08:00:00.000Z'), source: 'jira' },
    firstSeen: new Date('2026-01-10T06:00:00.000Z'),
    directory: { status: 'active', source: 'scim', attribute: 'active=true' },
    ...overrides,
  };
}

export function loginAt(iso: string): UserFacts['lastLogin'] {
  return { status: 'known', at: new Date(iso), source: 'jira' };
}

export const NEVER: UserFacts['lastLogin'] = { status: 'never', source: 'jira' };
