import type { JiraUser } from '../jira/types.js';

/*
 * The user as the previous step of the same chain left it. A leaver's chain is several steps
 * (remove-groups, then deactivate, then rename), each a job of its own queue; each used to
 * re-read the user first, one Jira request per step, though the step before had read the user
 * and made its changes a moment earlier. The rule that lets a step act on that state instead:
 *
 * - it was read by the previous step of this chain, and that step's own changes are applied
 *   to it (nothing else in Reclaim changes the user while the chain runs: its steps run one
 *   after the other);
 * - it was read at most CARRIED_STATE_FRESH_MS ago — no longer than one step that reads and
 *   then makes its changes one after the other under the rate limit already trusts its read;
 * - it is the step's first attempt: a retried step (or one handed back after a crash) reads
 *   again, as an earlier attempt may have changed the user;
 * - the chain's first step always reads: its re-check of the plan needs the user as Jira
 *   holds it now.
 *
 * What this risks is bounded: a change made in Jira by someone else within those seconds is
 * not seen, and a stale state only ever makes a step do less (a group added meanwhile is not
 * removed) or meet an error that makes it read again (a membership already gone).
 */

/** How old the carried state may be when the next step starts. */
export const CARRIED_STATE_FRESH_MS = 5_000;

export interface CarriedUser {
  /** When the state was read from Jira (ms since the epoch, the reading worker's clock). */
  readAt: number;
  user: JiraUser;
}

/** The carried user when the rule above lets the step act on it, else undefined (read again). */
export function freshCarriedUser(
  carried: CarriedUser | undefined,
  firstAttempt: boolean,
  now = Date.now(),
): JiraUser | undefined {
  if (!carried || !firstAttempt) return undefined;
  const age = now - carried.readAt;
  // A negative age is a clock that disagrees with the reader's: not to be trusted either way.
  return age >= 0 && age <= CARRIED_STATE_FRESH_MS ? carried.user : undefined;
}
