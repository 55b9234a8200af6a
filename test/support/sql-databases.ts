import { randomBytes } from 'node:crypto';
import { openSqlSession } from '../../services/jira-database/sql-connection.js';

/*
 * A throwaway database of the test's own on the machine's PostgreSQL and MariaDB, created
 * under a unique name and dropped afterwards. PG_TEST_URL / MYSQL_TEST_URL point elsewhere.
 */

export interface ThrowawayDatabase {
  /** postgres://…/<name> or mysql://…/<name>. */
  url: string;
  drop(): Promise<void>;
}

export const SQL_SERVERS = [
  { label: 'PostgreSQL', admin: process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
  { label: 'MariaDB', admin: process.env.MYSQL_TEST_URL ?? 'mysql://root@127.0.0.1:3306/test' },
] as const;

export async function createThrowawayDatabase(adminUrl: string, label: string): Promise<ThrowawayDatabase> {
  const name =
    `reclaim_${label.replace(/[^a-z0-9_]/gi, '_')}_${randomBytes(4).toString('hex')}`.toLowerCase();
  const admin = await openSqlSession({ url: adminUrl, statementTimeoutMs: 30_000, readOnly: false });
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.close();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const session = await openSqlSession({ url: adminUrl, statementTimeoutMs: 30_000, readOnly: false });
      try {
        const force = session.dialect === 'postgres' ? ' WITH (FORCE)' : '';
        await session.query(`DROP DATABASE IF EXISTS ${name}${force}`);
      } finally {
        await session.close();
      }
    },
  };
}
