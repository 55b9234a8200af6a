/*
 * Jira's table names, optionally under a schema (PostgreSQL schema / MySQL database). The
 * names are Jira's own, in lower case as Jira creates them on PostgreSQL and MySQL.
 */

export const JIRA_TABLES = [
  'cwd_directory',
  'cwd_directory_operation',
  'cwd_user',
  'cwd_user_attributes',
  'cwd_group',
  'cwd_membership',
  'app_user',
  'globalpermissionentry',
] as const;
export type JiraTable = (typeof JIRA_TABLES)[number];

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]*$/;

/** A function naming each table, schema-qualified when a schema is given. */
export function tableNames(schema: string | undefined): (table: JiraTable) => string {
  if (schema !== undefined && !IDENTIFIER.test(schema)) {
    throw new Error(`jira.database.schema: expected a plain identifier, got "${schema}"`);
  }
  return (table) => (schema === undefined ? table : `${schema}.${table}`);
}

/** The global permissions whose holders administer Jira. */
export const ADMIN_PERMISSIONS = ['ADMINISTER', 'SYSTEM_ADMIN'] as const;
/** The Crowd attribute of interactive logins (epoch milliseconds). */
export const LAST_LOGIN_ATTRIBUTE = 'login.lastLoginMillis';
/** A directory that may update users has this operation; one without it is read-only. */
export const UPDATE_USER_OPERATION = 'UPDATE_USER';
