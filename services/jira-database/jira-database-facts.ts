import type { JiraDatabaseConfig } from '../../config/schema.js';
import { openSqlSession, type SqlRow, type SqlSession, type SqlSessionOptions } from './sql-connection.js';
import {
  ADMIN_PERMISSIONS,
  LAST_LOGIN_ATTRIBUTE,
  UPDATE_USER_OPERATION,
  tableNames,
  type JiraTable,
} from './jira-tables.js';
import type { JiraDatabaseUser } from './types.js';

/*
 * Jira's database as a read-only source of facts REST does not give: creation dates, last
 * logins in bulk, each user's directory (and whether Jira can change users there), every group
 * membership, and which groups hold the administer permissions. Only SELECTs, in plain SQL
 * that PostgreSQL, MySQL and MariaDB all run.
 */

export interface JiraDatabaseOptions extends Omit<SqlSessionOptions, 'readOnly'> {
  schema?: string;
}

/**
 * Each user of its effective directory (the active directory with the lowest position that
 * holds the username: the one Jira authenticates against), one row per group membership,
 * ordered by user so the rows of one user arrive together.
 */
function usersQuery(t: (table: JiraTable) => string): string {
  return `
SELECT au.user_key, u.user_name, u.lower_user_name, u.active, u.created_date,
       d.id AS directory_id, d.directory_name, d.directory_type,
       op.operation_type AS update_user,
       la.attribute_value AS last_login_millis,
       m.parent_name AS group_name
  FROM ${t('cwd_user')} u
  JOIN ${t('cwd_directory')} d ON d.id = u.directory_id AND d.active = 1
  JOIN ${t('app_user')} au ON au.lower_user_name = u.lower_user_name
  LEFT JOIN ${t('cwd_directory_operation')} op
    ON op.directory_id = d.id AND op.operation_type = '${UPDATE_USER_OPERATION}'
  LEFT JOIN ${t('cwd_user_attributes')} la
    ON la.user_id = u.id AND la.attribute_name = '${LAST_LOGIN_ATTRIBUTE}'
  LEFT JOIN ${t('cwd_membership')} m
    ON m.child_id = u.id AND m.membership_type = 'GROUP_USER'
 WHERE NOT EXISTS (
   SELECT 1 FROM ${t('cwd_user')} u2
     JOIN ${t('cwd_directory')} d2 ON d2.id = u2.directory_id AND d2.active = 1
    WHERE u2.lower_user_name = u.lower_user_name
      AND d2.directory_position < d.directory_position)
 ORDER BY u.lower_user_name, m.parent_name`;
}

function adminGroupsQuery(t: (table: JiraTable) => string): string {
  const permissions = ADMIN_PERMISSIONS.map((p) => `'${p}'`).join(', ');
  return `SELECT DISTINCT group_id FROM ${t('globalpermissionentry')}
 WHERE permission IN (${permissions}) AND group_id IS NOT NULL`;
}

export class JiraDatabaseFacts {
  private constructor(
    private readonly session: SqlSession,
    private readonly table: (table: JiraTable) => string,
  ) {}

  /** Connects read-only; rejects when the database refuses or does not answer in time. */
  static async open(options: JiraDatabaseOptions): Promise<JiraDatabaseFacts> {
    const table = tableNames(options.schema);
    const session = await openSqlSession({ ...options, readOnly: true });
    return new JiraDatabaseFacts(session, table);
  }

  /** Connects as `jira.database` says, giving up on the connection after at most 10 s. */
  static openConfigured(config: JiraDatabaseConfig): Promise<JiraDatabaseFacts> {
    return JiraDatabaseFacts.open({
      url: config.url,
      ...(config.password !== undefined ? { password: config.password } : {}),
      ...(config.schema !== undefined ? { schema: config.schema } : {}),
      statementTimeoutMs: config.statementTimeoutMs,
      connectTimeoutMs: Math.min(10_000, config.statementTimeoutMs),
    });
  }

  /** The groups that hold ADMINISTER or SYSTEM_ADMIN, whatever they are called. */
  async adminGroups(): Promise<string[]> {
    const rows = await this.session.query(adminGroupsQuery(this.table));
    return rows.map((row) => String(row.group_id));
  }

  /** Every user of its effective directory, streamed (one query, rows a batch at a time). */
  async *users(): AsyncIterable<JiraDatabaseUser> {
    let current: JiraDatabaseUser | undefined;
    let currentLower: string | undefined;
    for await (const row of this.session.stream(usersQuery(this.table))) {
      const lower = String(row.lower_user_name);
      if (current === undefined || lower !== currentLower) {
        if (current !== undefined) yield current;
        current = userOf(row);
        currentLower = lower;
      }
      if (row.group_name !== null && row.group_name !== undefined)
        current.groups.push(String(row.group_name));
    }
    if (current !== undefined) yield current;
  }

  close(): Promise<void> {
    return this.session.close();
  }
}

function userOf(row: SqlRow): JiraDatabaseUser {
  return {
    key: String(row.user_key),
    name: String(row.user_name),
    active: Number(row.active) === 1,
    createdDate: dateOf(row.created_date),
    lastLogin: millisOf(row.last_login_millis),
    directory: {
      id: Number(row.directory_id),
      name: String(row.directory_name),
      type: String(row.directory_type),
      readOnly: row.update_user === null || row.update_user === undefined,
    },
    groups: [],
  };
}

function dateOf(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(String(value));
  return Number.isNaN(date.getTime()) ? null : date;
}

/** An unreadable attribute is not "never": it throws, and the caller falls back to REST. */
function millisOf(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  const millis = Number(value);
  if (!Number.isFinite(millis)) throw new Error(`login.lastLoginMillis is not a number: "${String(value)}"`);
  return new Date(millis);
}
