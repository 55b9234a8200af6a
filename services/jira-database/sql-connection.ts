import mysql from 'mysql2';
import pg from 'pg';

/*
 * One read-only SQL session on Jira's database, PostgreSQL (pg) or MySQL / MariaDB (mysql2),
 * behind the few operations the facts source needs. Rows stream in batches: a million users
 * never sit in memory. Times are read as UTC (Jira writes its timestamps in UTC).
 */

export type SqlDialect = 'postgres' | 'mysql';
export type SqlRow = Record<string, unknown>;

export interface SqlSession {
  readonly dialect: SqlDialect;
  /** Runs a statement and returns all its rows (for small answers). */
  query(sql: string, params?: readonly unknown[]): Promise<SqlRow[]>;
  /** Streams the rows of a query, batch by batch. */
  stream(sql: string, params?: readonly unknown[]): AsyncIterable<SqlRow>;
  close(): Promise<void>;
}

export interface SqlSessionOptions {
  url: string;
  /** Overrides the URL's password (from the environment). */
  password?: string;
  /** Each statement's time limit, enforced by the database server. */
  statementTimeoutMs: number;
  /** How long to wait for the connection itself. */
  connectTimeoutMs?: number;
  /** Read-only sessions (the facts source) refuse to write; the simulator's writer does not. */
  readOnly: boolean;
}

const STREAM_BATCH = 1000;

export function dialectOf(url: string): SqlDialect {
  const protocol = new URL(url).protocol;
  if (protocol === 'postgres:' || protocol === 'postgresql:') return 'postgres';
  if (protocol === 'mysql:' || protocol === 'mariadb:') return 'mysql';
  throw new Error(`jira.database.url: expected postgres:// or mysql://, got ${protocol}//`);
}

/** The URL with its password replaced, for messages and logs. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

export async function openSqlSession(options: SqlSessionOptions): Promise<SqlSession> {
  return dialectOf(options.url) === 'postgres' ? openPostgres(options) : openMysql(options);
}

async function openPostgres(options: SqlSessionOptions): Promise<SqlSession> {
  const client = new pg.Client({
    connectionString: options.url,
    ...(options.password !== undefined ? { password: options.password } : {}),
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    statement_timeout: options.statementTimeoutMs,
  });
  // A broken connection after connect would otherwise be an unhandled 'error' event.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    // A timed-out connect leaves pg's socket open: end it, or it outlives the attempt.
    await client.end().catch(() => undefined);
    throw error;
  }
  if (options.readOnly) await client.query('SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY');
  let cursors = 0;
  return {
    dialect: 'postgres',
    async query(sql, params = []) {
      return (await client.query(sql, [...params])).rows as SqlRow[];
    },
    async *stream(sql, params = []) {
      // A server-side cursor inside a transaction: FETCH hands the rows over a batch at a time.
      const cursor = `reclaim_cursor_${++cursors}`;
      await client.query('BEGIN');
      try {
        await client.query(`DECLARE ${cursor} NO SCROLL CURSOR FOR ${sql}`, [...params]);
        for (;;) {
          const batch = await client.query(`FETCH ${STREAM_BATCH} FROM ${cursor}`);
          for (const row of batch.rows as SqlRow[]) yield row;
          if (batch.rows.length < STREAM_BATCH) break;
        }
        await client.query(`CLOSE ${cursor}`);
      } finally {
        await client.query('COMMIT').catch(() => undefined);
      }
    },
    async close() {
      await client.end().catch(() => undefined);
    },
  };
}

async function openMysql(options: SqlSessionOptions): Promise<SqlSession> {
  const url = new URL(options.url);
  const connection = mysql.createConnection({
    host: url.hostname,
    port: url.port ? Number(url.port) : 3306,
    user: decodeURIComponent(url.username),
    password: options.password ?? decodeURIComponent(url.password),
    database: decodeURIComponent(url.pathname.replace(/^\//, '')),
    connectTimeout: options.connectTimeoutMs ?? 10_000,
    timezone: 'Z',
    dateStrings: false,
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
  connection.on('error', () => undefined);
  const run = (sql: string, params: readonly unknown[] = []) =>
    new Promise<SqlRow[]>((resolve, reject) => {
      connection.query(sql, [...params], (error, rows) => {
        if (error) reject(error);
        else resolve(rows as SqlRow[]);
      });
    });
  await new Promise<void>((resolve, reject) =>
    connection.connect((error) => {
      if (!error) return resolve();
      connection.destroy();
      reject(error);
    }),
  );
  // MariaDB and MySQL name the statement time limit differently; each ignores the other's.
  const seconds = Math.max(options.statementTimeoutMs / 1000, 0.001);
  await run(`SET SESSION max_statement_time = ${seconds}`).catch(() =>
    run(`SET SESSION max_execution_time = ${Math.ceil(options.statementTimeoutMs)}`).catch(() => undefined),
  );
  await run("SET SESSION time_zone = '+00:00'");
  if (options.readOnly) await run('SET SESSION TRANSACTION READ ONLY');
  return {
    dialect: 'mysql',
    query: run,
    async *stream(sql, params = []) {
      const rows = connection.query(sql, [...params]).stream({ highWaterMark: STREAM_BATCH });
      for await (const row of rows) yield row as SqlRow;
    },
    async close() {
      await new Promise<void>((resolve) => connection.end(() => resolve()));
      connection.destroy();
    },
  };
}
