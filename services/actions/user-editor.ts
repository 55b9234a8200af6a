import {
  JiraBadRequestError,
  JiraNotFoundError,
  JiraReadOnlyDirectoryError,
  type JiraError,
} from '../jira/errors.js';
import type { JiraDirectory } from '../jira/jira-directory.js';
import type { JiraUser } from '../jira/types.js';
import { readUser, UserGoneError } from './read-user.js';
import { applyChanges, hasGroup, sameName } from './snapshot.js';
import { ALREADY_IN_PLANNED_STATE, type ActionResult, type Change, type UserSnapshot } from './types.js';

type MembershipOp = 'add-group' | 'remove-group';

/**
 * Changes one Jira user, each change only if it is still needed, and records every call that
 * changed something. Built on the user as just read, so a retried action does nothing twice.
 *
 * Errors that a retry may cure (5xx, 429, timeouts) are thrown unchanged. Refusals that a retry
 * cannot cure (read-only directory) are collected and end the action as `not-possible`.
 */
export class UserEditor {
  readonly changes: Change[] = [];
  readonly notes: string[] = [];
  /** Groups that no longer exist in Jira, met while changing memberships. */
  readonly missingGroups: string[] = [];
  private readonly refusals: string[] = [];

  constructor(
    private readonly jira: JiraDirectory,
    private user: JiraUser,
  ) {}

  get current(): JiraUser {
    return this.user;
  }

  /** Marks the action as not possible (nothing a retry could change). */
  refuse(reason: string): void {
    this.refusals.push(reason);
  }

  async leaveGroups(groups: readonly string[]): Promise<void> {
    for (const planned of groups) {
      // Jira's spelling of the membership, in case the plan's case differs.
      const held = (this.user.groups ?? []).find((group) => sameName(group, planned));
      if (held !== undefined) await this.changeMembership('remove-group', held);
    }
  }

  async joinGroups(groups: readonly string[]): Promise<void> {
    for (const group of groups) {
      if (!hasGroup(this.user.groups ?? [], group)) await this.changeMembership('add-group', group);
    }
  }

  async setActive(active: boolean): Promise<void> {
    if (this.user.active === active) return;
    await this.update({ op: 'update', field: 'active', from: this.user.active, to: active });
  }

  /** Sets a profile field (e-mail address, display name) when it differs. */
  async setField(field: 'emailAddress' | 'displayName', value: string): Promise<void> {
    const current = this.user[field] ?? null;
    if (current === value) return;
    await this.update({ op: 'update', field, from: current, to: value });
  }

  /**
   * Renames to exactly `name`. Returns false, changing nothing, when Jira says the name is
   * taken; a read-only directory is recorded as a refusal.
   */
  async renameTo(name: string): Promise<boolean> {
    if (this.user.name === name) return true;
    try {
      await this.update({ op: 'update', field: 'name', from: this.user.name, to: name });
      return true;
    } catch (error) {
      if (isNameTaken(error)) return false;
      throw error;
    }
  }

  result(before: UserSnapshot): ActionResult {
    const after = applyChanges(before, this.changes);
    const notes = this.notes.length ? { notes: [...this.notes] } : {};
    if (this.refusals.length) {
      return {
        outcome: 'not-possible',
        reason: this.refusals.join('; '),
        ...notes,
        before,
        after,
        changes: this.changes,
      };
    }
    const untouched = this.changes.length === 0 && this.notes.length === 0;
    return {
      outcome: 'done',
      ...(untouched ? { reason: ALREADY_IN_PLANNED_STATE } : {}),
      ...notes,
      before,
      after,
      changes: this.changes,
    };
  }

  private async update(change: Extract<Change, { op: 'update' }>): Promise<void> {
    try {
      // By key: a rename by an earlier attempt would make the old username 404.
      await this.jira.updateUser({ key: this.user.key }, { [change.field]: change.to });
    } catch (error) {
      if (error instanceof JiraReadOnlyDirectoryError) {
        this.refuse(jiraSays(error));
        return;
      }
      if (error instanceof JiraNotFoundError) throw new UserGoneError(this.user.key);
      throw error;
    }
    this.changes.push(change);
    this.user = { ...this.user, [change.field]: change.to };
  }

  /** @param renamedRetry whether a rename seen in between may still be followed once */
  private async changeMembership(op: MembershipOp, group: string, renamedRetry = true): Promise<void> {
    try {
      if (op === 'add-group') await this.jira.addToGroup(this.user.name, group);
      else await this.jira.removeFromGroup(this.user.name, group);
    } catch (error) {
      const verdict = await this.explainMembershipError(op, group, error);
      if (verdict === 'renamed' && renamedRetry) return this.changeMembership(op, group, false);
      if (verdict !== 'settled') throw error;
      return;
    }
    this.recordMembership(op, group);
  }

  /**
   * `settled` when the failed call needs no retry: the membership is as wanted after all (an
   * earlier try applied it and lost the answer), the group is gone, or Jira refuses it for good.
   * `renamed`: the user was renamed since it was read, so the call named nobody; try again under
   * the new name. `unexplained`: the error should reach the caller.
   */
  private async explainMembershipError(
    op: MembershipOp,
    group: string,
    error: unknown,
  ): Promise<'settled' | 'renamed' | 'unexplained'> {
    if (error instanceof JiraReadOnlyDirectoryError) {
      this.refuse(`${op === 'add-group' ? 'adding to' : 'removing from'} ${group}: ${jiraSays(error)}`);
      return 'settled';
    }
    if (!(error instanceof JiraNotFoundError || error instanceof JiraBadRequestError)) return 'unexplained';
    const now = await readUser(this.jira, this.user.key);
    if (now === null) throw new UserGoneError(this.user.key);
    if (now.name !== this.user.name) {
      // The call named nobody, so it changed nothing; only the new name can.
      this.user = now;
      return hasGroup(now.groups ?? [], group) === (op === 'add-group') ? 'settled' : 'renamed';
    }
    this.user = { ...this.user, groups: now.groups ?? [] };
    const member = hasGroup(this.user.groups ?? [], group);
    if (member === (op === 'add-group')) {
      this.changes.push({ op, group });
      return 'settled';
    }
    if (error instanceof JiraNotFoundError) {
      this.missingGroups.push(group);
      this.notes.push(`group ${group} no longer exists in Jira: skipped`);
      return 'settled';
    }
    return 'unexplained';
  }

  private recordMembership(op: MembershipOp, group: string): void {
    this.changes.push({ op, group });
    const groups = this.user.groups ?? [];
    this.user = {
      ...this.user,
      groups: op === 'add-group' ? [...groups, group] : groups.filter((held) => !sameName(held, group)),
    };
  }
}

/** Jira's own words, for the admin who has to act in the directory. */
export function jiraSays(error: JiraError): string {
  const words = [...error.messages, ...Object.values(error.fieldErrors)];
  return words.length ? words.join('; ') : error.message;
}

/** Jira's answer to a rename onto a username another user holds. */
function isNameTaken(error: unknown): boolean {
  return (
    error instanceof JiraBadRequestError &&
    !(error instanceof JiraReadOnlyDirectoryError) &&
    error.fieldErrors.name !== undefined
  );
}
