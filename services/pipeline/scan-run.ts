import type { DirectorySourceConfig, PolicyConfig, ReclaimConfig } from '../../config/schema.js';
import type { Logger } from '../../runtime/logger.js';
import type { JiraDirectory } from '../jira/jira-directory.js';
import { JiraNotFoundError } from '../jira/errors.js';
import type { BulkLastLogins, JiraUser, LastLoginSource } from '../jira/types.js';
import { combineDirectoryFacts } from '../directories/combine-directory-facts.js';
import type { DirectorySubject } from '../directories/directory-check.js';
import { adminGroupsOf, protectionOf, type ProtectionContext } from '../policy/protection-rules.js';
import type { DirectoryFact, JiraAccount, JiraUserDirectory } from '../policy/types.js';
import type { ScannedUser } from '../../queues/payloads.js';
import type { JiraDatabaseUser } from '../jira-database/types.js';
import { databasePayload, readRunDatabase } from './run-database-facts.js';
import { readCrowdMemberships } from './crowd-group-memberships.js';
import { recordAdminGroups } from '../jira-database/recorded-admin-groups.js';
import type { FirstSeenStore } from '../runs/first-seen-store.js';
import type { PlanStore } from '../runs/plan-store.js';
import { BucketedSet, bucketedSetKeys } from '../runs/bucketed-set.js';
import { SCRATCH_TTL_SECONDS, expireScratch, runScratchKeys, unlinkKeys } from '../runs/run-keyspace.js';
import type { RunLifecycle } from '../runs/run-lifecycle.js';
import type { RunStore } from '../runs/run-store.js';
import type { Run } from '../runs/types.js';
import { policyNotes } from '../policy/policy-notes.js';
import { licenceGroupsOf } from './licence-groups.js';
import { MembershipIndex } from './membership-index.js';
import { readAhead } from './read-ahead.js';
import type { RunDirectoryView } from './run-directory-view.js';
import { licenceGroupsKey } from './run-context.js';
import type { EvaluationRequest } from './evaluation-request.js';
import type { RedisClient } from '../../queues/connection.js';

export interface ScanDependencies {
  redis: RedisClient;
  prefix: string;
  config: Readonly<ReclaimConfig>;
  logger: Logger;
  jira: JiraDirectory;
  runs: RunStore;
  lifecycle: RunLifecycle;
  plans: PlanStore;
  firstSeen: FirstSeenStore;
  /** Opens the run's view of the external directories (loaded in bulk once). */
  openDirectories(run: Run): Promise<RunDirectoryView>;
}

/** How the scan hands work to the evaluate stage; the queue layer implements it. */
export interface EvaluationSink {
  /** Adds evaluations; adding the same user of the same run twice must add it once. */
  enqueue(requests: EvaluationRequest[]): Promise<void>;
  /** Resolves when the evaluate stage has room for more (back-pressure). */
  waitForRoom(signal: AbortSignal): Promise<void>;
  /** Every user is evaluated: finish the run. */
  finish(runId: string): Promise<void>;
}

export type ScanOutcome = 'scanned' | 'not-scanning';

/**
 * The groups whose members the policy needs to know, in bulk: the administrators groups always
 * (whatever `skipGroups` says), and `extraGroups` (the directory sources' scope groups).
 */
export function policyGroups(
  policy: PolicyConfig,
  licenceGroups: Iterable<string>,
  extraGroups: Iterable<string> = [],
): string[] {
  const groups = [
    ...licenceGroups,
    ...adminGroupsOf(policy),
    ...policy.skipGroups,
    ...policy.onlyGroups,
    ...policy.keepGroups,
    ...(policy.trackingGroup ? [policy.trackingGroup] : []),
    ...extraGroups,
  ];
  const byLower = new Map(groups.map((g) => [g.toLowerCase(), g]));
  return [...byLower.values()];
}

/** The groups the directory sources' scopes name: the scan gathers their members. */
export function directoryScopeGroups(sources: readonly DirectorySourceConfig[]): string[] {
  return sources.flatMap((source) => source.scope?.groups ?? []);
}

