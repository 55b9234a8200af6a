import assert from 'node:assert/strict';
import { assessDirectory } from '../../services/directories/assess-directory.js';
import { DirectoryUnavailableError } from '../../services/directories/directory-unavailable-error.js';
import {
  OktaDirectoryProvider,
  type OktaProviderOptions,
} from '../../services/directories/okta/okta-directory-provider.js';
import {
  delta,
  loadEntries,
  startIdpSimulator,
  TEST_REQUEST_LIMITS,
  type IdpAccount,
  type IdpSimulator,
} from './idp-simulator.js';

const STATUSES = {
  'p.active': 'ACTIVE',
  'p.provisioned': 'PROVISIONED',
  'p.staged': 'STAGED',
  'p.recovery': 'RECOVERY',
  'p.expired': 'PASSWORD_EXPIRED',
  'p.locked': 'LOCKED_OUT',
  'p.suspended': 'SUSPENDED',
  'p.deprovisioned': 'DEPROVISIONED',
} as const;

const staff = Array.from({ length: 45 }, (_, i) => `staff${String(i + 1).padStart(3, '0')}`);
const ACCOUNTS: IdpAccount[] = [
  ...staff.map((userName, i) => ({ userName, attributes: { employeeNumber: `E${1000 + i}` } })),
  ...Object.entries(STATUSES).map(([userName, status]) => ({ userName, status })),
  { userName: 'o"brien', email: 'obrien@corp.example', active: false },
  { userName: 'dom\\jdoe', email: 'jdoe@corp.example' },
];
const TOKEN = 'sim-token';

