import { openSqlSession, type SqlSession } from '../services/jira-database/sql-connection.js';
import { JIRA_SCHEMA_TABLES, jiraSchemaStatements } from './jira-database-schema.js';
import type { UserStore } from './user-store.js';
import type { World } from './world.js';

/*
 * The simulated Jira's world, written into a real PostgreSQL or MySQL / MariaDB database in
 * Jira's own tables, and kept in step as users change through REST and the test hooks. The
 * store stays the truth of the simulator; the database follows it, one change at a time in
 * the order they happened (`settled()` waits for the queue to drain).
 */

/**
 * Crowd's permission sets: read/write has them all; a read-only directory is "Read Only, with
 * Local Groups" (no user updates, group changes allowed), as the simulator's REST behaves:
 * it refuses to update such a user but lets its memberships change.
 */
const READ_WRITE_OPERATIONS = [
  'CREATE_USER',
  'UPDATE_USER',
  'DELETE_USER',
  'CREATE_GROUP',
  'UPDATE_GROUP',
  'DELETE_GROUP',
  'UPDATE_USER_ATTRIBUTE',
  'UPDATE_GROUP_ATTRIBUTE',
  'CREATE_ROLE',
  'UPDATE_ROLE',
  'DELETE_ROLE',
];
const READ_ONLY_OPERATIONS = [
  'UPDATE_USER_ATTRIBUTE',
  'UPDATE_GROUP_ATTRIBUTE',
  'CREATE_GROUP',
  'UPDATE_GROUP',
  'DELETE_GROUP',
];
const LAST_LOGIN_ATTRIBUTE = 'login.lastLoginMillis';
const INSERT_BATCH = 400;

type Row = unknown[];

export class JiraDatabaseMirror {
  private queue: Promise<void> = Promise.resolve();
  private failure: Error | undefined;

  private constructor(private readonly session: SqlSession) {}

  /** Connects and creates Jira's tables (replacing the simulator's own tables of an earlier run). */
  static async open(url: string): Promise<JiraDatabaseMirror> {
    const session = await openSqlSession({ url, statementTimeoutMs: 120_000, readOnly: false });
    for (const table of JIRA_SCHEMA_TABLES) await session.query(`DROP TABLE IF EXISTS ${table}`);
    for (const statement of jiraSchemaStatements(session.dialect)) await session.query(statement);
    return new JiraDatabaseMirror(session);
  }

  /** Writes a whole world (at start and on reset) and follows its store's changes from then on. */
  follow(world: World): void {
    const store = world.store;
    this.enqueue(() => this.writeWorld(world));
    store.changeListener = (index) => this.enqueue(() => this.rewriteUser(store, index));
  }

  /** Resolves once every change so far is in the database; rejects if one failed. */
  async settled(): Promise<void> {
    await this.queue;
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    await this.queue;
    await this.session.close();
  }

  private enqueue(work: () => Promise<void>): void {
    this.queue = this.queue.then(work).catch((error: unknown) => {
      this.failure ??= error instanceof Error ? error : new Error(String(error));
    });
  }

  private async writeWorld(world: World): Promise<void> {
    const { store } = world;
    for (const table of JIRA_SCHEMA_TABLES) await this.session.query(`DELETE FROM ${table}`);
    const directories = store.directories.map((directory, position): Row => [
      directory.id,
      directory.name,
      directory.name.toLowerCase(),
      1,
      directory.readOnly
        ? 'com.atlassian.crowd.directory.OpenLDAP'
        : 'com.atlassian.crowd.directory.InternalDirectory',
      directory.readOnly ? 'CONNECTOR' : 'INTERNAL',
      position,
    ]);
    await this.insert(
      'cwd_directory',
      [
        'id',
        'directory_name',
        'lower_directory_name',
        'active',
        'impl_class',
        'directory_type',
        'directory_position',
      ],
      directories,
    );
    let operationId = 1;
    const operations = store.directories.flatMap((directory) =>
      (directory.readOnly ? READ_ONLY_OPERATIONS : READ_WRITE_OPERATIONS).map((operation): Row => [
        operationId++,
        directory.id,
        operation,
      ]),
    );
    await this.insert('cwd_directory_operation', ['id', 'directory_id', 'operation_type'], operations);
    const groupDirectory = store.directories[0]?.id ?? 1;
    await this.insert(
      'cwd_group',
      ['id', 'group_name', 'lower_group_name', 'active', 'local', 'group_type', 'directory_id'],
      store.groupNames.map((name, id): Row => [
        groupRowId(id),
        name,
        name.toLowerCase(),
        1,
        1,
        'GROUP',
        groupDirectory,
      ]),
    );
    const permissions = world.globalPermissions ?? defaultGlobalPermissions(store);
    await this.insert(
      'globalpermissionentry',
      ['id', 'permission', 'group_id'],
      permissions.map((entry, i): Row => [i + 1, entry.permission, entry.group]),
    );
    for (let start = 0; start < store.size; start += INSERT_BATCH) {
      const indexes = Array.from({ length: Math.min(INSERT_BATCH, store.size - start) }, (_, i) => start + i);
      await this.insertUsers(store, indexes);
    }
  }

