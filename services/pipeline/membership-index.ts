import { SCRATCH_TTL_SECONDS, runScratchKeys } from '../runs/run-keyspace.js';
import type { RedisClient } from '../../queues/connection.js';

/*
 * Who is in the groups the policy looks at, gathered in bulk from Jira's group-member listing
 * once per run and kept in Redis (one set of user keys per group), not in a worker's memory:
 * the scan then asks for a page of users at a time. SADD is idempotent, so a scan retried
 * after a crash simply adds the same members again. The sets are scratch: each group is noted
 * in the run's member-groups set, so that discardRunScratch finds them at the run's end.
 */

export class MembershipIndex {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly runId: string,
  ) {}

  private key(group: string): string {
    return runScratchKeys(this.prefix, this.runId).members(group);
  }

  async add(group: string, userKeys: string[]): Promise<void> {
    if (userKeys.length === 0) return;
    const registry = runScratchKeys(this.prefix, this.runId).memberGroups;
    await this.redis
      .multi()
      .sadd(registry, group.toLowerCase())
      .expire(registry, SCRATCH_TTL_SECONDS)
      .sadd(this.key(group), ...userKeys)
      .expire(this.key(group), SCRATCH_TTL_SECONDS)
      .exec();
  }

  /** For each user key, the groups (of `groups`) it is a member of; one round trip. */
  async groupsOf(userKeys: string[], groups: readonly string[]): Promise<Map<string, string[]>> {
    const result = new Map<string, string[]>(userKeys.map((key) => [key, []]));
    if (userKeys.length === 0 || groups.length === 0) return result;
    const pipeline = this.redis.pipeline();
    for (const group of groups) pipeline.smismember(this.key(group), ...userKeys);
    const replies = (await pipeline.exec()) ?? [];
    groups.forEach((group, g) => {
      const [error, flags] = replies[g] ?? [];
      if (error) throw error;
      (flags as number[]).forEach((flag, u) => {
        if (flag === 1) result.get(userKeys[u]!)!.push(group);
      });
    });
    return result;
  }
}
