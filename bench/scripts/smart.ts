/*
 * The smart admin script: what a good Jira admin writes in an afternoon. Bulk reads only — the
 * SCIM directory in pages of 1,000, the members of the groups the policy names in pages of 50,
 * the users in the listing's pages (Jira 9: Crowd's user search, which carries the last logins;
 * Jira 10: username prefixes, using the answers' username order) — a few requests in flight, decisions inline, no queue and no store. A leaver's full group
 * list (for remove-groups) is read per leaver, as Reclaim does.
 */
import type { PolicyConfig } from '../../config/schema.js';
import { policyGroups } from '../../services/pipeline/scan-run.js';
import type { Profile } from '../../simulator/index.js';
import { Decider, type VerdictCounts } from './decide.js';
import { inPool, type ScriptTarget } from './jira-http.js';
import { partitionedUsers } from './prefix-search.js';
import {
  crowdUsers,
  groupMemberKeys,
  licenceGroups,
  listUsers,
  myself,
  scimDirectory,
  userWithGroups,
  type ListedUser,
} from './jira-reads.js';

export interface ScriptOptions {
  target: ScriptTarget;
  profile: Profile;
  policy: PolicyConfig;
  /** jira.applications: whose licence groups count. */
  applications: readonly string[];
  asOf: Date;
}

export interface ScriptResult {
  /** Users decided. */
  users: number;
  seconds: number;
  verdicts: VerdictCounts;
}

const CONCURRENCY = 8;
/** Listing queries in flight: as many prefixes at once as Reclaim's partitioned search asks. */
const LISTING_CONCURRENCY = 4;

export async function runSmartScript(options: ScriptOptions): Promise<ScriptResult> {
  const { target } = options;
  const started = performance.now();
  const [licence, own, directory] = await Promise.all([
    licenceGroups(target, options.applications),
    myself(target),
    scimDirectory(target, CONCURRENCY),
  ]);
  const groupsByKey = new Map<string, string[]>();
  for (const group of policyGroups(options.policy, licence)) {
    for (const key of await groupMemberKeys(target, group, CONCURRENCY)) {
      const groups = groupsByKey.get(key);
      if (groups) groups.push(group);
      else groupsByKey.set(key, [group]);
    }
  }
  const decider = new Decider({
    policy: options.policy,
    asOf: options.asOf,
    licenceGroups: licence,
    ownAccount: { key: own.key, name: own.name },
    directory,
  });

  let users = 0;
  const decidePage = async (page: Array<ListedUser & { lastLogin?: Date | null }>) => {
    const leavers: Array<ListedUser & { lastLogin?: Date | null }> = [];
    for (const user of page) {
      const evaluation = decider.evaluate(user, groupsByKey.get(user.key) ?? [], user.lastLogin);
      if (evaluation.verdict === 'left-company') leavers.push(user);
      else decider.count(evaluation);
    }
    // remove-groups takes every group but the kept ones: read the leaver's full list.
    await inPool(leavers, CONCURRENCY, async (user) => {
      const full = await userWithGroups(target, user.name);
      decider.count(decider.evaluate(user, full.groups, user.lastLogin));
    });
    users += page.length;
  };
  const pages =
    options.profile === 'dc9'
      ? crowdUsers(target, CONCURRENCY)
      : options.profile === 'dc10'
        ? partitionedUsers(target, LISTING_CONCURRENCY)
        : listUsers(target, options.profile, LISTING_CONCURRENCY);
  for await (const page of pages) await decidePage(page);
  return { users, seconds: (performance.now() - started) / 1000, verdicts: decider.counts };
}
