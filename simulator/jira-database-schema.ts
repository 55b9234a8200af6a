import { JIRA_TABLES } from '../services/jira-database/jira-tables.js';
import type { SqlDialect } from '../services/jira-database/sql-connection.js';

/*
 * The subset of Jira's schema that Reclaim reads, with Jira's table and column names, as the
 * simulator creates it in a real database. Jira's own DDL has more columns; these are the
 * ones a user, group, directory, membership, attribute and global permission need.
 */

export function jiraSchemaStatements(dialect: SqlDialect): string[] {
  const time = dialect === 'postgres' ? 'TIMESTAMPTZ' : 'DATETIME(3)';
  const text = 'VARCHAR(255)';
  return [
    `CREATE TABLE cwd_directory (id BIGINT PRIMARY KEY, directory_name ${text}, lower_directory_name ${text},
      created_date ${time}, updated_date ${time}, active INTEGER, description ${text}, impl_class ${text},
      lower_impl_class ${text}, directory_type ${text}, directory_position BIGINT)`,
    `CREATE TABLE cwd_directory_operation (id BIGINT PRIMARY KEY, directory_id BIGINT, operation_type ${text})`,
    `CREATE TABLE cwd_user (id BIGINT PRIMARY KEY, directory_id BIGINT, user_name ${text}, lower_user_name ${text},
      active INTEGER, created_date ${time}, updated_date ${time}, first_name ${text}, lower_first_name ${text},
      last_name ${text}, lower_last_name ${text}, display_name ${text}, lower_display_name ${text},
      email_address ${text}, lower_email_address ${text}, credential ${text}, deleted_externally INTEGER,
      external_id ${text})`,
    `CREATE TABLE cwd_user_attributes (id BIGINT PRIMARY KEY, user_id BIGINT, directory_id BIGINT,
      attribute_name ${text}, attribute_value ${text}, lower_attribute_value ${text})`,
    `CREATE TABLE cwd_group (id BIGINT PRIMARY KEY, group_name ${text}, lower_group_name ${text}, active INTEGER,
      local INTEGER, created_date ${time}, updated_date ${time}, description ${text}, lower_description ${text},
      group_type ${text}, directory_id BIGINT)`,
    `CREATE TABLE cwd_membership (id BIGINT PRIMARY KEY, parent_id BIGINT, child_id BIGINT, membership_type ${text},
      group_type ${text}, parent_name ${text}, lower_parent_name ${text}, child_name ${text},
      lower_child_name ${text}, directory_id BIGINT)`,
    `CREATE TABLE app_user (id BIGINT PRIMARY KEY, user_key ${text}, lower_user_name ${text})`,
    `CREATE TABLE globalpermissionentry (id BIGINT PRIMARY KEY, permission ${text}, group_id ${text})`,
    'CREATE INDEX idx_reclaim_sim_user_name ON cwd_user (lower_user_name)',
    'CREATE INDEX idx_reclaim_sim_membership_child ON cwd_membership (child_id)',
    'CREATE INDEX idx_reclaim_sim_attribute_user ON cwd_user_attributes (user_id)',
  ];
}

/** The tables the mirror drops and empties: the ones the facts source reads. */
export const JIRA_SCHEMA_TABLES = JIRA_TABLES;
