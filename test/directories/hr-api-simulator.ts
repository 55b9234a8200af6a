import { startSimulator, type RunningSimulator } from '../../simulator/index.js';
import { postSimHook } from '../support/sim-hooks.js';
import { INTERNAL_DIRECTORY, SOFTWARE_ROLE } from '../support/fixture-parts.js';

/** One person of the simulated HR system. */
export interface HrPerson {
  userName: string;
  active: boolean;
  email?: string;
}

export interface HrApiSimulator {
  sim: RunningSimulator;
  /** `…/hr-api/people` */
  peopleUrl: string;
  outage(status: number | null): Promise<void>;
  /** Gives one person a status word of the test's choosing (null restores active/terminated). */
  setStatus(username: string, status: string | null): Promise<void>;
  /** Requests to `GET /hr-api/people` (the listing), by status. */
  listingRequests(): Promise<Record<string, number>>;
}

/** The simulator with these people in its external directory, served over SCIM and the HR API. */
export async function startHrApiSimulator(people: readonly HrPerson[], jiraUsers: readonly string[] = []) {
  const sim = await startSimulator({
    fixture: {
      profile: 'dc11',
      applicationRoles: [SOFTWARE_ROLE],
      directories: [INTERNAL_DIRECTORY],
      groups: ['jira-software-users'],
      users: jiraUsers.map((name) => ({
        name,
        active: true,
        directoryId: 1,
        groups: ['jira-software-users'],
      })),
      externalDirectory: {
        type: 'scim',
        users: people.map((p) => ({
          userName: p.userName,
          active: p.active,
          ...(p.email ? { emails: [{ value: p.email, primary: true }] } : {}),
        })),
      },
    },
  });
  return {
    sim,
    peopleUrl: `${sim.url}/hr-api/people`,
    outage: (status) => postSimHook(sim.url, '/__sim/hr-api/outage', { status }),
    setStatus: (username, status) => postSimHook(sim.url, '/__sim/hr-api/status', { username, status }),
    async listingRequests() {
      const stats = (await (await fetch(`${sim.url}/__sim/stats`)).json()) as {
        requests: { byRoute: Record<string, Record<string, number>> };
      };
      return stats.requests.byRoute['GET /hr-api/people'] ?? {};
    },
  } satisfies HrApiSimulator;
}
