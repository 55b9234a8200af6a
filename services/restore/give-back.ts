import type { GrantLicenseJob, RestoreUserJob } from '../../queues/payloads.js';
import { readUser, UserGoneError } from '../actions/read-user.js';
import { applyChanges, changesBetween, hasGroup, sameName, snapshotOf } from '../actions/snapshot.js';
import {
  ALREADY_IN_PLANNED_STATE,
  USER_GONE,
  type ActionResult,
  type UserSnapshot,
} from '../actions/types.js';
import { resultFields } from '../actions/audit-entry.js';
import { UserEditor } from '../actions/user-editor.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { AuditEntry, NewAuditEntry } from '../audit/types.js';
import { JiraNotFoundError } from '../jira/errors.js';
import type { JiraDirectory } from '../jira/jira-directory.js';
import type { JiraUser } from '../jira/types.js';
import type { AdminAlerts } from '../notify/admin-alerts.js';
import { lastReclaim, type LastReclaim } from './last-reclaim.js';
import type { RestoreLedger, RestoreRequest, RestoreState } from './restore-ledger.js';
import {
  alertOncePerEpisode,
  checkSeats,
  endEpisodesWithoutWaiters,
  holdsSeat,
  seatsNeeded,
  withSeatLock,
} from './seats.js';
import type { RedisClient } from '../../queues/connection.js';

/*
 * Giving back: a restore rejoins exactly the groups the user's last reclaim removed, leaves the
 * ones it added (the tracking group) and — asked for by an operator — reactivates an account it
 * deactivated; a grant joins an application's default groups. Each is one audited action (the
 * `restore` or `grant` entry's changes are what an undo reverses), re-reads the user first and
 * does only what is still needed, and never takes a seat that is not free.
 */

export interface GiveBackDeps {
  jira: JiraDirectory;
  audit: AuditLog;
  ledger: RestoreLedger;
  redis: RedisClient;
  prefix: string;
  alerts: AdminAlerts;
}

export type GiveBackOutcome =
  | { status: 'finished'; state: RestoreState; entry: AuditEntry | null; reason?: string }
  /** No free seat of these applications: ask again later. */
  | { status: 'waiting'; applications: string[] };

export const NOTHING_RECLAIMED =
  'nothing to give back: the audit log has no reclaim of this user (or it was undone)';

const LOGIN_TRIGGERS = new Set(['poll', 'webhook']);

/** `restore-user`: gives the user back what their last reclaim took. */
export async function restoreUser(deps: GiveBackDeps, job: RestoreUserJob): Promise<GiveBackOutcome> {
  const request = await requestFor(deps.ledger, job);
  if (isFinal(request)) return finished(deps, request);
  const reclaim = await lastReclaim(deps.audit, job.user.key);
  const user = await readUser(deps.jira, job.user.key);
  const onLogin = LOGIN_TRIGGERS.has(job.trigger);

  const refusal = restoreRefusal(user, reclaim, onLogin);
  if (refusal !== undefined || user === null || reclaim === null) {
    const before = user === null ? null : snapshotOf(user);
    return log(deps, request, 'restore', job.actor, {
      outcome: 'skipped',
      reason: refusal ?? NOTHING_RECLAIMED,
      before,
      after: before,
      changes: [],
    });
  }

  const join = reclaim.removedGroups.filter((group) => !hasGroup(user.groups ?? [], group));
  const leave = reclaim.addedGroups.filter((group) => hasGroup(user.groups ?? [], group));
  const activate = !onLogin && reclaim.deactivated && !user.active;
  // On request the account gets its old name back too, unless someone took that name since.
  const renameTo =
    !onLogin && reclaim.renamedFrom !== undefined && sameName(user.name, reclaim.username)
      ? reclaim.renamedFrom
      : undefined;
  const notes = [
    `gives back what run ${reclaim.runId} took (audit ${reclaim.entryIds.join(', ')})`,
    ...(onLogin && job.loginAt ? [`logged in at ${job.loginAt}`] : []),
  ];
  return changeUnderCap(
    deps,
    request,
    'restore',
    job.actor,
    user,
    { join, leave, activate, ...(renameTo !== undefined ? { renameTo } : {}) },
    notes,
    reclaim,
  );
}

