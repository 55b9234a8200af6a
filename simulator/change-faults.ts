import { JiraError } from './jira-error.js';

/*
 * Changes to one user that fail on request of a test (`POST /__sim/users/:name/fail-changes`):
 * the first `after` change requests for the user go through, every later one is refused with
 * the given status and changes nothing — e.g. an action that removed two groups and then met a
 * refusal for the third. Reads are never affected, so a client can see what was applied.
 */

interface ChangeFault {
  /** Change requests still let through. */
  remaining: number;
  status: number;
}

export class ChangeFaults {
  private readonly byUser = new Map<number, ChangeFault>();

  set(index: number, after: number, status: number): void {
    this.byUser.set(index, { remaining: after, status });
  }

  clear(index: number): void {
    this.byUser.delete(index);
  }

  clearAll(): void {
    this.byUser.clear();
  }

  /** Called before a change request for the user is applied: throws when it is to fail. */
  admit(index: number, what: string): void {
    const fault = this.byUser.get(index);
    if (!fault) return;
    if (fault.remaining > 0) {
      fault.remaining -= 1;
      return;
    }
    throw new JiraError(fault.status, [`Injected fault: ${what} refused (HTTP ${fault.status}).`]);
  }
}