/** A user held back until the directories are judged, with each source's answer. */
interface DeferredEntry {
  request: EvaluationRequest;
  facts: DirectoryFact[];
}

/**
 * The scan of one run: gathers the facts Jira gives in bulk (application roles, the members
 * of the policy's groups, the external directory) and then streams every Jira user, page by
 * page, into evaluation requests. Memory stays flat: a page at a time, the rest in Redis.
 * Safe to run again after a crash: every write is idempotent and evaluations carry
 * deterministic ids.
 */
export async function scanRun(
  deps: ScanDependencies,
  runId: string,
  sink: EvaluationSink,
  signal: AbortSignal,
): Promise<ScanOutcome> {
  const { jira, runs, config, redis, prefix } = deps;
  const run = await runs.get(runId);
  const seen = new BucketedSet(redis, runScratchKeys(prefix, runId).seenUsers, SCRATCH_TTL_SECONDS);
  // A scan that crashed after listing everyone only has to report that it is complete.
  if (run?.status === 'evaluating' && !run.counters.scanComplete) {
    await completeScan(deps, runId, seen, sink);
    return 'scanned';
  }
  if (!run || run.status !== 'scanning') return 'not-scanning';
  // Nothing of an earlier attempt is cleared here: after a stall the earlier attempt may still
  // be running (a worker that lost its lock during a Redis outage does not know it), and what
  // it holds back would be lost. A leaver held back twice is confirmed and queued once.
  const { deferred: deferredKey, deferredConfirmed: confirmedKey } = runScratchKeys(prefix, runId);
  await runs.markStarted(runId);
  // One "first seen" time for every user this scan meets (kept across a retried scan), so the
  // users of the very first scan are recognised as such (policy.existingUsersSeenSince).
  const seenAt = new Date((await runs.get(runId))?.startedAt ?? Date.now());

  const capabilities = await jira.detect();
  const connection = await jira.checkConnection();
  // The account Reclaim works with is always exempt; the evaluations read it from the run.
  const ownAccount: JiraAccount = { key: connection.user.key, name: connection.user.name };

  const licence = licenceGroupsOf(await jira.applicationRoles(), config.jira.applications);
  // Jira's database, when configured: read once, in bulk, before any user is listed.
  const database = config.jira.database
    ? await readRunDatabase(config.jira.database, redis, prefix, runId, deps.logger, signal)
    : undefined;
  const fromDatabase = database?.status === 'read' ? database : undefined;
  if (database?.status === 'unavailable' && !run.notes.includes(database.note)) {
    await runs.addNote(runId, database.note);
  }
  for (const note of policyNotes(run.policy, fromDatabase !== undefined)) {
    if (!run.notes.includes(note)) await runs.addNote(runId, note);
  }
  // Jira 9's last logins, in bulk once (Crowd's search) instead of one request per user —
  // unless Jira's database gave them already.
  const lastLogins: BulkLastLogins = fromDatabase ? { status: 'not-needed' } : await jira.lastLoginsInBulk();
  if (lastLogins.status === 'unavailable') {
    const note = `last logins unknown: ${lastLogins.reason}; every login rule is undetermined`;
    if (!run.notes.includes(note)) await runs.addNote(runId, note);
  }
  const protectionContext: ProtectionContext = {
    ownAccount,
    ...(fromDatabase ? { adminGroups: fromDatabase.adminGroups } : {}),
  };
  await runs.setJira(runId, {
    version: capabilities.version,
    account: ownAccount,
    facts: {
      listing: capabilities.listingStrategy,
      lastLoginSource: capabilities.lastLoginSource,
      lastLoginFieldObserved: capabilities.lastLoginFieldObserved,
      searchCap: capabilities.searchCap,
      ...(database ? { database: fromDatabase ? fromDatabase.dialect : 'unavailable' } : {}),
      // The plan knows each user's directory (and the CSV has its column).
      ...(fromDatabase
        ? {
            directoriesKnown: true,
            databaseUsers: fromDatabase.users,
            ...recordAdminGroups(fromDatabase.adminGroups),
          }
        : {}),
      // Which groups grant which managed application, for the per-application report.
      ...Object.fromEntries(
        [...licence.byApplication].map(([app, groups]) => [`licence:${app}`, groups.join(',')]),
      ),
    },
  });
  for (const missing of licence.missing) {
    await runs.addNote(
      runId,
      `application ${missing} is not defined in this Jira: no licence of it is managed`,
    );
  }
  const licenceKey = licenceGroupsKey(prefix, runId);
  await redis.del(licenceKey);
  if (licence.all.size > 0) await redis.sadd(licenceKey, ...licence.all);
  await expireScratch(redis, licenceKey);
  const groups = policyGroups(
    run.policy,
    [...licence.byApplication.values()].flat(),
    directoryScopeGroups(config.directories.sources),
  );
  const members = new MembershipIndex(redis, prefix, runId);
  // With the database every membership is known already: no group listing through REST.
  // Where Crowd's API answers (Jira 9 with jira.crowd), it lists a group's members by username
  // 1,000 a request instead of Jira's 50: the index then holds usernames for this run.
  const byName = lastLogins.status === 'loaded' && lastLogins.source === 'crowd-attributes';
  const memberId = (user: { key: string; name: string }) => (byName ? nameMemberId(user.name) : user.key);
  // Better still, Crowd's /group/membership gives every user's every group in one request: the
  // payload then carries the complete list, and a leaver needs no call of its own.
  const crowd =
    byName && !fromDatabase
      ? await readCrowdMemberships(jira, redis, prefix, runId, deps.logger, signal)
      : undefined;
  const fromCrowd = crowd?.status === 'loaded' ? crowd.memberships : undefined;
  if (crowd?.status === 'unavailable' && !run.notes.includes(crowd.note)) {
    await runs.addNote(runId, crowd.note);
  }
  for (const group of fromCrowd ? groups.filter((g) => !fromCrowd.hasGroup(g)) : []) {
    await runs.addNote(runId, `group ${group} does not exist in Jira: nobody is a member`);
  }
  for (const group of fromDatabase || fromCrowd ? [] : groups) {
    signal.throwIfAborted();
    try {
      if (byName) {
        for await (const names of jira.listGroupMemberNames(group)) {
          await members.add(group, names.map(nameMemberId));
        }
      } else {
        for await (const page of jira.listGroupMembers(group)) {
          await members.add(
            group,
            page.map((user) => user.key),
          );
        }
      }
    } catch (error) {
      if (!(error instanceof JiraNotFoundError)) throw error;
      await runs.addNote(runId, `group ${group} does not exist in Jira: nobody is a member`);
    }
  }

  const directories = await deps.openDirectories(run);

  // The seen set survives a retried scan and keeps "users scanned" exact (a user counts once);
  // a leaver queued by an earlier attempt is queued again under the same job id, so once.
  const listing = jira.listUsers();
  // Three stages overlap: the next page is listed while this one is worked on, and this one is
  // queued while the next is worked on. Pages are still queued one after the other, in order,
  // and the scan is complete only once the last has been queued.
  let queued: Promise<void> = Promise.resolve();
  // Held-back leavers are confirmed by look-ups as the listing goes, not all after it. Should the
  // listing throw, the confirming task waits for a page that never comes and goes with the scan;
  // the lists it works on stay in Redis for the retried scan.
  const confirming = confirmDeferred(redis, deferredKey, confirmedKey, directories, signal);
  for await (const page of readAhead(listing)) {
    signal.throwIfAborted();
    // Cancelled, failed — or finished by another attempt of this scan, whose keys must stay:
    // the lifecycle discards a run's scratch once the run is over.
    const current = await runs.get(runId);
    if (current?.status !== 'scanning') {
      confirming.stop();
      await queued;
      return 'not-scanning';
    }
    const keys = page.map((user) => user.key);
    const [seenCount, groupsByKey, crowdGroups, firstSeen, databaseUsers] = await Promise.all([
      seen.add(keys),
      fromDatabase || fromCrowd ? new Map<string, string[]>() : members.groupsOf(page.map(memberId), groups),
      fromCrowd ? fromCrowd.groupsOf(page.map((user) => user.name)) : new Map<string, string[]>(),
      deps.firstSeen.recordMany(keys, seenAt),
      fromDatabase ? fromDatabase.index.lookup(keys) : new Map<string, JiraDatabaseUser>(),
    ]);
    // "Users scanned" follows the seen set's size, not this page's additions alone: a page that
    // failed after its add (a Redis restart, a directory error) is retried with nothing new to
    // add, and the count it missed is caught up here. One scan job works on a run at a time.
    if (seenCount > current.counters.scanned)
      await runs.addScanned(runId, seenCount - current.counters.scanned);

    const ready: EvaluationRequest[] = [];
    const deferred: string[] = [];
    for (const user of page) {
      const known = databaseUsers.get(user.key);
      // The REST listing decides who exists; a user the database does not hold gets REST facts.
      const fromDb = known
        ? databasePayload(known, user.lastLoginTime !== undefined)
        : fromDatabase
          ? await restGroups(jira, user)
          : fromCrowd
            ? { groups: policyGroupsFirst(crowdGroups.get(user.name) ?? [], groups), groupsComplete: true }
            : undefined;
      const userGroups = fromDb?.groups ?? groupsByKey.get(memberId(user)) ?? [];
      const facts = directories.answer(
        directorySubject(user, userGroups, run.policy, protectionContext, fromDb?.jiraDirectory),
      );
      const request = evaluationRequest(
        runId,
        withBulkLastLogin(user, lastLogins),
        userGroups,
        firstSeen.get(user.key),
        combineDirectoryFacts(facts, config.directories.combine),
        fromDb,
      );
      // A leaver's answer counts only once it is confirmed and the whole directory has been
      // judged plausible; an absent answer of any source is confirmed, so the counts are right.
      if (facts.some((fact) => fact.status === 'absent' || fact.status === 'disabled'))
        deferred.push(JSON.stringify({ request, facts } satisfies DeferredEntry));
      else ready.push(request);
    }
    if (deferred.length > 0) await redis.rpush(deferredKey, ...deferred);
    await expireScratch(redis, deferredKey);
    if (deferred.length > 0) confirming.more();
    // The previous page's queueing must be over (and have succeeded) before this page's starts.
    await queued;
    queued = sink.waitForRoom(signal).then(() => sink.enqueue(ready));
    // Awaited at the next page or after the last; a failure meanwhile is not unhandled.
    queued.catch(() => {});
  }
  await queued;

  // The memberships (policy and scope groups alike) are scratch: the run's finish discards them.
  await confirming.end();
  const verdict = directories.conclude();
  await runs.setDirectories(runId, verdict.statuses);
  for (const note of verdict.notes) await runs.addNote(runId, note);
  if (listing.stats.prefixesCappedAtMaxDepth > 0) {
    await runs.addNote(
      runId,
      `user search hit Jira's result cap for ${listing.stats.prefixesCappedAtMaxDepth} prefix(es) at the deepest level: some users may not have been listed`,
    );
  }
  if (listing.stats.strategy === 'partitioned-search') {
    const lookups = listing.stats.exactLookups ?? 0;
    await runs.addNote(
      runId,
      `Jira ${capabilities.version} has no /user/list: listing ${listing.stats.users} user(s) by username prefix cost ` +
        `${listing.stats.prefixQueries + lookups} request(s) (${listing.stats.prefixQueries} prefix searches, ` +
        `${lookups} exact lookups); Jira 10.3 LTS patches with /user/list and Jira 11 need about one per 1,000 users`,
    );
  }
  if (listing.stats.pagesWithoutLastLoginField > 0) {
    await runs.addNote(
      runId,
      `${listing.stats.pagesWithoutLastLoginField} listing page(s) carried no lastLoginTime although this Jira version should: last logins were read per user`,
    );
  }
  await enqueueDeferred(redis, confirmedKey, sink, signal, (entry) => ({
    ...entry.request,
    directory: verdict.settle(entry.facts),
  }));

  await deps.lifecycle.startEvaluating(runId);
  await completeScan(deps, runId, seen, sink);
  return 'scanned';
}

