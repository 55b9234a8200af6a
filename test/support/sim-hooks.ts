/*
 * The simulator's test hooks (PRODUCT.md §4), outside the REST API under test: the state of a
 * user as the simulated Jira holds it now, its request and mutation counts, and the switches.
 */

export interface SimUserState {
  name: string;
  key: string;
  active: boolean;
  directoryId: number;
  groups: string[];
  lastLoginTime?: string;
  mutations: number;
}

export interface SimStats {
  requests: {
    total: number;
    byRoute: Record<string, Record<string, number>>;
    /** Requests by the Unix second they arrived in. */
    perSecond: Record<string, number>;
  };
  mutations?: { total: number };
}

/** The user now; undefined when the simulated Jira has no such user. */
export async function findSimUser(simUrl: string, name: string): Promise<SimUserState | undefined> {
  const response = await fetch(`${simUrl}/__sim/state/users/${encodeURIComponent(name)}`);
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`/__sim/state/users/${name}: HTTP ${response.status}`);
  return (await response.json()) as SimUserState;
}

/** The user now; fails when there is no such user. */
export async function getSimUser(simUrl: string, name: string): Promise<SimUserState> {
  const user = await findSimUser(simUrl, name);
  if (!user) throw new Error(`the simulator has no user ${name}`);
  return user;
}

export async function getSimStats(simUrl: string): Promise<SimStats> {
  return (await (await fetch(`${simUrl}/__sim/stats`)).json()) as SimStats;
}

/** POSTs to a test hook (`/__sim/reset`, `/__sim/users/:name/login`, `/__sim/scim/outage` …). */
export async function postSimHook(simUrl: string, path: string, body: unknown = {}): Promise<void> {
  const response = await fetch(`${simUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
}
