import type { Logger } from '../../runtime/logger.js';
import type { CrowdMembership } from '../jira/crowd-membership-xml.js';
import type { JiraDirectory } from '../jira/jira-directory.js';
import { JiraNotFoundError } from '../jira/errors.js';
import { expireScratch, runScratchKeys } from '../runs/run-keyspace.js';
import type { RedisClient } from '../../queues/connection.js';

/*
 * Every user's groups, read once per run from Crowd's `/group/membership` (Jira 9 with
 * `jira.crowd`): one request instead of the policy groups' member listings and one
 * `/user?expand=groups` per leaver. The direct user memberships go to Redis (a sorted set of
 * `username NUL group`, read back by lexical range, a page of users at a time); the nesting
 * of groups stays in memory (there are few groups).
 *
 * Nested groups: Jira's own group list of a user (`/user?expand=groups`, what a leaver's
 * remove-groups is made of elsewhere) is its effective membership, nested groups included, so a
 * user's list here is its direct groups and every group those are nested in, transitively.
 */

export type CrowdMembershipsLoad =
  { status: 'loaded'; memberships: CrowdGroupMemberships } | { status: 'unavailable'; note: string };

const SEPARATOR = '\u0000';
const WRITE_BATCH = 5_000;

export class CrowdGroupMemberships {
  /** Lower-cased child group → the groups it is nested in (as Crowd names them). */
  private readonly parents = new Map<string, Set<string>>();
  private readonly closures = new Map<string, string[]>();
  /** Lower-cased names of every group Crowd listed. */
  private readonly groupNames = new Set<string>();

  constructor(
    private readonly redis: RedisClient,
    private readonly key: string,
  ) {}

  /** Reads Crowd's answer into Redis, streamed; throws whatever the read throws. */
  async load(jira: JiraDirectory, signal: AbortSignal): Promise<{ groups: number; memberships: number }> {
    let groups = 0;
    let memberships = 0;
    await jira.groupMemberships(async (batch: CrowdMembership[]) => {
      signal.throwIfAborted();
      const members: string[] = [];
      for (const membership of batch) {
        groups++;
        this.groupNames.add(membership.group.toLowerCase());
        for (const child of membership.childGroups) {
          const lower = child.toLowerCase();
          const set = this.parents.get(lower) ?? new Set<string>();
          set.add(membership.group);
          this.parents.set(lower, set);
        }
        for (const user of membership.users) members.push(user.toLowerCase() + SEPARATOR + membership.group);
      }
      memberships += members.length;
      for (let i = 0; i < members.length; i += WRITE_BATCH) {
        const slice = members.slice(i, i + WRITE_BATCH);
        await this.redis.zadd(this.key, ...slice.flatMap((member) => ['0', member]));
      }
      await expireScratch(this.redis, this.key);
    });
    return { groups, memberships };
  }

  /** Whether Crowd listed the group (empty or not). */
  hasGroup(group: string): boolean {
    return this.groupNames.has(group.toLowerCase());
  }

  /** For each username (as given), every group it is in, nested included, in name order. */
  async groupsOf(names: readonly string[]): Promise<Map<string, string[]>> {
    const result = new Map<string, string[]>();
    if (names.length === 0) return result;
    const pipeline = this.redis.pipeline();
    for (const name of names) {
      const lower = name.toLowerCase();
      // Every member starting with "name NUL": from "[name\0" up to (not including) "name\x01".
      pipeline.zrangebylex(this.key, `[${lower}${SEPARATOR}`, `(${lower}\u0001`);
    }
    const replies = (await pipeline.exec()) ?? [];
    names.forEach((name, i) => {
      const [error, members] = replies[i] ?? [];
      if (error) throw error;
      const prefixLength = name.toLowerCase().length + 1;
      const direct = (members as string[]).map((member) => member.slice(prefixLength));
      result.set(name, this.effective(direct));
    });
    return result;
  }

  private effective(direct: readonly string[]): string[] {
    const byLower = new Map<string, string>();
    for (const group of direct) {
      byLower.set(group.toLowerCase(), group);
      for (const ancestor of this.ancestors(group)) byLower.set(ancestor.toLowerCase(), ancestor);
    }
    return [...byLower.values()].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
  }

  /** The groups `group` is nested in, transitively (a cycle in Crowd's data ends the walk). */
  private ancestors(group: string): string[] {
    const lower = group.toLowerCase();
    const known = this.closures.get(lower);
    if (known) return known;
    const found = new Map<string, string>();
    const queue = [lower];
    while (queue.length > 0) {
      for (const parent of this.parents.get(queue.pop()!) ?? []) {
        const parentLower = parent.toLowerCase();
        if (parentLower === lower || found.has(parentLower)) continue;
        found.set(parentLower, parent);
        queue.push(parentLower);
      }
    }
    const closure = [...found.values()];
    this.closures.set(lower, closure);
    return closure;
  }
}

/**
 * The run's reading of every membership; on a 404 (Crowd before REST 1.1) or any failure the
 * run keeps today's way (the policy groups' listings, a leaver's groups asked per user) and
 * says so in a note.
 */
export async function readCrowdMemberships(
  jira: JiraDirectory,
  redis: RedisClient,
  prefix: string,
  runId: string,
  logger: Logger,
  signal: AbortSignal,
): Promise<CrowdMembershipsLoad> {
  const key = runScratchKeys(prefix, runId).crowdUserGroups;
  const memberships = new CrowdGroupMemberships(redis, key);
  try {
    const loaded = await memberships.load(jira, signal);
    logger.info({ runId, ...loaded }, "group memberships read from Crowd's API");
    return { status: 'loaded', memberships };
  } catch (error) {
    signal.throwIfAborted();
    // Half a membership list must not count: this attempt's writes are dropped.
    await redis.unlink(key);
    const message = error instanceof Error ? error.message : String(error);
    logger.warn({ runId, err: message }, "Crowd's group memberships unavailable: groups listed one by one");
    const why =
      error instanceof JiraNotFoundError
        ? 'this Crowd API has no /group/membership (Crowd REST before 1.1)'
        : message;
    return {
      status: 'unavailable',
      note: `group memberships could not be read in bulk from Crowd (${why}): the policy groups are listed one by one and each leaver's groups are asked of Jira`,
    };
  }
}
