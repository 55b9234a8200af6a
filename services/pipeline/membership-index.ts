import { BucketedSet } from '../runs/bucketed-set.js';
import { SCRATCH_TTL_SECONDS, runScratchKeys } from '../runs/run-keyspace.js';
import type { RedisClient } from '../../queues/connection.js';

/*
 * Who is in the groups the policy looks at, gathered in bulk from Jira's group-member listing
 * once per run and kept in Redis (one bucketed set of user keys per group, bucketed-set.ts: a
 * licence group of a million members in compact hashes), not in a worker's memory: the scan
 * then asks for a page of users at a time. Adding is idempotent, so a scan retried after a
 * crash simply adds the same members again. The sets are scratch: each group is noted in the
 * run's member-groups set, so that discardRunScratch finds them at the run's end.
 */

export class MembershipIndex {
  /** The groups this scan attempt has registered in the run's member-groups set already. */
  private readonly registered = new Set<string>();

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly runId: string,
  ) {}

  private set(group: string): BucketedSet {
    return new BucketedSet(
      this.redis,
      runScratchKeys(this.prefix, this.runId).members(group),
      SCRATCH_TTL_SECONDS,
    );
  }

  async add(group: string, userKeys: string[]): Promise<void> {
    if (userKeys.length === 0) return;
    const lower = group.toLowerCase();
    // The group is registered before any member is written, so discard always finds its keys;
    // once per group and scan attempt, not once per page (a licence group has thousands).
    if (!this.registered.has(lower)) {
      const registry = runScratchKeys(this.prefix, this.runId).memberGroups;
      await this.redis.multi().sadd(registry, lower).expire(registry, SCRATCH_TTL_SECONDS).exec();
      this.registered.add(lower);
    }
    await this.set(group).add(userKeys);
  }

  /** For each user key, the groups (of `groups`) it is a member of; one script per group. */
  async groupsOf(userKeys: string[], groups: readonly string[]): Promise<Map<string, string[]>> {
    const result = new Map<string, string[]>(userKeys.map((key) => [key, []]));
    if (userKeys.length === 0 || groups.length === 0) return result;
    const flags = await Promise.all(groups.map((group) => this.set(group).has(userKeys)));
    groups.forEach((group, g) => {
      flags[g]!.forEach((flag, u) => {
        if (flag) result.get(userKeys[u]!)!.push(group);
      });
    });
    return result;
  }
}
