/*
 * The naive admin script: list the users, then for each one, in turn, ask Jira for the user with
 * every group (`GET /rest/api/2/user?username=…&expand=groups`; on Jira 9, whose users carry
 * no last login, Crowd's attributes of the user too) and decide. The SCIM directory is read
 * once, in pages, before the loop. One request at a time.
 *
 * `sample`: stop after that many users; the result then says how long the setup took and how
 * long the users took, so the caller can extrapolate to every user.
 */
import { Decider } from './decide.js';
import {
  licenceGroups,
  listUsers,
  myself,
  scimDirectory,
  userWithGroups,
  crowdLastLogin,
} from './jira-reads.js';
import type { ScriptOptions, ScriptResult } from './smart.js';

export interface NaiveResult extends ScriptResult {
  /** The reads before the per-user loop (application roles, /myself, the SCIM directory). */
  setupSeconds: number;
  /** The loop over the `users` decided (listing pages included). */
  loopSeconds: number;
  /** The loop stopped at the sample size before every user was decided. */
  sampled: boolean;
}

export async function runNaiveScript(options: ScriptOptions & { sample?: number }): Promise<NaiveResult> {
  const { target } = options;
  const started = performance.now();
  const licence = await licenceGroups(target, options.applications);
  const own = await myself(target);
  const directory = await scimDirectory(target, 1);
  const decider = new Decider({
    policy: options.policy,
    asOf: options.asOf,
    licenceGroups: licence,
    ownAccount: { key: own.key, name: own.name },
    directory,
  });
  const loopStarted = performance.now();
  const limit = options.sample ?? Number.POSITIVE_INFINITY;
  let users = 0;
  let sampled = false;
  listing: for await (const page of listUsers(target, options.profile, 1)) {
    for (const listed of page) {
      if (users >= limit) {
        sampled = true;
        break listing;
      }
      const user = await userWithGroups(target, listed.name);
      const lastLogin = options.profile === 'dc9' ? await crowdLastLogin(target, listed.name) : undefined;
      decider.count(decider.evaluate(user, user.groups, lastLogin));
      users++;
    }
  }
  const ended = performance.now();
  return {
    users,
    seconds: (ended - started) / 1000,
    setupSeconds: (loopStarted - started) / 1000,
    loopSeconds: (ended - loopStarted) / 1000,
    sampled,
    verdicts: decider.counts,
  };
}
