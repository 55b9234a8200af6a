/*
 * The external (HR / IdP) directory the simulator serves over SCIM 2.0: who exists there and
 * whether the account is enabled. Columnar like the user store; a synthetic directory shares
 * its strings with the Jira users it was derived from.
 */
export interface ScimUserInput {
  userName: string;
  active: boolean;
  displayName?: string;
  email?: string;
}

export class ScimDirectory {
  private readonly userNames: string[] = [];
  private readonly activeFlags: boolean[] = [];
  private readonly displayNames: (string | undefined)[] = [];
  private readonly emails: (string | undefined)[] = [];
  private byLowerUserName: Map<string, number> | undefined;

  add(user: ScimUserInput): void {
    this.userNames.push(user.userName);
    this.activeFlags.push(user.active);
    this.displayNames.push(user.displayName);
    this.emails.push(user.email);
    this.byLowerUserName = undefined;
  }

  get size(): number {
    return this.userNames.length;
  }

  userName(index: number): string {
    return this.userNames[index] as string;
  }
  /** Enables or disables an account (a test re-enabling a leaver in the IdP). */
  setActive(index: number, active: boolean): void {
    this.activeFlags[index] = active;
  }
  isActive(index: number): boolean {
    return this.activeFlags[index] === true;
  }
  displayName(index: number): string | undefined {
    return this.displayNames[index];
  }
  email(index: number): string | undefined {
    return this.emails[index];
  }
  /** A stable id in UUID form, derived from the position so answers are reproducible. */
  id(index: number): string {
    return `2819c223-7f76-453a-919d-${index.toString(16).padStart(12, '0')}`;
  }

  /** The accounts holding this e-mail address, compared case-insensitively. */
  indicesOfEmail(email: string): number[] {
    const wanted = email.toLowerCase();
    const found: number[] = [];
    this.emails.forEach((value, index) => {
      if (value?.toLowerCase() === wanted) found.push(index);
    });
    return found;
  }

  /** SCIM's userName is case-insensitive (RFC 7643 §4.1.1). */
  indexOfUserName(userName: string): number | undefined {
    if (!this.byLowerUserName) {
      this.byLowerUserName = new Map();
      this.userNames.forEach((name, index) => this.byLowerUserName?.set(name.toLowerCase(), index));
    }
    return this.byLowerUserName.get(userName.toLowerCase());
  }
}