/** Why a restore of this user does nothing, or undefined to go on. */
function restoreRefusal(
  user: JiraUser | null,
  reclaim: LastReclaim | null,
  onLogin: boolean,
): string | undefined {
  if (user === null) return USER_GONE;
  if (reclaim === null) return NOTHING_RECLAIMED;
  if (onLogin && !user.active) {
    return reclaim.deactivated
      ? `run ${reclaim.runId} deactivated the account, so the user cannot log in: restore it on request (reclaim restore ${user.name})`
      : 'the account is inactive: a login cannot have been theirs';
  }
  return undefined;
}

/** `grant-license`: the application's default groups for a user who logged in without its licence. */
export async function grantLicense(
  deps: GiveBackDeps,
  job: GrantLicenseJob,
  jobId: string,
  queuedAt: Date,
): Promise<GiveBackOutcome> {
  const existing = await deps.ledger.get(jobId);
  if (existing && isFinal(existing)) return finished(deps, existing);
  const user = await findUser(deps.jira, job.user);
  // Nothing to grant is no request: a login of a licensed user leaves no trace (a request that
  // waited for a seat meanwhile is settled as skipped).
  const nothingToGrant = async (reason: string): Promise<GiveBackOutcome> => {
    if (existing) {
      await deps.ledger.setState(jobId, 'skipped', { reason });
      await endEpisodesWithoutWaiters(
        deps.redis,
        deps.prefix,
        deps.ledger,
        existing.detail.applications ?? [],
      );
    }
    return { status: 'finished', state: 'skipped', entry: null, reason };
  };
  if (user === null) return nothingToGrant(USER_GONE);
  if (!user.active) return nothingToGrant('the account is inactive');
  const roles = await deps.jira.applicationRoles();
  const role = roles.find((candidate) => candidate.key === job.application);
  if (role === undefined) return nothingToGrant(`no application ${job.application}`);
  if (holdsSeat(role, user.groups ?? [], user.active)) {
    return nothingToGrant(`already holds a ${job.application} licence`);
  }
  await deps.ledger.add({
    id: jobId,
    userKey: user.key,
    username: user.name,
    kind: 'grant',
    trigger: job.trigger,
    requestedAt: queuedAt,
    detail: { application: job.application, loginAt: job.loginAt },
  });
  const request = (await deps.ledger.get(jobId))!;
  if (role.defaultGroups.length === 0) {
    const before = snapshotOf(user);
    return log(deps, request, 'grant', job.actor, {
      outcome: 'not-possible',
      reason: `${job.application} has no default group to grant`,
      before,
      after: before,
      changes: [],
    });
  }
  return changeUnderCap(
    deps,
    request,
    'grant',
    job.actor,
    user,
    { join: role.defaultGroups, leave: [], activate: false },
    [`logged in at ${job.loginAt} without a ${job.application} licence`],
  );
}

async function findUser(jira: JiraDirectory, ref: GrantLicenseJob['user']): Promise<JiraUser | null> {
  if ('key' in ref) return readUser(jira, ref.key);
  try {
    return await jira.getUser(ref.name, { expand: ['groups'] });
  } catch (error) {
    if (error instanceof JiraNotFoundError) return null;
    throw error;
  }
}

interface Wanted {
  join: readonly string[];
  leave: readonly string[];
  activate: boolean;
  /** The name to rename the user back to. */
  renameTo?: string;
}

/**
 * Checks the seats the change would take and makes it under the seat lock, or reports which
 * applications it waits for (the admins hear once).
 */
