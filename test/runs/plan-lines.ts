import type { PlanLine } from '../../services/runs/types.js';

/* Plan lines as the evaluate worker would record them, for the plan and CSV tests. */

export function keepLine(key: string, overrides: Partial<PlanLine> = {}): PlanLine {
  return {
    key,
    name: key.toLowerCase(),
    displayName: `User ${key}`,
    emailAddress: `${key.toLowerCase()}@example.com`,
    active: true,
    lastLogin: '2026-11-01T08:00:00.000Z',
    lastLoginStatus: 'known',
    verdict: 'keep',
    actions: [],
    reasons: [
      { signal: 'last-login', rule: 'logged in within inactiveDays', value: '2026-11-01T08:00:00.000Z' },
    ],
    ...overrides,
  };
}

export function inactiveLine(key: string, overrides: Partial<PlanLine> = {}): PlanLine {
  return keepLine(key, {
    lastLogin: '2026-01-15T09:30:00.000Z',
    verdict: 'inactive',
    actions: [{ type: 'revoke-license', groups: ['jira-software-users'] }],
    reasons: [
      {
        signal: 'last-login',
        rule: 'last login more than inactiveDays before asOf',
        value: '2026-01-15T09:30:00.000Z',
        threshold: '90 days',
      },
    ],
    ...overrides,
  });
}

export function leaverLine(key: string, overrides: Partial<PlanLine> = {}): PlanLine {
  return keepLine(key, {
    verdict: 'left-company',
    actions: [
      { type: 'revoke-license', groups: ['jira-software-users', 'jira-servicedesk-agents'] },
      { type: 'remove-groups', groups: ['developers'] },
      { type: 'deactivate' },
      { type: 'rename', to: `${key.toLowerCase()}_inactive_20261129` },
    ],
    reasons: [{ signal: 'directory', rule: 'absent from the external directory', value: 'scim: absent' }],
    ...overrides,
  });
}

/** A mix of verdicts, as a real plan has: most users kept, some inactive, a few leavers. */
export function mixedLine(index: number): PlanLine {
  const key = `JIRAUSER${String(10000 + index)}`;
  if (index % 10 === 3) return inactiveLine(key);
  if (index % 25 === 7) return leaverLine(key);
  if (index % 17 === 5) {
    return keepLine(key, {
      lastLogin: null,
      lastLoginStatus: 'never',
      verdict: 'never-logged-in',
      actions: [{ type: 'revoke-license', groups: ['jira-software-users'] }],
      reasons: [
        { signal: 'first-seen', rule: 'never logged in, first seen more than neverLoggedInDays ago' },
      ],
    });
  }
  return keepLine(key);
}

export async function* fromArray<T>(items: T[]): AsyncIterable<T> {
  for (const item of items) yield item;
}
