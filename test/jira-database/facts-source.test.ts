import assert from 'node:assert/strict';
import { JiraDatabaseFacts } from '../../services/jira-database/jira-database-facts.js';
import { openSqlSession } from '../../services/jira-database/sql-connection.js';
import type { JiraDatabaseUser } from '../../services/jira-database/types.js';
import { startSimulator, type RunningSimulator } from '../../simulator/index.js';
import { postSimHook } from '../support/sim-hooks.js';
import { SQL_SERVERS, createThrowawayDatabase, type ThrowawayDatabase } from '../support/sql-databases.js';
import { CORPORATE_LDAP, databaseFixture } from './database-fixture.js';

/*
 * The simulator writes its world into a real database in Jira's tables; the facts source reads
 * it back exactly, on PostgreSQL and on MariaDB, and follows the changes made through REST.
 */

async function readUsers(url: string): Promise<Map<string, JiraDatabaseUser>> {
  const facts = await JiraDatabaseFacts.open({ url, statementTimeoutMs: 30_000 });
  try {
    const users = new Map<string, JiraDatabaseUser>();
    for await (const user of facts.users()) users.set(user.name, user);
    return users;
  } finally {
    await facts.close();
  }
}

for (const server of SQL_SERVERS) {
  describe(`Jira's database as a facts source (${server.label})`, function () {
    this.timeout(60_000);
    let database: ThrowawayDatabase;
    let sim: RunningSimulator;
    before(async () => {
      database = await createThrowawayDatabase(server.admin, server.label);
      sim = await startSimulator({ fixture: databaseFixture(), database: database.url });
    });
    after(async () => {
      await sim?.close();
      await database?.drop();
    });

    it("gives each fixture user's key, created date, last login, directory, read-only flag and groups", async () => {
      const users = await readUsers(database.url);
      assert.equal(users.size, 7);
      const alice = users.get('alice')!;
      assert.equal(alice.key, 'JIRAUSER10001');
      assert.equal(alice.active, true);
      assert.equal(alice.createdDate?.toISOString(), '2024-03-01T10:00:00.000Z');
      assert.equal(alice.lastLogin?.toISOString(), '2026-11-20T08:30:00.000Z');
      assert.deepEqual(alice.directory, {
        id: 1,
        name: 'Jira Internal Directory',
        type: 'INTERNAL',
        readOnly: false,
      });
      assert.deepEqual([...alice.groups].sort(), ['developers', 'jira-software-users']);
      const lena = users.get('lena')!;
      assert.deepEqual(lena.directory, {
        id: 10000,
        name: CORPORATE_LDAP,
        type: 'CONNECTOR',
        readOnly: true,
      });
      assert.equal(lena.createdDate?.toISOString(), '2023-05-05T05:05:05.000Z');
      assert.equal(users.get('carl')!.lastLogin, null, 'no login attribute: never logged in');
      assert.equal(users.get('root-admin')!.createdDate, null, 'no created date in the fixture: unknown');
    });

    it('names the groups holding ADMINISTER or SYSTEM_ADMIN', async () => {
      const facts = await JiraDatabaseFacts.open({ url: database.url, statementTimeoutMs: 30_000 });
      try {
        assert.deepEqual(await facts.adminGroups(), ['it-admins']);
      } finally {
        await facts.close();
      }
    });

    it('takes a username in two directories from the active directory with the lowest position', async () => {
      const writer = await openSqlSession({ url: database.url, statementTimeoutMs: 30_000, readOnly: false });
      try {
        // A second "alice" in a directory positioned after the internal one.
        await writer.query(
          `INSERT INTO cwd_user (id, directory_id, user_name, lower_user_name, active) VALUES (99001, 20000, 'alice', 'alice', 0)`,
        );
        const alice = (await readUsers(database.url)).get('alice')!;
        assert.equal(alice.directory.id, 1);
        assert.equal(alice.active, true);
      } finally {
        await writer.query('DELETE FROM cwd_user WHERE id = 99001');
        await writer.close();
      }
    });

    it('follows REST changes: login, deactivation, rename and group removal', async () => {
      await postSimHook(sim.url, '/__sim/users/nina/login');
      const auth = { authorization: 'Bearer sim-token', 'content-type': 'application/json' };
      let response = await fetch(`${sim.url}/rest/api/2/user?key=JIRAUSER10002`, {
        method: 'PUT',
        headers: auth,
        body: JSON.stringify({ active: false, name: 'carl_gone' }),
      });
      assert.equal(response.status, 200, await response.text());
      response = await fetch(`${sim.url}/rest/api/2/group/user?groupname=developers&username=alice`, {
        method: 'DELETE',
        headers: auth,
      });
      assert.ok(response.ok, await response.text());
      await sim.databaseSettled();
      const users = await readUsers(database.url);
      assert.ok(users.get('nina')!.lastLogin, 'the login is recorded');
      assert.equal(users.has('carl'), false);
      assert.equal(users.get('carl_gone')!.key, 'JIRAUSER10002');
      assert.equal(users.get('carl_gone')!.active, false);
      assert.deepEqual(users.get('alice')!.groups, ['jira-software-users']);
    });
  });
}