async function changeUnderCap(
  deps: GiveBackDeps,
  request: RestoreRequest,
  action: 'restore' | 'grant',
  actor: string,
  user: JiraUser,
  wanted: Wanted,
  notes: string[],
  reclaim?: LastReclaim,
): Promise<GiveBackOutcome> {
  const before = snapshotOf(user);
  // The state as the first attempt read it: a retry after a crash still logs every change made.
  const original = (request.detail.before as UserSnapshot | undefined) ?? before;
  if (request.detail.before === undefined) {
    await deps.ledger.setState(request.id, request.state, { detail: { before } });
  }
  const afterWanted = {
    groups: [...before.groups.filter((g) => !hasGroup(wanted.leave, g)), ...wanted.join],
    active: before.active || wanted.activate,
  };

  const outcome = await withSeatLock(deps.redis, deps.prefix, async () => {
    const roles = wanted.join.length > 0 || wanted.activate ? await deps.jira.applicationRoles() : [];
    const { short } = await checkSeats(deps.ledger, seatsNeeded(roles, before, afterWanted), request);
    if (short.length > 0) {
      await deps.ledger.setState(request.id, 'waiting', {
        reason: `waiting for a free seat of ${short.join(', ')}`,
        detail: { applications: short },
      });
      for (const application of short) {
        await alertOncePerEpisode(deps.redis, deps.prefix, deps.alerts, application, {
          id: request.id,
          kind: action,
          username: user.name,
        });
      }
      return { status: 'waiting', applications: short } as const;
    }
    const editor = new UserEditor(deps.jira, user);
    try {
      if (wanted.activate) await editor.setActive(true);
      await editor.joinGroups(wanted.join);
      await editor.leaveGroups(wanted.leave);
      if (wanted.renameTo !== undefined && !(await editor.renameTo(wanted.renameTo))) {
        editor.refuse(
          `the old username ${wanted.renameTo} was taken by another user meanwhile: not renamed back`,
        );
      }
    } catch (error) {
      if (!(error instanceof UserGoneError)) throw error;
      return {
        status: 'changed',
        result: {
          outcome: 'skipped',
          reason: USER_GONE,
          before,
          after: applyChanges(before, editor.changes),
          changes: editor.changes,
        } satisfies ActionResult,
      } as const;
    }
    if (editor.missingGroups.length > 0)
      editor.refuse(`cannot rejoin ${editor.missingGroups.join(', ')}: no longer in Jira`);
    return { status: 'changed', result: editor.result(before) } as const;
  });
  if (outcome.status === 'waiting') return outcome;

  let result: ActionResult = outcome.result;
  if (result.after !== null && changesBetween(original, before).length > 0) {
    // An earlier attempt already changed the user: the entry reports the whole effect.
    const changes = changesBetween(original, result.after);
    result = { ...result, before: original, changes };
    if (changes.length > 0 && result.reason === ALREADY_IN_PLANNED_STATE) delete result.reason;
  }
  if (result.outcome === 'done' && result.changes.length === 0) {
    result = { ...result, reason: 'nothing left to give back: the user already has it' };
  }
  result = { ...result, notes: [...notes, ...(result.notes ?? [])] };
  const logged = await log(deps, request, action, actor, result, reclaim);
  await endEpisodesWithoutWaiters(deps.redis, deps.prefix, deps.ledger, request.detail.applications ?? []);
  return logged;
}

/** Audits the outcome and settles the ledger row (and the watch list). */
async function log(
  deps: GiveBackDeps,
  request: RestoreRequest,
  action: 'restore' | 'grant',
  actor: string,
  result: ActionResult,
  reclaim?: LastReclaim,
): Promise<GiveBackOutcome> {
  const entry: NewAuditEntry = {
    runId: request.id,
    actionId: request.id,
    actor,
    action,
    user: { key: request.userKey, name: result.after?.name ?? request.username },
    ...resultFields(result),
  };
  const logged = await deps.audit.append(entry);
  const state: RestoreState = result.outcome;
  await deps.ledger.setState(request.id, state, {
    reason: result.reason ?? null,
    auditEntry: logged.id,
    ...(reclaim ? { detail: { reclaimRun: reclaim.runId } } : {}),
  });
  if (reclaim && result.outcome !== 'skipped') await deps.ledger.unwatch(request.userKey, logged.id);
  return {
    status: 'finished',
    state,
    entry: logged,
    ...(result.reason === undefined ? {} : { reason: result.reason }),
  };
}

async function requestFor(ledger: RestoreLedger, job: RestoreUserJob): Promise<RestoreRequest> {
  const found = await ledger.get(job.requestId);
  if (found) return found;
  // Queued by hand (Bull Board) or by a process that stopped before writing the row.
  await ledger.add({
    id: job.requestId,
    userKey: job.user.key,
    username: job.user.name,
    kind: 'restore',
    trigger: job.trigger,
    ...(job.loginAt ? { detail: { loginAt: job.loginAt } } : {}),
  });
  return (await ledger.get(job.requestId))!;
}

function isFinal(request: RestoreRequest): boolean {
  return ['done', 'skipped', 'not-possible', 'failed'].includes(request.state);
}

async function finished(deps: GiveBackDeps, request: RestoreRequest): Promise<GiveBackOutcome> {
  const entry = await deps.audit.findByAction(request.id);
  return {
    status: 'finished',
    state: request.state,
    entry,
    ...(request.reason ? { reason: request.reason } : {}),
  };
}
