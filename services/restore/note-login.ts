import type { ReclaimConfig } from '../../config/schema.js';
import { jobIds } from '../../queues/job-ids.js';
import { JOBS } from '../../queues/names.js';
import type { RestoreTrigger } from '../../queues/payloads.js';
import type { QueueRegistry } from '../../queues/registry.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { RestoreLedger, WatchedUser } from './restore-ledger.js';
import { syncWatchList } from './watch-list.js';

/*
 * What a login asks for: a watched user (a reclaim took their access) who logged in after the
 * reclaim gets a restore, queued once per user and reclaim however often the login is reported
 * (poll, webhook); anyone else gets a grant check per `restore.grantOnLogin` application.
 */

export interface LoginDeps {
  config: Pick<Readonly<ReclaimConfig>, 'restore'>;
  registry: QueueRegistry;
  ledger: RestoreLedger;
  audit: AuditLog;
}

export interface Login {
  user: { key: string; name?: string } | { name: string };
  at: Date;
  trigger: RestoreTrigger;
  actor: string;
}

export type LoginOutcome =
  /** `repeated`: that restore was asked for before (by another report of a login). */
  | { queued: 'restore'; requestId: string; repeated: boolean }
  | { queued: 'grant'; jobIds: string[] }
  | { queued: null; reason: string };

/** Queues what the login asks for. `watched` spares the look-up when the caller has it. */
export async function noteLogin(
  deps: LoginDeps,
  login: Login,
  watched?: WatchedUser | null,
): Promise<LoginOutcome> {
  const user = watched === undefined ? await deps.ledger.watchedUser(refOf(login.user)) : watched;
  if (user) {
    if (!deps.config.restore.onLogin) return { queued: null, reason: 'restore.onLogin is off' };
    if (login.at.getTime() <= user.reclaimedAt.getTime()) {
      return { queued: null, reason: `the login (${login.at.toISOString()}) is not after the reclaim` };
    }
    if (user.deactivated) {
      return {
        queued: null,
        reason: `run ${user.runId} deactivated the account: restore it on request (reclaim restore ${user.username})`,
      };
    }
    const requestId = jobIds.restoreOnLogin(user.userKey, user.runId);
    const added = await queueRestore(deps, {
      requestId,
      user: { key: user.userKey, name: user.username },
      trigger: login.trigger,
      actor: login.actor,
      loginAt: login.at.toISOString(),
      reclaimRun: user.runId,
      reclaimEntry: user.reclaimEntry,
    });
    return { queued: 'restore', requestId, repeated: !added };
  }
  const applications = deps.config.restore.grantOnLogin;
  if (applications.length === 0) return { queued: null, reason: 'nothing was reclaimed from this user' };
  const ref = 'key' in login.user ? { key: login.user.key } : { name: login.user.name };
  const ids: string[] = [];
  for (const application of applications) {
    const jobId = jobIds.grantOnLogin(
      'key' in ref ? `key:${ref.key}` : `name:${ref.name.toLowerCase()}`,
      application,
      login.at.getTime(),
    );
    await deps.registry.add(
      JOBS.grantLicense,
      { user: ref, application, trigger: login.trigger, actor: login.actor, loginAt: login.at.toISOString() },
      jobId,
    );
    ids.push(jobId);
  }
  return { queued: 'grant', jobIds: ids };
}

/** A login reported from outside (the webhook): the watch list first catches up with the audit log. */
export async function noteReportedLogin(deps: LoginDeps, login: Login): Promise<LoginOutcome> {
  await syncWatchList(deps.audit, deps.ledger);
  return noteLogin(deps, login);
}

export interface RestoreToQueue {
  requestId: string;
  user: { key: string; name: string };
  trigger: RestoreTrigger;
  actor: string;
  loginAt?: string;
  reclaimRun?: string;
  reclaimEntry?: string;
}

/**
 * The ledger row first, then the job under the same id: a restore is queued once. Returns
 * whether the request is new.
 */
export async function queueRestore(
  deps: Pick<LoginDeps, 'registry' | 'ledger'>,
  restore: RestoreToQueue,
): Promise<boolean> {
  const added = await deps.ledger.add({
    id: restore.requestId,
    userKey: restore.user.key,
    username: restore.user.name,
    kind: 'restore',
    trigger: restore.trigger,
    ...(restore.reclaimRun ? { reclaimRun: restore.reclaimRun } : {}),
    ...(restore.reclaimEntry ? { reclaimEntry: restore.reclaimEntry } : {}),
    ...(restore.loginAt ? { detail: { loginAt: restore.loginAt } } : {}),
  });
  await deps.registry.add(
    JOBS.restoreUser,
    {
      requestId: restore.requestId,
      user: restore.user,
      trigger: restore.trigger,
      actor: restore.actor,
      ...(restore.loginAt ? { loginAt: restore.loginAt } : {}),
    },
    restore.requestId,
  );
  return added;
}

function refOf(user: Login['user']): { key: string } | { name: string } {
  return 'key' in user ? { key: user.key } : { name: user.name };
}