/** Every user is listed and queued: the run learns its total, and finishes if all are evaluated. */
async function completeScan(deps: ScanDependencies, runId: string, seen: BucketedSet, sink: EvaluationSink) {
  const total = await seen.size();
  const complete = await deps.plans.markScanComplete(runId, total);
  deps.logger.info({ runId, total, complete }, 'scan complete');
  if (complete) await sink.finish(runId);
  // The seen set is not needed any more: its keys go now, not with the run's other scratch.
  await unlinkKeys(deps.redis, bucketedSetKeys(runScratchKeys(deps.prefix, runId).seenUsers));
}

/** A member of the index known by username (Crowd's group listing), apart from user keys. */
function nameMemberId(name: string): string {
  return `name:${name.toLowerCase()}`;
}

/**
 * The user with the last login read in bulk where the listing had none; a user the bulk read
 * did not return stays without, and the evaluation asks for it alone.
 */
function withBulkLastLogin(
  user: JiraUser,
  lastLogins: BulkLastLogins,
): JiraUser & { lastLoginSource?: LastLoginSource } {
  if (user.lastLoginTime !== undefined || lastLogins.status !== 'loaded') return user;
  const fact = lastLogins.get(user.name);
  if (fact === undefined || fact.status === 'unknown') return user;
  return {
    ...user,
    lastLoginTime: fact.status === 'known' ? fact.at.toISOString() : null,
    lastLoginSource: fact.source,
  };
}

