import type { Redis } from 'ioredis';
import type { PolicyConfig, ReclaimConfig } from '../../config/schema.js';
import { stateKey } from '../../queues/connection.js';
import type { Logger } from '../../runtime/logger.js';
import type { JiraDirectory } from '../jira/jira-directory.js';
import { JiraNotFoundError } from '../jira/errors.js';
import type { JiraUser } from '../jira/types.js';
import type { DirectoryFact } from '../policy/types.js';
import type { FirstSeenStore } from '../runs/first-seen-store.js';
import type { PlanStore } from '../runs/plan-store.js';
import type { RunLifecycle } from '../runs/run-lifecycle.js';
import type { RunStore } from '../runs/run-store.js';
import type { Run } from '../runs/types.js';
import { policyNotes } from '../policy/policy-notes.js';
import { licenceGroupsOf } from './licence-groups.js';
import { MembershipIndex } from './membership-index.js';
import type { RunDirectoryView } from './run-directory-view.js';
import { licenceGroupsKey } from './run-context.js';
import type { EvaluationRequest } from './evaluation-request.js';

export interface ScanDependencies {
  redis: Redis;
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

/** The groups whose members the policy needs to know, in bulk. */
export function policyGroups(policy: PolicyConfig, licenceGroups: Iterable<string>): string[] {
  const groups = [
    ...licenceGroups,
    ...policy.skipGroups,
    ...policy.onlyGroups,
    ...policy.keepGroups,
    ...(policy.trackingGroup ? [policy.trackingGroup] : []),
  ];
  const byLower = new Map(groups.map((g) => [g.toLowerCase(), g]));
  return [...byLower.values()];
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
  const seenKey = stateKey(prefix, 'run', runId, 'seen');
  // A scan that crashed after listing everyone only has to report that it is complete.
  if (run?.status === 'evaluating' && !run.counters.scanComplete) {
    await completeScan(deps, runId, seenKey, sink);
    return 'scanned';
  }
  if (!run || run.status !== 'scanning') return 'not-scanning';
  await runs.markStarted(runId);
  // One "first seen" time for every user this scan meets (kept across a retried scan), so the
  // users of the very first scan are recognised as such (policy.existingUsersSeenSince).
  const seenAt = new Date((await runs.get(runId))?.startedAt ?? Date.now());
  for (const note of policyNotes(run.policy)) {
    if (!run.notes.includes(note)) await runs.addNote(runId, note);
  }

  const capabilities = await jira.detect();
  await jira.checkConnection();

  const licence = licenceGroupsOf(await jira.applicationRoles(), config.jira.applications);
  await runs.setJira(runId, {
    version: capabilities.version,
    facts: {
      listing: capabilities.listingStrategy,
      lastLoginSource: capabilities.lastLoginSource,
      lastLoginFieldObserved: capabilities.lastLoginFieldObserved,
      searchCap: capabilities.searchCap,
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
  const groups = policyGroups(run.policy, [...licence.byApplication.values()].flat());
  const members = new MembershipIndex(redis, prefix, runId);
  for (const group of groups) {
    signal.throwIfAborted();
    try {
      for await (const page of jira.listGroupMembers(group)) {
        await members.add(
          group,
          page.map((user) => user.key),
        );
      }
    } catch (error) {
      if (!(error instanceof JiraNotFoundError)) throw error;
      await runs.addNote(runId, `group ${group} does not exist in Jira: nobody is a member`);
    }
  }

  const directories = await deps.openDirectories(run);
  // Both survive a retried scan: the set keeps "users scanned" exact (a user counts once),
  // and leavers held back twice are queued under the same job id, so once.
  const deferredKey = stateKey(prefix, 'run', runId, 'deferred');

  const listing = jira.listUsers();
  for await (const page of listing) {
    signal.throwIfAborted();
    if ((await runs.get(runId))?.status !== 'scanning') {
      await redis.unlink(seenKey, deferredKey);
      return 'not-scanning';
    }
    const keys = page.map((user) => user.key);
    const [added, groupsByKey, firstSeen] = await Promise.all([
      redis.sadd(seenKey, ...keys),
      members.groupsOf(keys, groups),
      deps.firstSeen.recordMany(keys, seenAt),
    ]);
    await runs.addScanned(runId, added);

    const ready: EvaluationRequest[] = [];
    const deferred: string[] = [];
    for (const user of page) {
      const directory = directories.answer(user.name);
      const request = evaluationRequest(
        runId,
        user,
        groupsByKey.get(user.key) ?? [],
        firstSeen.get(user.key),
        directory,
      );
      // A leaver's answer counts only once the whole directory has been judged plausible.
      if (directory.status === 'absent' || directory.status === 'disabled')
        deferred.push(JSON.stringify(request));
      else ready.push(request);
    }
    if (deferred.length > 0) await redis.rpush(deferredKey, ...deferred);
    await sink.waitForRoom(signal);
    await sink.enqueue(ready);
  }

  const verdict = directories.conclude(await redis.scard(seenKey));
  await runs.setDirectories(runId, verdict.statuses);
  for (const note of verdict.notes) await runs.addNote(runId, note);
  if (listing.stats.prefixesCappedAtMaxDepth > 0) {
    await runs.addNote(
      runId,
      `user search hit Jira's result cap for ${listing.stats.prefixesCappedAtMaxDepth} prefix(es) at the deepest level: some users may not have been listed`,
    );
  }
  if (listing.stats.pagesWithoutLastLoginField > 0) {
    await runs.addNote(
      runId,
      `${listing.stats.pagesWithoutLastLoginField} listing page(s) carried no lastLoginTime although this Jira version should: last logins were read per user`,
    );
  }
  await enqueueDeferred(redis, deferredKey, sink, signal, (request) =>
    verdict.trusted(request.directory)
      ? request
      : { ...request, directory: verdict.untrusted(request.directory) },
  );

  await deps.lifecycle.startEvaluating(runId);
  await completeScan(deps, runId, seenKey, sink);
  return 'scanned';
}

/** Every user is listed and queued: the run learns its total, and finishes if all are evaluated. */
async function completeScan(deps: ScanDependencies, runId: string, seenKey: string, sink: EvaluationSink) {
  const total = await deps.redis.scard(seenKey);
  const complete = await deps.plans.markScanComplete(runId, total);
  deps.logger.info({ runId, total, complete }, 'scan complete');
  if (complete) await sink.finish(runId);
  await deps.redis.unlink(seenKey);
}

function evaluationRequest(
  runId: string,
  user: JiraUser,
  groups: string[],
  firstSeen: Date | undefined,
  directory: DirectoryFact,
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
      groups,
    },
    firstSeen: firstSeen ? firstSeen.toISOString() : null,
    directory,
  };
}

async function enqueueDeferred(
  redis: Redis,
  key: string,
  sink: EvaluationSink,
  signal: AbortSignal,
  settle: (request: EvaluationRequest) => EvaluationRequest,
): Promise<void> {
  const batch = 1000;
  for (let start = 0; ; start += batch) {
    const items = await redis.lrange(key, start, start + batch - 1);
    if (items.length === 0) break;
    await sink.waitForRoom(signal);
    await sink.enqueue(items.map((item) => settle(JSON.parse(item) as EvaluationRequest)));
  }
  await redis.unlink(key);
}
