import { startSimulator, type FixtureInput } from '../../simulator/index.js';
import { INTERNAL_DIRECTORY, SOFTWARE_ROLE } from '../support/fixture-parts.js';
import { findSimUser, type SimUserState } from '../support/sim-hooks.js';
import { JiraDataCenterClient, type JiraDataCenterClientOptions } from '../../services/jira/index.js';

export type RunningSimulator = Awaited<ReturnType<typeof startSimulator>>;
export type SimulatorOptions = Parameters<typeof startSimulator>[0];

/** The simulator's default Jira User Server application, as the client's `crowd` option. */
export const CROWD_APPLICATION = { username: 'reclaim', password: 'reclaim-secret' };
export const SIM_TOKEN = 'sim-token';

export { startSimulator, type FixtureInput };

/** A client of the simulator with fast retries, so fault tests stay short. */
export function clientFor(
  sim: RunningSimulator,
  options: Partial<JiraDataCenterClientOptions> = {},
): JiraDataCenterClient {
  return new JiraDataCenterClient({ baseUrl: sim.url, token: SIM_TOKEN, retryBaseDelayMs: 20, ...options });
}

/** The user as the simulated Jira holds it now (test hook, outside the REST API under test). */
export function simUser(sim: RunningSimulator, name: string): Promise<SimUserState | undefined> {
  return findSimUser(sim.url, name);
}

export async function simRequestCount(sim: RunningSimulator): Promise<number> {
  const response = await fetch(`${sim.url}/__sim/stats`);
  return ((await response.json()) as { requests: { total: number } }).requests.total;
}

export async function resetSim(sim: RunningSimulator): Promise<void> {
  await fetch(`${sim.url}/__sim/reset`, { method: 'POST' });
}

/** Usernames that break a client that does not encode its query strings. */
export const ODD_NAMES = [
  'ann smith',
  'a+b',
  'x/y',
  'what?',
  'hash#tag',
  '100%',
  'tom&jerry',
  'zoë',
  '山田',
  "o'brien",
];

/** A small enterprise with the awkward cases: odd usernames, a read-only directory, inactive users. */
export function awkwardFixture(profile: 'dc9' | 'dc10' | 'dc11'): FixtureInput {
  const members = Array.from({ length: 120 }, (_, i) => ({
    name: `member${String(i).padStart(3, '0')}`,
    displayName: `Member ${i}`,
    active: i % 4 !== 0,
    groups: ['big-team', 'jira-software-users'],
    ...(i % 3 === 0 ? {} : { lastLoginTime: `2026-0${1 + (i % 9)}-1${i % 10}T08:30:00+1000` }),
  }));
  return {
    profile,
    applicationRoles: [
      SOFTWARE_ROLE,
      {
        key: 'jira-core',
        name: 'Jira Core',
        groups: ['jira-core-users'],
        defaultGroups: ['jira-core-users'],
      },
    ],
    directories: [INTERNAL_DIRECTORY, { id: 10000, name: 'Corporate LDAP', readOnly: true }],
    groups: [
      'jira-software-users',
      'jira-core-users',
      'jira-administrators',
      'developers',
      'big-team',
      'grüppe & co',
    ],
    users: [
      {
        name: 'admin',
        key: 'admin',
        displayName: 'Administrator',
        groups: ['jira-administrators', 'jira-software-users'],
        lastLoginTime: '2026-11-01T09:00:00Z',
      },
      {
        name: 'alice',
        key: 'JIRAUSER10001',
        displayName: 'Alice Ames',
        emailAddress: 'alice@example.com',
        groups: ['jira-software-users', 'developers'],
        lastLoginTime: '2026-08-31T09:00:00+1000',
      },
      { name: 'ldap.bob', displayName: 'Bob LDAP', directoryId: 10000, groups: ['jira-software-users'] },
      { name: 'gone.gary', displayName: 'Gary Gone', active: false, groups: ['jira-software-users'] },
      ...ODD_NAMES.map((name, i) => ({
        name,
        displayName: `Odd ${i}`,
        groups: ['developers'],
        lastLoginTime: '2026-10-10T10:10:10+05:30',
      })),
      ...members,
    ],
  };
}
