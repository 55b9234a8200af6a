import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { formatAction, planCsv, runKnowsDirectories } from '../../services/runs/plan-csv.js';
import type { PlanLine } from '../../services/runs/types.js';
import { planByName, runToEnd, simStats, simUser, startStack, type Stack } from '../support/stack.js';
import { JiraDatabaseFacts } from '../../services/jira-database/jira-database-facts.js';
import { openSqlSession } from '../../services/jira-database/sql-connection.js';
import { SQL_SERVERS, createThrowawayDatabase, type ThrowawayDatabase } from '../support/sql-databases.js';
import { CORPORATE_LDAP, DB_AS_OF, databaseFixture } from './database-fixture.js';

/*
 * A dry run with Jira's database as a facts source, on real PostgreSQL and MariaDB that the
 * simulator writes its world into: creation dates, skipDirectories, the database's admin
 * groups, read-only leavers known before the apply, and the REST requests it saves.
 */

const POLICY = {
  inactiveDays: 90,
  neverLoggedInDays: 30,
  skipDirectories: ['Contractors'],
  rename: { enabled: true },
};
// lena is absent from the SCIM directory: one of seven, which the breaker must believe.
const DIRECTORIES = { maxAbsentPercent: 50 };

function actionsOf(line: PlanLine | undefined): string[] {
  return (line?.actions ?? []).map(formatAction).sort();
}