function evaluationRequest(
  runId: string,
  user: JiraUser & { lastLoginSource?: LastLoginSource },
  groups: string[],
  firstSeen: Date | undefined,
  directory: DirectoryFact,
  fromDatabase: Partial<ScannedUser> = {},
): EvaluationRequest {
  return {
    runId,
    user: {
      key: user.key,
      name: user.name,
      ...(user.displayName !== undefined ? { displayName: user.displayName } : {}),
      ...(user.emailAddress !== undefined ? { emailAddress: user.emailAddress } : {}),
      active: user.active,
      ...(user.lastLoginTime !== undefined ? { lastLoginTime: user.lastLoginTime } : {}),
      ...(user.lastLoginSource !== undefined ? { lastLoginSource: user.lastLoginSource } : {}),
      ...fromDatabase,
      groups,
    },
    firstSeen: firstSeen ? firstSeen.toISOString() : null,
    directory,
  };
}

/**
 * How the directories are to treat a user: one whose verdict the policy's protections decide
 * (already deactivated, out of scope, exempt) is not judged on, so an IdP that rightly forgot
 * a deactivated account or never held an administrator's is not taken for a broken one.
 */
function directorySubject(
  user: JiraUser,
  groups: string[],
  policy: PolicyConfig,
  context: ProtectionContext,
  jiraDirectory: JiraUserDirectory | undefined,
): DirectorySubject {
  const protection = protectionOf(
    {
      key: user.key,
      name: user.name,
      active: user.active,
      groups,
      ...(jiraDirectory !== undefined ? { jiraDirectory } : {}),
    },
    policy,
    context,
  );
  return {
    name: user.name,
    ...(user.emailAddress !== undefined ? { emailAddress: user.emailAddress } : {}),
    groups,
    ...(protection === undefined
      ? {}
      : { notJudged: protection.verdict === 'already-inactive' ? 'deactivated' : 'protected' }),
  };
}

