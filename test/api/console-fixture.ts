import type { FixtureInput } from '../../simulator/index.js';
import { VERDICT_POLICY, verdictFixture } from '../pipeline/verdict-fixture.js';

/*
 * The console's enterprise: the verdict fixture's users (one per verdict), a user whose name
 * and display name are markup, and a few dozen more spread over the days since their last
 * login, so every bucket of the overview has users.
 */

export const HOSTILE_NAME = '<script>alert(1)</script>';
export const HOSTILE_DISPLAY = '"><img src=x onerror=alert(2)>';
/** Days before now of the spread users' last logins; null: never logged in. */
const SPREAD: Array<number | null> = [3, 12, 25, 40, 70, 85, 95, 120, 170, 200, 260, 340, 400, 600, null];
const DAY_MS = 86_400_000;

export const CONSOLE_POLICY = VERDICT_POLICY;

export function consoleFixture(now = Date.now()): FixtureInput {
  const fixture = verdictFixture();
  const users = [...(fixture.users ?? [])];
  const scim = [...(fixture.externalDirectory?.users ?? [])];
  users.push({
    name: HOSTILE_NAME,
    key: 'JIRAUSER20000',
    displayName: HOSTILE_DISPLAY,
    emailAddress: 'hostile@example.com',
    groups: ['jira-software-users'],
    lastLoginTime: new Date(now - 200 * DAY_MS).toISOString(),
  });
  scim.push({ userName: HOSTILE_NAME, active: true });
  SPREAD.forEach((days, i) => {
    for (const copy of [0, 1]) {
      const name = `user${i}${copy ? 'b' : 'a'}`;
      users.push({
        name,
        key: `JIRAUSER2${String(i * 2 + copy).padStart(4, '0')}1`,
        displayName: `Spread User ${i}${copy ? 'B' : 'A'}`,
        emailAddress: `${name}@example.com`,
        groups: [copy ? 'jira-servicedesk-users' : 'jira-software-users'],
        ...(days === null ? {} : { lastLoginTime: new Date(now - days * DAY_MS).toISOString() }),
      });
      scim.push({ userName: name, active: true });
    }
  });
  // Seats enough for the service desk's spread users: the overview reads like a real Jira's.
  const applicationRoles = (fixture.applicationRoles ?? []).map((role) =>
    role.key === 'jira-servicedesk' ? { ...role, numberOfSeats: 25 } : role,
  );
  return {
    ...fixture,
    applicationRoles,
    users,
    externalDirectory: { type: 'scim', ...fixture.externalDirectory, users: scim },
  };
}
