import type { DirectoryEntry } from '../../services/directories/directory-answer.js';
import type { FixtureScimUser } from '../../simulator/fixture-schema.js';
import { startSimulator, type RunningSimulator } from '../../simulator/index.js';
import { INTERNAL_DIRECTORY, SOFTWARE_ROLE } from '../support/fixture-parts.js';
import { getSimStats, postSimHook } from '../support/sim-hooks.js';

export type IdpAccount = Partial<FixtureScimUser> & { userName: string };

/** The simulator playing the IdPs, with the hooks the IdP tests use. */
export interface IdpSimulator {
  sim: RunningSimulator;
  faults(idp: 'okta' | 'entra' | 'google', faults: Record<string, unknown>): Promise<void>;
  revokeTokens(idp: 'okta' | 'entra' | 'google'): Promise<void>;
  hook(path: string, body?: unknown): Promise<void>;
  /** Requests the simulator received on one route ("GET /okta/api/v1/users"), by status. */
  requests(route: string): Promise<Record<string, number>>;
  /** Clears every fault, token and change (`/__sim/reset`). */
  reset(): Promise<void>;
}

/** A simulator whose external directory (and so every simulated IdP) holds these accounts. */
export async function startIdpSimulator(
  accounts: IdpAccount[],
  jiraUsers: string[] = [],
): Promise<IdpSimulator> {
  const sim = await startSimulator({
    fixture: {
      profile: 'dc11',
      applicationRoles: [SOFTWARE_ROLE],
      directories: [INTERNAL_DIRECTORY],
      groups: ['jira-software-users'],
      users: jiraUsers.map((name) => ({ name, directoryId: 1, groups: ['jira-software-users'] })),
      externalDirectory: { type: 'idp', users: accounts },
    },
  });
  return {
    sim,
    faults: (idp, faults) => postSimHook(sim.url, `/__sim/idp/${idp}/faults`, faults),
    revokeTokens: (idp) => postSimHook(sim.url, `/__sim/idp/${idp}/revoke-tokens`),
    hook: (path, body) => postSimHook(sim.url, path, body ?? {}),
    async requests(route) {
      return (await getSimStats(sim.url)).requests.byRoute[route] ?? {};
    },
    reset: () => postSimHook(sim.url, '/__sim/reset'),
  };
}

/** The difference of two request counts by status. */
export function delta(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [status, n] of Object.entries(after)) {
    const d = n - (before[status] ?? 0);
    if (d !== 0) out[status] = d;
  }
  return out;
}

/** Time limit and retries for a provider under test: short, so that fault tests end quickly. */
export const TEST_REQUEST_LIMITS = { timeoutMs: 2000, retries: 2, retryDelayMs: 20 } as const;

/** Every entry a provider's `loadAll()` yields, in order. */
export async function loadEntries(provider: {
  loadAll(): AsyncIterable<DirectoryEntry>;
}): Promise<DirectoryEntry[]> {
  const entries: DirectoryEntry[] = [];
  for await (const entry of provider.loadAll()) entries.push(entry);
  return entries;
}
