import assert from 'node:assert/strict';
import { assessDirectory } from '../../services/directories/assess-directory.js';
import {
  EntraDirectoryProvider,
  type EntraProviderOptions,
} from '../../services/directories/entra/entra-directory-provider.js';
import {
  delta,
  loadEntries,
  startIdpSimulator,
  TEST_REQUEST_LIMITS,
  type IdpAccount,
  type IdpSimulator,
} from './idp-simulator.js';

const staff = Array.from({ length: 47 }, (_, i) => `staff${i + 1}@contoso.example`);
const ACCOUNTS: IdpAccount[] = [
  ...staff.map((userName, i) => ({
    userName,
    active: i % 10 !== 0,
    attributes: { onPremisesSamAccountName: `staff${i + 1}` },
  })),
  { userName: "o'brien@contoso.example", email: 'sean.obrien@contoso.example', active: false },
];
const SECRET = 'sim-token';
const TOKEN_ROUTE = 'POST /entra/oauth2/v2.0/token';
const USERS_ROUTE = 'GET /entra/v1.0/users';

describe('Microsoft Entra ID through Microsoft Graph over HTTP (simulator)', function () {
  let idp: IdpSimulator;
  const provider = (overrides: Partial<EntraProviderOptions> = {}) =>
    new EntraDirectoryProvider({
      name: 'entra',
      tenantId: 'contoso',
      clientId: 'reclaim-app',
      clientSecret: { value: SECRET },
      tokenUrl: `${idp.sim.url}/entra/oauth2/v2.0/token`,
      scope: 'https://graph.microsoft.com/.default',
      graphUrl: `${idp.sim.url}/entra/v1.0`,
      match: 'username',
      pageSize: 20,
      ...TEST_REQUEST_LIMITS,
      ...overrides,
    });

  before(async () => (idp = await startIdpSimulator(ACCOUNTS)));
  afterEach(() => idp.reset());
  after(() => idp.sim.close());

  it('pages through @odata.nextLink to the end and maps accountEnabled, with one token', async () => {
    const before = { token: await idp.requests(TOKEN_ROUTE), users: await idp.requests(USERS_ROUTE) };
    const entries = await loadEntries(provider());
    assert.equal(entries.length, ACCOUNTS.length);
    const answers = Object.fromEntries(entries.map((e) => [e.userName, e.answer]));
    assert.deepEqual(answers['staff1@contoso.example'], {
      status: 'disabled',
      attribute: 'accountEnabled=false',
    });
    assert.deepEqual(answers['staff2@contoso.example'], {
      status: 'active',
      attribute: 'accountEnabled=true',
    });
    assert.deepEqual(answers["o'brien@contoso.example"], {
      status: 'disabled',
      attribute: 'accountEnabled=false',
    });
    assert.deepEqual(delta(await idp.requests(USERS_ROUTE), before.users), { '200': 3 });
    assert.deepEqual(delta(await idp.requests(TOKEN_ROUTE), before.token), { '200': 1 });
  });

  it("looks users up by $filter=userPrincipalName eq '…', quotes doubled", async () => {
    const answers = await provider().lookup([
      "O'Brien@contoso.example",
      'staff2@contoso.example',
      'nobody@contoso.example',
    ]);
    assert.deepEqual(Object.fromEntries(answers), {
      "O'Brien@contoso.example": { status: 'disabled', attribute: 'accountEnabled=false' },
      'staff2@contoso.example': { status: 'active', attribute: 'accountEnabled=true' },
      'nobody@contoso.example': { status: 'absent' },
    });
  });

  it('matchAttribute onPremisesSamAccountName keys accounts by their on-premises name; match: email by mail', async () => {
    const sam = provider({ matchAttribute: 'onPremisesSamAccountName' });
    const entries = await loadEntries(sam);
    assert.equal(entries.length, staff.length);
    assert.ok(entries.some((e) => e.userName === 'staff47'));
    assert.deepEqual(Object.fromEntries(await sam.lookup(['STAFF11', 'staff99'])), {
      STAFF11: { status: 'disabled', attribute: 'accountEnabled=false' },
      staff99: { status: 'absent' },
    });
    const mail = provider({ match: 'email' });
    assert.ok((await loadEntries(mail)).some((e) => e.userName === 'sean.obrien@contoso.example'));
  });

  it('renews a token that expired, before using it', async () => {
    await idp.faults('entra', { tokenLifetimeSec: 1 });
    const p = provider();
    const before = await idp.requests(TOKEN_ROUTE);
    assert.equal(
      (await p.lookup(['staff2@contoso.example'])).get('staff2@contoso.example')?.status,
      'active',
    );
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.equal(
      (await p.lookup(['staff3@contoso.example'])).get('staff3@contoso.example')?.status,
      'active',
    );
    assert.deepEqual(delta(await idp.requests(TOKEN_ROUTE), before), { '200': 2 });
    // Refused requests would show as 401s: the expired token was never sent.
    assert.equal((await idp.requests(USERS_ROUTE))['401'] ?? 0, 0);
  });

  it('a token refused with 401 (revoked) is renewed once and the request repeated', async () => {
    const p = provider();
    await p.lookup(['staff2@contoso.example']);
    await idp.revokeTokens('entra');
    const before = { token: await idp.requests(TOKEN_ROUTE), users: await idp.requests(USERS_ROUTE) };
    assert.equal(
      (await p.lookup(['staff3@contoso.example'])).get('staff3@contoso.example')?.status,
      'active',
    );
    assert.deepEqual(delta(await idp.requests(TOKEN_ROUTE), before.token), { '200': 1 });
    assert.deepEqual(delta(await idp.requests(USERS_ROUTE), before.users), { '200': 1, '401': 1 });
  });

  it('a wrong client secret: unknown for everyone, the message says why, the secret is not in it', async () => {
    const result = await assessDirectory({
      providers: [provider({ clientSecret: { value: 'not-the-secret-123' } })],
      jiraUsernames: ['staff2@contoso.example'],
      maxAbsentPercent: 50,
    });
    const summary = result.assessments[0]!.summary;
    assert.match(
      summary,
      /^entra: authentication failed at the token endpoint: 401 Unauthorized: invalid_client: AADSTS7000215: Invalid client secret provided\. \(POST http:\/\/[^)]*\/entra\/oauth2\/v2\.0\/token\)$/,
    );
    assert.ok(!summary.includes('not-the-secret-123'));
    assert.equal(
      (await result.factsFor(['staff2@contoso.example'])).get('staff2@contoso.example')?.status,
      'unknown',
    );
  });

  it('the token endpoint down: unknown after its retries, saying so', async () => {
    await idp.faults('entra', { tokenOutage: 503 });
    const before = await idp.requests(TOKEN_ROUTE);
    await assert.rejects(loadEntries(provider()), {
      message:
        /^entra: request failed: 503 Service Unavailable: temporarily_unavailable: Injected outage\. \(POST .*\/token, 3 attempts\)$/,
    });
    assert.deepEqual(delta(await idp.requests(TOKEN_ROUTE), before), { '503': 3 });
  });

  it('waits out a 429 for its Retry-After, then goes on', async () => {
    await idp.faults('entra', { rateLimited: 1 });
    const before = await idp.requests(USERS_ROUTE);
    assert.equal((await loadEntries(provider({ retries: 0 }))).length, ACCOUNTS.length);
    assert.deepEqual(delta(await idp.requests(USERS_ROUTE), before), { '200': 3, '429': 1 });
  });

  it('a 429 asking for longer than maxRateLimitWaitMs fails instead of stalling the run', async () => {
    await idp.faults('entra', { rateLimited: 1 });
    await assert.rejects(loadEntries(provider({ retries: 0, maxRateLimitWaitMs: 500 })), {
      message: /^entra: rate limited for longer than allowed: 429 Too Many Requests: TooManyRequests/,
    });
  });

  it('a listing that stops before @odata.count is a failure, and nobody is absent', async () => {
    await idp.faults('entra', { truncateAfterPages: 2 });
    await assert.rejects(loadEntries(provider()), {
      message: 'entra: the listing ended after 40 of 48 accounts',
    });
    const result = await assessDirectory({
      providers: [provider()],
      jiraUsernames: ['staff45@contoso.example', 'staff2@contoso.example'],
      maxAbsentPercent: 100,
    });
    assert.equal(result.trusted, false);
    for (const fact of (
      await result.factsFor(['staff45@contoso.example', 'staff2@contoso.example'])
    ).values())
      assert.equal(fact.status, 'unknown');
  });

  it('Graph down (503 after retries): unknown, with the status and the attempts', async () => {
    await idp.faults('entra', { outage: 503 });
    await assert.rejects(
      loadEntries(provider()),
      /^DirectoryUnavailableError: entra: request failed: 503 Service Unavailable: generalException: Injected outage: HTTP 503\. \(GET .*3 attempts\)$/,
    );
  });
});