/**
 * A user's complete group list with the policy's groups first, in the policy's order (the order
 * the group listings give them in, so plans read the same whichever way the groups were read),
 * then the others in name order.
 */
function policyGroupsFirst(userGroups: readonly string[], policyOrder: readonly string[]): string[] {
  const byLower = new Map(userGroups.map((group) => [group.toLowerCase(), group]));
  const first = policyOrder.flatMap((group) => {
    const held = byLower.get(group.toLowerCase());
    return held === undefined ? [] : [held];
  });
  const firstLower = new Set(first.map((group) => group.toLowerCase()));
  return [...first, ...userGroups.filter((group) => !firstLower.has(group.toLowerCase()))];
}

/**
 * A Jira user the database does not hold (created since, or in a directory it does not show):
 * its groups from REST, one call, as the evaluation of a leaver would have made anyway.
 */
async function restGroups(jira: JiraDirectory, user: JiraUser): Promise<Partial<ScannedUser>> {
  const full = await jira.getUser({ key: user.key }, { expand: ['groups'] });
  // Unknown is not absent: without its groups the user could not be protected as an admin.
  if (full.groups === undefined) throw new Error(`Jira gave no groups for user ${user.name}`);
  return { groups: full.groups, groupsComplete: true };
}

const DEFERRED_BATCH = 1000;

