import type { Profile } from './fixture-schema.js';
import type { IdpDirectory } from './idp/idp-directory.js';
import type { ScimDirectory } from './scim-directory.js';
import type { UserStore } from './user-store.js';

/** Everything the simulated Jira and its external directory hold. */
export interface World {
  profile: Profile;
  store: UserStore;
  /** Present only when the fixture's external directory is of type `scim`. */
  scim: ScimDirectory | undefined;
  /** The accounts of the simulated IdPs (Okta, Entra ID, Google): the fixture's external directory, of any type. */
  idp?: IdpDirectory;
  /** Jira's global permissions held by groups (the database mirror writes them); default Jira's own. */
  globalPermissions?: { permission: string; group: string }[];
}
