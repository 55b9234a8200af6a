import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planByName, runToEnd, simHook, startStack, type Stack } from '../support/stack.js';
import { AS_OF, EXPECTED, VERDICT_POLICY, verdictFixture } from './verdict-fixture.js';

/*
 * A dry run with Google Workspace as the only directory. Google keys its accounts by
 * primaryEmail, which is the Jira e-mail address, not the Jira username: with `match: email`
 * the Jira users' emailAddress reaches the provider and the leavers are exactly the users
 * Google lacks (frank, ken) or has suspended (grace). With the default `match: username` the
 * Jira usernames are compared with e-mail addresses, nearly everyone is absent, and the
 * breaker refuses the directory: no one left the company.
 */

const CLIENT_EMAIL = 'reclaim@corp-project.iam.gserviceaccount.com';
const keys = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});

/** A port nobody listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * The verdict enterprise with Google's accounts: each logs in by an e-mail address of its own
 * (never the Jira username), its primaryEmail the Jira user's address in another case.
 */
function googleFixture() {
  const fixture = verdictFixture();
  const emailOf = new Map(fixture.users!.map((u) => [u.name, u.emailAddress!]));
  const scim = fixture.externalDirectory!.users!;
  return {
    ...fixture,
    externalDirectory: {
      type: 'idp' as const,
      users: [
        ...scim.map((account) => {
          const email = emailOf.get(account.userName)!;
          return {
            userName: `g.${account.userName}@corp.example`,
            email: email.replace(/^./, (c) => c.toUpperCase()),
            active: account.active,
          };
        }),
        // A Google account no Jira user has: it changes nothing.
        { userName: 'g.outsider@corp.example', email: 'outsider@example.com' },
      ],
    },
  };
}

const LEAVERS = Object.entries(EXPECTED)
  .filter(([, e]) => e.verdict === 'left-company')
  .map(([name]) => name)
  .sort();

describe('a dry run with Google Workspace as the directory, matched by e-mail, over HTTP and Redis', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'reclaim-google-run-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const match of ['email', 'username'] as const) {
    describe(`match: ${match}`, () => {
      let stack: Stack;
      before(async () => {
        // The key file's token_uri names the simulator, so its port is chosen first.
        const port = await freePort();
        const url = `http://127.0.0.1:${port}`;
        const credentialsFile = join(dir, `service-account-${match}.json`);
        writeFileSync(
          credentialsFile,
          JSON.stringify({
            type: 'service_account',
            client_email: CLIENT_EMAIL,
            private_key_id: 'k1',
            private_key: keys.privateKey,
            token_uri: `${url}/google/token`,
          }),
        );
        const source = {
          type: 'google',
          subject: 'admin@corp.example',
          credentialsFile,
          url: `${url}/google`,
          ...(match === 'email' ? { match } : {}),
        };
        stack = await startStack({
          sim: { fixture: googleFixture(), port },
          scim: false,
          config: { policy: VERDICT_POLICY, directories: { maxAbsentPercent: 20, sources: [source] } },
        });
        await simHook(stack.sim, '/__sim/idp/google/service-account', {
          clientEmail: CLIENT_EMAIL,
          publicKey: keys.publicKey,
        });
      });
      after(() => stack?.close());

      if (match === 'email') {
        it('plans left-company for exactly the users Google lacks or has suspended', async () => {
          const run = await runToEnd(stack, { asOf: AS_OF });
          assert.equal(run.status, 'done', run.statusReason);
          assert.deepEqual(
            run.directories?.map((d) => [d.source, d.trusted]),
            [['google', true]],
          );
          const plan = await planByName(stack.app, run.id);
          const leavers = [...plan.values()].filter((l) => l.verdict === 'left-company').map((l) => l.name);
          assert.deepEqual(leavers.sort(), LEAVERS);
          for (const [name, expected] of Object.entries(EXPECTED))
            assert.equal(
              plan.get(name)?.verdict,
              expected.verdict,
              `${name}: ${JSON.stringify(plan.get(name)?.reasons)}`,
            );
          const reasons = (name: string) => JSON.stringify(plan.get(name)!.reasons);
          assert.match(reasons('frank'), /not found in google/);
          assert.match(reasons('grace'), /suspended=true/);
        });
      } else {
        it('compares Jira usernames with primaryEmail: the breaker refuses Google and no one has left', async () => {
          const run = await runToEnd(stack, { asOf: AS_OF });
          assert.equal(run.status, 'done', run.statusReason);
          assert.equal(run.directories?.[0]?.trusted, false);
          assert.equal(
            run.directories?.[0]?.reason,
            'google: 100.0% of 12 active Jira users in scope absent, above maxAbsentPercent 20',
          );
          assert.equal(run.counters.byVerdict['left-company'] ?? 0, 0);
        });
      }
    });
  }
});
