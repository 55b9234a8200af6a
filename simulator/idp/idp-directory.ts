import type { FixtureScimUser } from '../fixture-schema.js';
import type { ScimDirectory } from '../scim-directory.js';

/*
 * The staff as the simulated identity providers (Okta, Entra ID, Google Workspace) hold them,
 * derived from the fixture's `externalDirectory.users`: one record per account, each IdP
 * showing it in its own shape. `active` decides every IdP's flag unless the fixture gives the
 * IdP's own (`status` for Okta, `suspended` / `archived` for Google).
 */
export interface IdpUser {
  /** The IdP's username: Okta `profile.login`, Entra `userPrincipalName`. */
  login: string;
  /** The e-mail: Okta `profile.email`, Entra `mail`, Google `primaryEmail`. */
  email: string;
  displayName?: string;
  active: boolean;
  /** Okta's lifecycle status; default ACTIVE, or SUSPENDED when not active. */
  status?: string;
  suspended?: boolean;
  archived?: boolean;
  /** More attributes: an Okta profile attribute, a Graph property, a Google `Schema.field`. */
  attributes: Record<string, string>;
}

export type IdpUserInput = Pick<FixtureScimUser, 'userName'> &
  Partial<Omit<FixtureScimUser, 'userName' | 'attributes'>> & { attributes?: Record<string, string> };

/** The e-mail of a fixture account: `email`, the primary of `emails`, a login that is one, or login@example.com. */
function emailOf(user: IdpUserInput): string {
  const primary = user.emails?.find((e) => e.primary) ?? user.emails?.[0];
  return (
    user.email ??
    primary?.value ??
    (user.userName.includes('@') ? user.userName : `${user.userName}@example.com`)
  );
}

export function idpUserFrom(user: IdpUserInput): IdpUser {
  return {
    login: user.userName,
    email: emailOf(user),
    displayName: user.displayName,
    active: user.active ?? true,
    status: user.status,
    suspended: user.suspended,
    archived: user.archived,
    attributes: { ...(user.attributes ?? {}) },
  };
}

export class IdpDirectory {
  readonly users: IdpUser[] = [];

  static from(users: readonly IdpUserInput[]): IdpDirectory {
    const directory = new IdpDirectory();
    for (const user of users) directory.users.push(idpUserFrom(user));
    return directory;
  }

  /** A synthetic enterprise's SCIM directory seen by the IdPs (for large worlds without a fixture). */
  static fromScim(scim: ScimDirectory): IdpDirectory {
    const directory = new IdpDirectory();
    for (let i = 0; i < scim.size; i++) {
      directory.users.push(
        idpUserFrom({ userName: scim.userName(i), active: scim.isActive(i), email: scim.email(i) }),
      );
    }
    return directory;
  }

  /** Adds the account, or changes the one of that login (case-insensitive). */
  upsert(input: IdpUserInput): IdpUser {
    const index = this.users.findIndex((u) => u.login.toLowerCase() === input.userName.toLowerCase());
    if (index < 0) {
      const user = idpUserFrom(input);
      this.users.push(user);
      return user;
    }
    const current = this.users[index]!;
    const next: IdpUser = {
      ...current,
      ...Object.fromEntries(
        Object.entries({
          email: input.email,
          displayName: input.displayName,
          active: input.active,
          status: input.status,
          suspended: input.suspended,
          archived: input.archived,
        }).filter(([, v]) => v !== undefined),
      ),
      attributes: { ...current.attributes, ...(input.attributes ?? {}) },
    };
    this.users[index] = next;
    return next;
  }

  /** A stable id per position, in each IdP's style. */
  id(index: number, prefix: string): string {
    return `${prefix}${index.toString(16).padStart(12, '0')}`;
  }

  /** Okta's status of the account. */
  static oktaStatus(user: IdpUser): string {
    return user.status ?? (user.active ? 'ACTIVE' : 'SUSPENDED');
  }

  static googleSuspended(user: IdpUser): boolean {
    return user.suspended ?? !user.active;
  }
}