async function csvText(stack: Stack, runId: string): Promise<string> {
  const run = (await stack.app.runs.get(runId))!;
  const chunks: Buffer[] = [];
  for await (const chunk of planCsv(stack.app.plans.stream(runId), {
    directoryColumn: runKnowsDirectories(run),
  }))
    chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

for (const server of SQL_SERVERS) {
  describe(`a dry run with Jira's database (${server.label})`, function () {
    this.timeout(120_000);
    let database: ThrowawayDatabase;
    let stack: Stack;
    before(async () => {
      database = await createThrowawayDatabase(server.admin, server.label);
      stack = await startStack({
        sim: { fixture: databaseFixture('dc9'), database: database.url },
        config: { policy: POLICY, directories: DIRECTORIES, jira: { database: { url: database.url } } },
      });
    });
    after(async () => {
      await stack?.close();
      await database?.drop();
    });

    it('dates never-logged-in by creation, applies skipDirectories, protects the ADMINISTER group and plans a read-only leaver not-possible', async () => {
      const run = await runToEnd(stack, { asOf: DB_AS_OF });
      assert.equal(run.status, 'done', run.statusReason);
      assert.ok(!run.notes.some((note) => /skipDirectories/.test(note)), run.notes.join('\n'));
      const plan = await planByName(stack.app, run.id);

      const carl = plan.get('carl')!;
      assert.equal(carl.verdict, 'never-logged-in', JSON.stringify(carl.reasons));
      assert.ok(carl.reasons.some((r) => r.signal === 'created' && r.value === '2025-01-10T00:00:00.000Z'));
      const nina = plan.get('nina')!;
      assert.equal(nina.verdict, 'keep', 'created a week ago: not yet never-logged-in');
      assert.ok(
        nina.reasons.some((r) => /^created .* within 30 days/.test(r.rule)),
        JSON.stringify(nina.reasons),
      );

      assert.equal(plan.get('alice')!.verdict, 'keep');
      assert.equal(plan.get('alice')!.lastLogin, '2026-11-20T08:30:00.000Z', 'last login from the database');
      assert.equal(plan.get('tom')!.verdict, 'out-of-scope', JSON.stringify(plan.get('tom')!.reasons));
      const rootAdmin = plan.get('root-admin')!;
      assert.equal(rootAdmin.verdict, 'exempt', JSON.stringify(rootAdmin.reasons));
      assert.ok(rootAdmin.reasons.some((r) => r.value === 'it-admins'));

      const lena = plan.get('lena')!;
      assert.equal(lena.verdict, 'left-company', JSON.stringify(lena.reasons));
      assert.deepEqual(actionsOf(lena), ['remove-groups(developers)', 'revoke-license(jira-software-users)']);
      assert.ok(lena.reasons.some((r) => r.rule === `not-possible: read-only directory "${CORPORATE_LDAP}"`));
      assert.equal(lena.directory, CORPORATE_LDAP);

      const csv = (await csvText(stack, run.id)).split('\n');
      assert.ok(csv[0]!.endsWith(',reasons,directory'), csv[0]);
      assert.ok(
        csv.some((row) => row.startsWith('lena,') && row.endsWith(`,${CORPORATE_LDAP}`)),
        csv.join('\n'),
      );
    });

    it('gives a Jira user the database does not hold REST facts: its groups from Jira, no directory', async () => {
      const writer = await openSqlSession({ url: database.url, statementTimeoutMs: 30_000, readOnly: false });
      try {
        await writer.query("DELETE FROM app_user WHERE lower_user_name = 'lena'");
      } finally {
        await writer.close();
      }
      const before = await simStats(stack.sim);
      const run = await runToEnd(stack, { asOf: DB_AS_OF });
      assert.equal(run.status, 'done', run.statusReason);
      const lena = (await planByName(stack.app, run.id)).get('lena')!;
      assert.equal(lena.directory, undefined);
      assert.equal(lena.verdict, 'left-company', JSON.stringify(lena.reasons));
      // Without its directory the deactivation is planned, as through REST alone.
      assert.ok(lena.actions.some((action) => action.type === 'deactivate'));
      assert.deepEqual(
        lena.actions.filter((action) => action.type === 'remove-groups'),
        [{ type: 'remove-groups', groups: ['developers'] }],
      );
      const after = await simStats(stack.sim);
      assert.equal(
        (after.requests.byRoute['GET /rest/api/2/user']?.['200'] ?? 0) -
          (before.requests.byRoute['GET /rest/api/2/user']?.['200'] ?? 0),
        1,
        'one REST call for her groups',
      );
    });
  });

  describe(`an apply with Jira's database (${server.label})`, function () {
    this.timeout(120_000);
    let database: ThrowawayDatabase;
    let stack: Stack;
    before(async () => {
      database = await createThrowawayDatabase(server.admin, `${server.label}_apply`);
      stack = await startStack({
        sim: { fixture: databaseFixture('dc9'), database: database.url },
        config: {
          policy: POLICY,
          directories: DIRECTORIES,
          brake: { maxActions: 1000, maxPercentOfUsers: 100 },
          jira: { database: { url: database.url } },
        },
      });
    });
    after(async () => {
      await stack?.close();
      await database?.drop();
    });

    it("takes a read-only leaver's licence and groups without asking Jira for the deactivation it would refuse", async () => {
      const run = await runToEnd(stack, { mode: 'apply', asOf: DB_AS_OF });
      assert.equal(run.status, 'done', run.statusReason);
      assert.equal(run.counters.actionsNotPossible, 0, 'nothing was refused by Jira');
      assert.equal(run.counters.actionsFailed, 0);
      const lena = await simUser(stack.sim, 'lena');
      assert.equal(lena.active, true, 'a read-only directory keeps the account active');
      assert.deepEqual(lena.groups, []);
      // The database followed the changes the apply made through REST.
      await stack.sim.databaseSettled();
      const facts = await JiraDatabaseFacts.open({ url: database.url, statementTimeoutMs: 30_000 });
      try {
        let lenaGroups: string[] | undefined;
        for await (const user of facts.users()) if (user.name === 'lena') lenaGroups = user.groups;
        assert.deepEqual(lenaGroups, []);
      } finally {
        await facts.close();
      }
      assert.equal((await simUser(stack.sim, 'carl')).groups.includes('jira-software-users'), false);
    });
  });

  describe(`Jira's database refusing the connection (${server.label})`, function () {
    this.timeout(120_000);
    const stacks: Stack[] = [];
    after(() => Promise.all(stacks.map((stack) => stack.close())));

    it('is noted, and the run plans on REST facts exactly as without a database', async () => {
      const wrongPort = new URL(server.admin);
      wrongPort.port = '1';
      const config = { policy: POLICY, directories: DIRECTORIES };
      const plain = await startStack({ sim: { fixture: databaseFixture('dc11') }, config });
      stacks.push(plain);
      const refused = await startStack({
        sim: { fixture: databaseFixture('dc11') },
        config: { ...config, jira: { database: { url: wrongPort.toString() } } },
      });
      stacks.push(refused);
      const [withoutDb, withBadDb] = await Promise.all([
        runToEnd(plain, { asOf: DB_AS_OF }),
        runToEnd(refused, { asOf: DB_AS_OF }),
      ]);
      assert.equal(withBadDb.status, 'done', withBadDb.statusReason);
      assert.ok(
        withBadDb.notes.some((note) => /Jira database .* could not be read.*REST facts are used/.test(note)),
        withBadDb.notes.join('\n'),
      );
      const verdicts = async (stack: Stack, runId: string) =>
        [...(await planByName(stack.app, runId))]
          .map(([name, line]) => [name, line.verdict, actionsOf(line)])
          .sort();
      assert.deepEqual(await verdicts(refused, withBadDb.id), await verdicts(plain, withoutDb.id));
      const lena = (await planByName(refused.app, withBadDb.id)).get('lena')!;
      assert.ok(
        lena.actions.some((a) => a.type === 'deactivate'),
        'without directories the deactivation is planned',
      );
      assert.equal(lena.directory, undefined);
    });

    it('that accepts the connection and never answers times out, is noted, and the run plans on REST facts', async () => {
      const sockets = new Set<Socket>();
      const silent = createServer((socket) => sockets.add(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      try {
        const url = new URL(server.admin);
        url.port = String((silent.address() as AddressInfo).port);
        const config = { policy: POLICY, directories: DIRECTORIES };
        const plain = await startStack({ sim: { fixture: databaseFixture('dc11') }, config });
        stacks.push(plain);
        const hanging = await startStack({
          sim: { fixture: databaseFixture('dc11') },
          config: { ...config, jira: { database: { url: url.toString(), statementTimeoutMs: 500 } } },
        });
        stacks.push(hanging);
        const [withoutDb, withHangingDb] = await Promise.all([
          runToEnd(plain, { asOf: DB_AS_OF }),
          runToEnd(hanging, { asOf: DB_AS_OF }),
        ]);
        assert.equal(withHangingDb.status, 'done', withHangingDb.statusReason);
        assert.ok(
          withHangingDb.notes.some((note) => /Jira database .* could not be read/.test(note)),
          withHangingDb.notes.join('\n'),
        );
        const verdicts = async (stack: Stack, runId: string) =>
          [...(await planByName(stack.app, runId))]
            .map(([name, line]) => [name, line.verdict, actionsOf(line)])
            .sort();
        assert.deepEqual(await verdicts(hanging, withHangingDb.id), await verdicts(plain, withoutDb.id));
      } finally {
        for (const socket of sockets) socket.destroy();
        await new Promise((resolve) => silent.close(resolve));
      }
    });
  });
}

describe("a dry run's Jira requests with Jira's database (PostgreSQL, Jira 9)", function () {
  this.timeout(300_000);
  // A fixed handful of requests (version detection, /myself, application roles) plus one
  // listing page per 1,000 users: at 10,000 users the share of the fixed part is small.
  const USERS = 10_000;
  let database: ThrowawayDatabase;
  let stack: Stack;
  before(async () => {
    database = await createThrowawayDatabase(SQL_SERVERS[0].admin, 'requests');
    stack = await startStack({
      sim: { users: USERS, profile: 'dc9', database: database.url, referenceTime: DB_AS_OF },
      scim: false,
      config: { jira: { database: { url: database.url } } },
    });
  });
  after(async () => {
    await stack?.close();
    await database?.drop();
  });

  it('are at most 2 per 1,000 users', async () => {
    const before = await simStats(stack.sim);
    const run = await runToEnd(stack, { asOf: DB_AS_OF }, 240_000);
    assert.equal(run.status, 'done', run.statusReason);
    const requests = (await simStats(stack.sim)).requests.total - before.requests.total;
    const perThousand = (requests * 1000) / USERS;
    const after = (await simStats(stack.sim)).requests.byRoute;
    assert.ok(
      perThousand <= 2,
      `${requests} requests for ${USERS} users: ${perThousand} per 1,000 ${JSON.stringify(after)}`,
    );
    assert.equal(run.counters.evaluated, USERS);
  });
});