describe('Okta Users API over HTTP (simulator)', function () {
  let idp: IdpSimulator;
  const provider = (overrides: Partial<OktaProviderOptions> = {}) =>
    new OktaDirectoryProvider({
      name: 'okta',
      url: `${idp.sim.url}/okta`,
      token: { value: TOKEN },
      match: 'username',
      pageSize: 10,
      ...TEST_REQUEST_LIMITS,
      ...overrides,
    });

  before(async () => (idp = await startIdpSimulator(ACCOUNTS)));
  afterEach(() => idp.reset());
  after(() => idp.sim.close());

  it('lists every account to the last page, DEPROVISIONED ones too, and maps each status', async () => {
    const before = await idp.requests('GET /okta/api/v1/users');
    const entries = await loadEntries(provider({ pageSize: 10 }));
    assert.equal(entries.length, ACCOUNTS.length);
    const answers = Object.fromEntries(entries.map((e) => [e.userName, e.answer]));
    for (const [userName, status] of Object.entries(STATUSES)) {
      const leaver = status === 'SUSPENDED' || status === 'DEPROVISIONED';
      assert.deepEqual(answers[userName], {
        status: leaver ? 'disabled' : 'active',
        attribute: `status=${status}`,
      });
    }
    assert.deepEqual(answers['o"brien'], { status: 'disabled', attribute: 'status=SUSPENDED' });
    assert.deepEqual(answers.staff045, { status: 'active', attribute: 'status=ACTIVE' });
    // 55 listed in pages of 10, then the one DEPROVISIONED in a page of its own.
    assert.deepEqual(delta(await idp.requests('GET /okta/api/v1/users'), before), { '200': 6 + 1 });
  });

  it('looks users up by profile.login, case-insensitively, with quotes and backslashes', async () => {
    const answers = await provider().lookup([
      'O"BRIEN',
      'dom\\jdoe',
      'p.deprovisioned',
      'staff001',
      'nobody',
    ]);
    assert.deepEqual(Object.fromEntries(answers), {
      'O"BRIEN': { status: 'disabled', attribute: 'status=SUSPENDED' },
      'dom\\jdoe': { status: 'active', attribute: 'status=ACTIVE' },
      'p.deprovisioned': { status: 'disabled', attribute: 'status=DEPROVISIONED' },
      staff001: { status: 'active', attribute: 'status=ACTIVE' },
      nobody: { status: 'absent' },
    });
  });

  it('a login in another case, missed by the exact filter, is found by search: not absent', async () => {
    const before = await idp.requests('GET /okta/api/v1/users');
    assert.deepEqual(Object.fromEntries(await provider().lookup(['STAFF002'])), {
      STAFF002: { status: 'active', attribute: 'status=ACTIVE' },
    });
    assert.deepEqual(delta(await idp.requests('GET /okta/api/v1/users'), before), { '200': 2 });
    // The exact case: one request.
    await provider().lookup(['staff002']);
    assert.deepEqual(delta(await idp.requests('GET /okta/api/v1/users'), before), { '200': 3 });
  });

  it('match: email keys the accounts by profile.email; match: attribute by a profile attribute (search)', async () => {
    const byEmail = await loadEntries(provider({ match: 'email' }));
    assert.ok(byEmail.some((e) => e.userName === 'obrien@corp.example'));
    assert.ok(byEmail.some((e) => e.userName === 'staff001@example.com'));
    assert.deepEqual(
      Object.fromEntries(await provider({ match: 'email' }).lookup(['JDOE@corp.example', 'x@y'])),
      {
        'JDOE@corp.example': { status: 'active', attribute: 'status=ACTIVE' },
        'x@y': { status: 'absent' },
      },
    );
    const byNumber = provider({ match: 'attribute', matchAttribute: 'employeeNumber' });
    const entries = await loadEntries(byNumber);
    assert.equal(entries.length, staff.length, 'accounts without the attribute have no key');
    assert.deepEqual(Object.fromEntries(await byNumber.lookup(['e1000', 'E9999'])), {
      e1000: { status: 'active', attribute: 'status=ACTIVE' },
      E9999: { status: 'absent' },
    });
  });

  it('waits out a 429 until X-Rate-Limit-Reset, then goes on', async () => {
    await idp.faults('okta', { rateLimited: 1 });
    const before = await idp.requests('GET /okta/api/v1/users');
    const entries = await loadEntries(provider({ retries: 0 }));
    assert.equal(entries.length, ACCOUNTS.length);
    const sent = delta(await idp.requests('GET /okta/api/v1/users'), before);
    assert.equal(sent['429'], 1);
    assert.equal(sent['200'], 7);
  });

  it('a refused token: the source is unknown for everyone, with a clear message and no token in it', async () => {
    const result = await assessDirectory({
      providers: [provider({ token: { value: 'wrong-token-value' } })],
      jiraUsernames: ['staff001', 'gone'],
      maxAbsentPercent: 50,
    });
    const summary = result.assessments[0]!.summary;
    assert.equal(result.trusted, false);
    assert.match(
      summary,
      /^okta: authentication failed: 401 Unauthorized: Invalid token provided \(GET http/,
    );
    assert.ok(!summary.includes('wrong-token-value'));
    for (const fact of (await result.factsFor(['staff001', 'gone'])).values()) {
      assert.equal(fact.status, 'unknown');
    }
  });

  it('a listing cut off after its first page is a failure, not a directory of ten', async () => {
    await idp.faults('okta', { cutAfterPages: 1 });
    await assert.rejects(loadEntries(provider()), (error: unknown) => {
      assert.ok(error instanceof DirectoryUnavailableError);
      assert.match(error.message, /^okta: request failed: 500 Internal Server Error.*3 attempts\)$/);
      return true;
    });
    const result = await assessDirectory({
      providers: [provider()],
      jiraUsernames: ['staff001', 'staff044', 'gone'],
      maxAbsentPercent: 100,
    });
    const facts = [...(await result.factsFor(['staff001', 'staff044', 'gone'])).values()];
    assert.deepEqual(
      facts.map((f) => f.status),
      ['unknown', 'unknown', 'unknown'],
    );
  });

  it('an Okta that never answers: the request times out, a typed failure', async () => {
    await idp.faults('okta', { outage: 'timeout' });
    await assert.rejects(provider({ timeoutMs: 200, retries: 1 }).lookup(['staff001']), (error: unknown) => {
      assert.ok(error instanceof DirectoryUnavailableError);
      assert.equal(error.kind, 'timeout');
      assert.match(error.message, /^okta: request timed out after 200 ms \(GET .*, 2 attempts\)$/);
      return true;
    });
  });

  it('a token named by tokenEnv: an unset variable makes the source unknown, naming it', async () => {
    delete process.env.RECLAIM_TEST_OKTA_TOKEN;
    await assert.rejects(loadEntries(provider({ token: { env: 'RECLAIM_TEST_OKTA_TOKEN' } })), {
      message: 'okta: the environment variable RECLAIM_TEST_OKTA_TOKEN (tokenEnv) is not set',
    });
    process.env.RECLAIM_TEST_OKTA_TOKEN = TOKEN;
    try {
      assert.equal(
        (await loadEntries(provider({ token: { env: 'RECLAIM_TEST_OKTA_TOKEN' } }))).length,
        ACCOUNTS.length,
      );
    } finally {
      delete process.env.RECLAIM_TEST_OKTA_TOKEN;
    }
  });
});