  private async rewriteUser(store: UserStore, index: number): Promise<void> {
    const id = userRowId(index);
    await this.session.query(`DELETE FROM cwd_membership WHERE child_id = ${id}`);
    await this.session.query(`DELETE FROM cwd_user_attributes WHERE user_id = ${id}`);
    await this.session.query(`DELETE FROM app_user WHERE id = ${id}`);
    await this.session.query(`DELETE FROM cwd_user WHERE id = ${id}`);
    await this.insertUsers(store, [index]);
  }

  private async insertUsers(store: UserStore, indexes: number[]): Promise<void> {
    const users: Row[] = [];
    const keys: Row[] = [];
    const attributes: Row[] = [];
    const memberships: Row[] = [];
    for (const index of indexes) {
      const id = userRowId(index);
      const name = store.name(index);
      const lower = name.toLowerCase();
      const directoryId = store.directory(index).id;
      const created = store.createdEpochMs(index);
      const email = store.emailAddress(index);
      const display = store.displayName(index);
      users.push([
        id,
        directoryId,
        name,
        lower,
        store.isActive(index) ? 1 : 0,
        created === undefined ? null : new Date(created),
        display,
        display.toLowerCase(),
        email,
        email.toLowerCase(),
      ]);
      keys.push([id, store.key(index), lower]);
      const lastLogin = store.lastLoginEpochMs(index);
      if (lastLogin !== undefined) {
        attributes.push([id, id, directoryId, LAST_LOGIN_ATTRIBUTE, String(lastLogin), String(lastLogin)]);
      }
      for (const groupId of store.groupIdsOf(index)) {
        const group = store.groupNames[groupId] as string;
        memberships.push([
          id * 100_000 + groupId,
          groupRowId(groupId),
          id,
          'GROUP_USER',
          'GROUP',
          group,
          group.toLowerCase(),
          name,
          lower,
          directoryId,
        ]);
      }
    }
    await this.insert(
      'cwd_user',
      [
        'id',
        'directory_id',
        'user_name',
        'lower_user_name',
        'active',
        'created_date',
        'display_name',
        'lower_display_name',
        'email_address',
        'lower_email_address',
      ],
      users,
    );
    await this.insert('app_user', ['id', 'user_key', 'lower_user_name'], keys);
    await this.insert(
      'cwd_user_attributes',
      ['id', 'user_id', 'directory_id', 'attribute_name', 'attribute_value', 'lower_attribute_value'],
      attributes,
    );
    await this.insert(
      'cwd_membership',
      [
        'id',
        'parent_id',
        'child_id',
        'membership_type',
        'group_type',
        'parent_name',
        'lower_parent_name',
        'child_name',
        'lower_child_name',
        'directory_id',
      ],
      memberships,
    );
  }

  private async insert(table: string, columns: string[], rows: Row[]): Promise<void> {
    for (let start = 0; start < rows.length; start += INSERT_BATCH) {
      const batch = rows.slice(start, start + INSERT_BATCH);
      let n = 0;
      const placeholder = () => (this.session.dialect === 'postgres' ? `$${++n}` : '?');
      const values = batch.map((row) => `(${row.map(placeholder).join(', ')})`).join(', ');
      await this.session.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values}`, batch.flat());
    }
  }
}

/** Row ids: users from 10000 (like Jira's), groups from 20000, stable across changes. */
function userRowId(index: number): number {
  return 10_000 + index;
}
function groupRowId(groupId: number): number {
  return 20_000 + groupId;
}

/** Jira's defaults: jira-administrators administers, jira-system-administrators is system admin. */
function defaultGlobalPermissions(store: UserStore): { permission: string; group: string }[] {
  const entries: { permission: string; group: string }[] = [];
  if (store.groupIdOf('jira-administrators') !== undefined)
    entries.push({ permission: 'ADMINISTER', group: 'jira-administrators' });
  if (store.groupIdOf('jira-system-administrators') !== undefined)
    entries.push({ permission: 'SYSTEM_ADMIN', group: 'jira-system-administrators' });
  return entries;
}