/**
 * Confirms the held-back users' absent answers, batch by batch, into `toKey`, while the listing
 * still goes on: a batch is confirmed as soon as it is full, so that what is left once every
 * user is listed is one batch at most. `more()` is told when the listing has held back more
 * users, `end()` when it is over (then the rest is confirmed and `fromKey` removed); `stop()`
 * leaves both lists as they are (the scan ended early: another attempt may need them).
 */
function confirmDeferred(
  redis: RedisClient,
  fromKey: string,
  toKey: string,
  directories: { confirm: RunDirectoryView['confirm'] },
  signal: AbortSignal,
): { more(): void; end(): Promise<void>; stop(): void } {
  const state: { listing: 'on' | 'over' | 'stopped' } = { listing: 'on' };
  // Read through a call: the state changes while this task awaits.
  const listingIs = (value: typeof state.listing) => state.listing === value;
  let wake = () => {};
  const confirming = (async () => {
    const seen = new Set<string>();
    for (let start = 0; ;) {
      signal.throwIfAborted();
      if (listingIs('stopped')) return;
      const items = await redis.lrange(fromKey, start, start + DEFERRED_BATCH - 1);
      if (listingIs('stopped')) return;
      if (items.length < DEFERRED_BATCH && listingIs('on')) {
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      if (items.length === 0) break;
      start += items.length;
      const entries = onlyFirstOfEachUser(items, seen);
      if (entries.length === 0) continue;
      const confirmed = await directories.confirm(
        entries.map((entry) => ({
          name: entry.request.user.name,
          ...(entry.request.user.emailAddress !== undefined
            ? { emailAddress: entry.request.user.emailAddress }
            : {}),
          facts: entry.facts,
        })),
      );
      await redis.rpush(
        toKey,
        ...entries.map((entry, i) =>
          JSON.stringify({ ...entry, facts: confirmed[i]! } satisfies DeferredEntry),
        ),
      );
    }
    await redis.unlink(fromKey);
  })();
  // Awaited by end(); a failure while the listing goes on must not go unhandled meanwhile.
  confirming.catch(() => {});
  return {
    more: () => wake(),
    async end() {
      state.listing = 'over';
      wake();
      await confirming;
    },
    stop() {
      state.listing = 'stopped';
      wake();
    },
  };
}

async function enqueueDeferred(
  redis: RedisClient,
  key: string,
  sink: EvaluationSink,
  signal: AbortSignal,
  settle: (entry: DeferredEntry) => EvaluationRequest,
): Promise<void> {
  const seen = new Set<string>();
  for (let start = 0; ; start += DEFERRED_BATCH) {
    const items = await redis.lrange(key, start, start + DEFERRED_BATCH - 1);
    if (items.length === 0) break;
    await sink.waitForRoom(signal);
    await sink.enqueue(onlyFirstOfEachUser(items, seen).map(settle));
  }
  await redis.unlink(key);
}

/**
 * The held-back entries of users not met before in this pass: an attempt of the scan that was
 * retried (or ran twice after a stall) holds some leavers back twice. A leaver is a small share
 * of the users, so the set of their keys stays small.
 */
function onlyFirstOfEachUser(items: readonly string[], seen: Set<string>): DeferredEntry[] {
  const entries: DeferredEntry[] = [];
  for (const item of items) {
    const entry = JSON.parse(item) as DeferredEntry;
    if (seen.has(entry.request.user.key)) continue;
    seen.add(entry.request.user.key);
    entries.push(entry);
  }
  return entries;
}
