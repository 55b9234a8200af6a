import type { MutationRecord } from '../../../simulator/index.js';
import type { SimUserState } from '../../support/sim-hooks.js';

/* The whole simulated Jira, read through its test hooks (simulator/README.md). */

/** Every user as the simulated Jira holds it now, by key. */
export async function simUsersByKey(simUrl: string): Promise<Map<string, SimUserState>> {
  const response = await fetch(`${simUrl}/__sim/state/users`);
  if (!response.ok) throw new Error(`/__sim/state/users: HTTP ${response.status}`);
  const { users } = (await response.json()) as { users: SimUserState[] };
  return new Map(users.map((user) => [user.key, user]));
}

/** Every mutation the simulated Jira applied, oldest first. */
export async function simMutationLog(simUrl: string): Promise<MutationRecord[]> {
  const response = await fetch(`${simUrl}/__sim/state/mutations`);
  if (!response.ok) throw new Error(`/__sim/state/mutations: HTTP ${response.status}`);
  return ((await response.json()) as { mutations: MutationRecord[] }).mutations;
}

/** A user's state in the terms a run changes: username, active flag, groups (sorted). */
export interface AccountState {
  name: string;
  active: boolean;
  groups: string[];
}

export function accountState(user: Pick<SimUserState, 'name' | 'active' | 'groups'>): AccountState {
  return { name: user.name, active: user.active, groups: [...user.groups].sort() };
}
