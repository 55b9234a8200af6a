import { INTERNAL_DIRECTORY, SOFTWARE_ROLE } from '../support/fixture-parts.js';
import { startSimulator, type RunningSimulator } from '../../simulator/index.js';

/** Jira usernames and directory accounts of the SCIM tests' enterprise. */
export interface ScimWorld {
  jiraUsers: string[];
  directory: { userName: string; active: boolean; emails?: { value: string; primary?: boolean }[] }[];
  /** E-mail addresses of the Jira users, by username. */
  jiraEmails?: Record<string, string>;
}

export interface ScimSimulator {
  sim: RunningSimulator;
  scimUrl: string;
  /** Makes the directory answer with this status, never answer ("timeout"), or recover (null). */
  outage(status: number | 'timeout' | null): Promise<void>;
  /** Hides this share of the directory's accounts, as a filtered or half-migrated listing would. */
  hide(percent: number): Promise<void>;
  /** Requests the simulator received for the SCIM Users listing, by status. */
  scimRequests(): Promise<Record<string, number>>;
}

async function post(url: string, body: unknown): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
}

export async function startScimSimulator(world: ScimWorld): Promise<ScimSimulator> {
  const sim = await startSimulator({
    fixture: {
      profile: 'dc11',
      applicationRoles: [SOFTWARE_ROLE],
      directories: [INTERNAL_DIRECTORY],
      groups: ['jira-software-users'],
      users: world.jiraUsers.map((name) => ({
        name,
        ...(world.jiraEmails?.[name] !== undefined ? { emailAddress: world.jiraEmails[name] } : {}),
        active: true,
        directoryId: 1,
        groups: ['jira-software-users'],
      })),
      externalDirectory: { type: 'scim', users: world.directory },
    },
  });
  return {
    sim,
    scimUrl: `${sim.url}/scim/v2`,
    outage: (status) => post(`${sim.url}/__sim/scim/outage`, { status }),
    hide: (percent) => post(`${sim.url}/__sim/scim/hide`, { percent }),
    async scimRequests() {
      const stats = (await (await fetch(`${sim.url}/__sim/stats`)).json()) as {
        requests: { byRoute: Record<string, Record<string, number>> };
      };
      const route = Object.keys(stats.requests.byRoute).find((r) => r.startsWith('GET /scim/v2/Users'));
      return route ? stats.requests.byRoute[route]! : {};
    },
  };
}
