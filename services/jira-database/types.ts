/** A Jira user directory as its database row describes it. */
export interface JiraDatabaseDirectory {
  id: number;
  name: string;
  /** `INTERNAL`, `CONNECTOR` (LDAP), `CROWD`, `DELEGATING`, … */
  type: string;
  /** No `UPDATE_USER` operation: Jira cannot deactivate or rename its users. */
  readOnly: boolean;
}

/** One user of its effective directory, as Jira's database holds it. */
export interface JiraDatabaseUser {
  key: string;
  name: string;
  active: boolean;
  /** `cwd_user.created_date`; null when the row has none. */
  createdDate: Date | null;
  /** `login.lastLoginMillis`; null when there is no such attribute (never logged in). */
  lastLogin: Date | null;
  directory: JiraDatabaseDirectory;
  /** Every group the user is a member of in that directory. */
  groups: string[];
}
