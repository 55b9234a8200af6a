import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assessDirectory } from '../../services/directories/assess-directory.js';
import {
  GoogleDirectoryProvider,
  type GoogleProviderOptions,
} from '../../services/directories/google/google-directory-provider.js';
import {
  delta,
  loadEntries,
  startIdpSimulator,
  TEST_REQUEST_LIMITS,
  type IdpAccount,
  type IdpSimulator,
} from './idp-simulator.js';

const staff = Array.from({ length: 23 }, (_, i) => `staff${i + 1}@corp.example`);
const ACCOUNTS: IdpAccount[] = [
  ...staff.map((userName, i) => ({ userName, attributes: { 'HR.jiraUser': `jira-staff${i + 1}` } })),
  { userName: 'left@corp.example', active: false },
  { userName: 'archived@corp.example', archived: true },
  { userName: 'back@corp.example', active: true, suspended: false },
];
const CLIENT_EMAIL = 'reclaim@corp-project.iam.gserviceaccount.com';
const ADMIN = 'admin@corp.example';
const USERS_ROUTE = 'GET /google/admin/directory/v1/users';
const TOKEN_ROUTE = 'POST /google/token';

function keyPair() {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

describe('Google Workspace Admin SDK Directory over HTTP (simulator)', function () {
  let idp: IdpSimulator;
  let dir: string;
  let keyFile: string;
  const keys = keyPair();

  const provider = (overrides: Partial<GoogleProviderOptions> = {}) =>
    new GoogleDirectoryProvider({
      name: 'google',
      subject: ADMIN,
      customer: 'my_customer',
      url: `${idp.sim.url}/google`,
      credentialsFile: keyFile,
      match: 'username',
      pageSize: 10,
      ...TEST_REQUEST_LIMITS,
      ...overrides,
    });

  before(async () => {
    idp = await startIdpSimulator(ACCOUNTS);
    dir = mkdtempSync(join(tmpdir(), 'reclaim-google-'));
    keyFile = join(dir, 'service-account.json');
    writeFileSync(
      keyFile,
      JSON.stringify({
        type: 'service_account',
        client_email: CLIENT_EMAIL,
        private_key_id: 'k1',
        private_key: keys.privateKey,
        token_uri: `${idp.sim.url}/google/token`,
      }),
    );
  });
  beforeEach(() =>
    idp.hook('/__sim/idp/google/service-account', { clientEmail: CLIENT_EMAIL, publicKey: keys.publicKey }),
  );
  afterEach(() => idp.reset());
  after(async () => {
    await idp.sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs in with the key file, pages through nextPageToken and maps suspended and archived', async () => {
    const before = { users: await idp.requests(USERS_ROUTE), token: await idp.requests(TOKEN_ROUTE) };
    const entries = await loadEntries(provider());
    assert.equal(entries.length, ACCOUNTS.length);
    const answers = Object.fromEntries(entries.map((e) => [e.userName, e.answer]));
    assert.deepEqual(answers['left@corp.example'], { status: 'disabled', attribute: 'suspended=true' });
    assert.deepEqual(answers['archived@corp.example'], { status: 'disabled', attribute: 'archived=true' });
    assert.deepEqual(answers['back@corp.example'], { status: 'active', attribute: 'suspended=false' });
    assert.deepEqual(answers['staff23@corp.example'], { status: 'active', attribute: 'suspended=false' });
    assert.deepEqual(delta(await idp.requests(USERS_ROUTE), before.users), { '200': 3 });
    assert.deepEqual(delta(await idp.requests(TOKEN_ROUTE), before.token), { '200': 1 });
  });

  it('looks users up by users.get: a 404 "not found" is absent', async () => {
    const answers = await provider().lookup([
      'LEFT@corp.example',
      'staff1@corp.example',
      'nobody@corp.example',
    ]);
    assert.deepEqual(Object.fromEntries(answers), {
      'LEFT@corp.example': { status: 'disabled', attribute: 'suspended=true' },
      'staff1@corp.example': { status: 'active', attribute: 'suspended=false' },
      'nobody@corp.example': { status: 'absent' },
    });
  });

  it('a 404 from a wrong URL is a failure, not an absent user', async () => {
    const wrong = provider({ url: `${idp.sim.url}/google/wrong` });
    await assert.rejects(wrong.lookup(['staff1@corp.example']), { name: 'DirectoryUnavailableError' });
  });

  it('match: attribute keys accounts by a custom schema field, listed and looked up', async () => {
    const p = provider({ match: 'attribute', matchAttribute: 'HR.jiraUser' });
    const entries = await loadEntries(p);
    assert.equal(entries.length, staff.length);
    assert.ok(entries.some((e) => e.userName === 'jira-staff7'));
    assert.deepEqual(Object.fromEntries(await p.lookup(['JIRA-STAFF7', 'jira-nobody', "o'neil"])), {
      'JIRA-STAFF7': { status: 'active', attribute: 'suspended=false' },
      'jira-nobody': { status: 'absent' },
      // A value the query syntax cannot quote is not answered: it stays unknown, never absent.
    });
  });

  it('a key the simulator does not trust: unknown for everyone, "Invalid JWT Signature", no key in the message', async () => {
    const other = keyPair();
    await idp.hook('/__sim/idp/google/service-account', {
      clientEmail: CLIENT_EMAIL,
      publicKey: other.publicKey,
    });
    const result = await assessDirectory({
      providers: [provider()],
      jiraUsernames: ['staff1@corp.example'],
      maxAbsentPercent: 50,
    });
    const summary = result.assessments[0]!.summary;
    assert.match(
      summary,
      /^google: authentication failed at the token endpoint: 400 Bad Request: invalid_grant: Invalid JWT Signature\. \(POST http.*\/google\/token\)$/,
    );
    assert.ok(!summary.includes('PRIVATE KEY'));
    assert.equal(
      (await result.factsFor(['staff1@corp.example'])).get('staff1@corp.example')?.status,
      'unknown',
    );
  });

  it('the key inline through privateKeyEnv (newlines escaped), and a short-lived token renewed', async () => {
    process.env.RECLAIM_TEST_GOOGLE_KEY = keys.privateKey.replaceAll('\n', '\\n');
    try {
      await idp.faults('google', { tokenLifetimeSec: 1 });
      const p = provider({
        credentialsFile: undefined,
        clientEmail: CLIENT_EMAIL,
        privateKey: { env: 'RECLAIM_TEST_GOOGLE_KEY' },
        tokenUrl: `${idp.sim.url}/google/token`,
      });
      const before = await idp.requests(TOKEN_ROUTE);
      assert.equal((await p.lookup(['staff1@corp.example'])).get('staff1@corp.example')?.status, 'active');
      await new Promise((resolve) => setTimeout(resolve, 1100));
      assert.equal((await p.lookup(['staff2@corp.example'])).get('staff2@corp.example')?.status, 'active');
      assert.deepEqual(delta(await idp.requests(TOKEN_ROUTE), before), { '200': 2 });
    } finally {
      delete process.env.RECLAIM_TEST_GOOGLE_KEY;
    }
  });

  it('a missing key file: unknown, naming the file', async () => {
    await assert.rejects(loadEntries(provider({ credentialsFile: join(dir, 'missing.json') })), {
      message: `google: cannot read credentialsFile ${join(dir, 'missing.json')} (ENOENT)`,
    });
  });

  it('waits out a 429, then goes on', async () => {
    await idp.faults('google', { rateLimited: 1 });
    const before = await idp.requests(USERS_ROUTE);
    assert.equal((await loadEntries(provider({ retries: 0 }))).length, ACCOUNTS.length);
    assert.deepEqual(delta(await idp.requests(USERS_ROUTE), before), { '200': 3, '429': 1 });
  });

  it('a listing cut off after two pages is a failure, and nobody is absent', async () => {
    await idp.faults('google', { cutAfterPages: 2 });
    const result = await assessDirectory({
      providers: [provider()],
      jiraUsernames: ['staff1@corp.example', 'back@corp.example', 'gone@corp.example'],
      maxAbsentPercent: 100,
    });
    assert.equal(result.trusted, false);
    assert.match(result.assessments[0]!.summary, /^google: request failed: 500 Internal Server Error/);
    for (const fact of (
      await result.factsFor(['staff1@corp.example', 'back@corp.example', 'gone@corp.example'])
    ).values())
      assert.equal(fact.status, 'unknown');
  });
});
