import assert from 'node:assert/strict';
import { configSchema } from '../../config/schema.js';
import { assessDirectory } from '../../services/directories/assess-directory.js';
import { createDirectoryProviders } from '../../services/directories/create-directory-providers.js';
import type { DirectoryEntry } from '../../services/directories/directory-answer.js';
import { DirectoryUnavailableError } from '../../services/directories/directory-unavailable-error.js';
import { lookupDirectoryFacts } from '../../services/directories/lookup-directory-facts.js';
import {
  ScimDirectoryProvider,
  type ScimProviderOptions,
} from '../../services/directories/scim/scim-directory-provider.js';
import { startScimSimulator, type ScimSimulator } from './scim-simulator.js';

/** Usernames a real directory holds and a naive filter would break on. */
const AWKWARD = [
  'o"brien',
  'dom\\jdoe',
  'jo smith',
  'zoë.ångström',
  '李雷',
  'plus+tag@example.com',
  'amp&eq=x',
];

const staff = Array.from({ length: 97 }, (_, i) => `staff${String(i + 1).padStart(3, '0')}`);
const DIRECTORY = [
  ...staff.map((userName) => ({ userName, active: true })),
  { userName: 'Alice', active: true },
  { userName: 'bob', active: false },
  ...AWKWARD.map((userName, i) => ({ userName, active: i % 2 === 0 })),
];
/** 100 Jira users: 97 staff, and three leavers the directory has never heard of. */
const JIRA_USERS = [...staff, 'gone1', 'gone2', 'gone3'];

describe('SCIM 2.0 directory over HTTP (simulator)', function () {
  let scim: ScimSimulator;

  const provider = (overrides: Partial<ScimProviderOptions> = {}) =>
    new ScimDirectoryProvider({
      name: 'scim',
      url: scim.scimUrl,
      token: 'sim-token',
      pageSize: 10,
      timeoutMs: 2000,
      retries: 2,
      retryDelayMs: 20,
      ...overrides,
    });

  before(async () => {
    scim = await startScimSimulator({
      jiraUsers: [...JIRA_USERS, 'Alice', 'bob', ...AWKWARD],
      directory: DIRECTORY,
    });
  });
  afterEach(async () => {
    await scim.outage(null);
    await scim.hide(0);
  });
  after(async () => {
    await scim.sim.close();
  });

  it('loads the whole directory in pages of `count`', async () => {
    const before = await scim.scimRequests();
    const entries: DirectoryEntry[] = [];
    for await (const entry of provider({ pageSize: 10 }).loadAll()) entries.push(entry);
    assert.equal(entries.length, DIRECTORY.length);
    assert.deepEqual(
      entries.map((e) => e.userName),
      DIRECTORY.map((u) => u.userName),
    );
    assert.deepEqual(entries.find((e) => e.userName === 'bob')?.answer, {
      status: 'disabled',
      attribute: 'active=false',
    });
    const after = await scim.scimRequests();
    assert.equal((after['200'] ?? 0) - (before['200'] ?? 0), Math.ceil(DIRECTORY.length / 10));
  });

  it('looks up awkward usernames one by one: quotes, backslashes, spaces, non-ASCII', async () => {
    const answers = await provider().lookup([...AWKWARD, 'ALICE', 'bob', 'nobody', 'o"brien2']);
    AWKWARD.forEach((userName, i) => {
      assert.equal(answers.get(userName)?.status, i % 2 === 0 ? 'active' : 'disabled', userName);
    });
    assert.deepEqual(answers.get('ALICE'), { status: 'active', attribute: 'active=true' });
    assert.deepEqual(answers.get('bob'), { status: 'disabled', attribute: 'active=false' });
    assert.deepEqual(answers.get('nobody'), { status: 'absent' });
    assert.deepEqual(answers.get('o"brien2'), { status: 'absent' });
  });

  it('maps active, disabled and absent for a run, case-insensitively', async () => {
    const result = await assessDirectory({
      providers: [provider()],
      jiraUsernames: ['ALICE', 'bob', 'staff001', 'gone1'],
      maxAbsentPercent: 50,
    });
    const facts = await result.factsFor(['ALICE', 'bob', 'staff001', 'gone1']);
    assert.deepEqual(Object.fromEntries(facts), {
      ALICE: { status: 'active', source: 'scim', attribute: 'active=true' },
      bob: { status: 'disabled', source: 'scim', attribute: 'active=false' },
      staff001: { status: 'active', source: 'scim', attribute: 'active=true' },
      gone1: { status: 'absent', source: 'scim' },
    });
  });

  it('3 % of the Jira users absent, maxAbsentPercent 5: trusted', async () => {
    const result = await assessDirectory({
      providers: [provider()],
      jiraUsernames: JIRA_USERS,
      maxAbsentPercent: 5,
    });
    assert.equal(result.trusted, true, result.assessments[0]!.summary);
    assert.equal(
      result.assessments[0]!.summary,
      'scim: 3.0% of 100 active Jira users in scope absent, 0.0% disabled, within maxAbsentPercent 5',
    );
    assert.deepEqual((await result.factsFor(['gone2'])).get('gone2'), { status: 'absent', source: 'scim' });
  });

  it('40 % of the directory hidden: the breaker trips and no user is absent or disabled', async () => {
    await scim.hide(40);
    const everyone = [...JIRA_USERS, 'bob'];
    const result = await assessDirectory({
      providers: [provider()],
      jiraUsernames: everyone,
      maxAbsentPercent: 5,
    });
    const assessment = result.assessments[0]!;
    assert.equal(result.trusted, false);
    assert.ok(assessment.absentPercent > 25, assessment.summary);
    assert.match(
      assessment.summary,
      /^scim: \d+\.\d% of 101 active Jira users in scope absent, above maxAbsentPercent 5$/,
    );
    const facts = await result.factsFor(everyone);
    for (const [name, fact] of facts) {
      assert.deepEqual(fact, { status: 'unknown', source: 'scim', reason: assessment.summary }, name);
    }
  });

  it('an outage (503): retried, then every user is unknown with the reason', async () => {
    await scim.outage(503);
    const before = await scim.scimRequests();
    const result = await assessDirectory({
      providers: [provider()],
      jiraUsernames: JIRA_USERS,
      maxAbsentPercent: 5,
    });
    const after = await scim.scimRequests();
    assert.equal((after['503'] ?? 0) - (before['503'] ?? 0), 3, 'one request and two retries');
    assert.equal(result.trusted, false);
    const summary = result.assessments[0]!.summary;
    assert.match(
      summary,
      /^scim: request failed: 503 Service Unavailable \(GET http:\/\/127\.0\.0\.1:\d+\/scim\/v2\/Users\?startIndex=1&count=10&attributes=userName%2Cactive, 3 attempts\)$/,
    );
    const facts = await result.factsFor(['staff001', 'gone1']);
    assert.deepEqual(facts.get('gone1'), { status: 'unknown', source: 'scim', reason: summary });
    assert.deepEqual(facts.get('staff001'), { status: 'unknown', source: 'scim', reason: summary });
  });

  it('a directory that does not answer: timed out, every user unknown', async function () {
    this.timeout(10_000);
    await scim.outage('timeout');
    const started = Date.now();
    const result = await assessDirectory({
      providers: [provider({ timeoutMs: 300, retries: 1 })],
      jiraUsernames: JIRA_USERS,
      maxAbsentPercent: 5,
    });
    assert.ok(Date.now() - started < 3000, 'bounded by the timeout and the retries');
    assert.equal(result.trusted, false);
    assert.match(
      result.assessments[0]!.summary,
      /^scim: request timed out after 300 ms \(GET .*, 2 attempts\)$/,
    );
    assert.equal((await result.factsFor(['gone1'])).get('gone1')?.status, 'unknown');
  });

  it('a lookup during an outage throws a typed error', async () => {
    await scim.outage(500);
    await assert.rejects(provider({ retries: 0 }).lookup(['Alice']), (error: unknown) => {
      assert.ok(error instanceof DirectoryUnavailableError);
      assert.equal(error.kind, 'http-status');
      assert.equal(error.status, 500);
      assert.equal(error.source, 'scim');
      return true;
    });
  });

  it('a wrong token is not retried and never shows up in the message', async () => {
    const before = await scim.scimRequests();
    const error = await provider({ token: 'wrong-token-value' })
      .lookup(['Alice'])
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(error instanceof DirectoryUnavailableError);
    assert.equal(error.status, 401);
    assert.ok(!error.message.includes('wrong-token-value'));
    const after = await scim.scimRequests();
    assert.equal((after['401'] ?? 0) - (before['401'] ?? 0), 1);
  });

  it('builds the providers from the configuration', async () => {
    const config = configSchema.parse({
      directories: { sources: [{ type: 'scim', url: scim.scimUrl, token: 'sim-token', pageSize: 50 }] },
    });
    const providers = createDirectoryProviders(config.directories.sources, { retryDelayMs: 20 });
    assert.deepEqual(
      providers.map((p) => p.name),
      ['scim'],
    );
    const result = await assessDirectory({
      providers,
      jiraUsernames: JIRA_USERS,
      maxAbsentPercent: config.directories.maxAbsentPercent,
    });
    assert.equal(result.trusted, true);
    assert.equal(result.directories.sources[0]!.loaded, DIRECTORY.length);
  });

  it('facts of a handful of users outside a run, by lookup; unknown during an outage', async () => {
    const facts = await lookupDirectoryFacts([provider()], ['alice', 'bob', 'gone1']);
    assert.deepEqual(Object.fromEntries(facts), {
      alice: { status: 'active', source: 'scim', attribute: 'active=true' },
      bob: { status: 'disabled', source: 'scim', attribute: 'active=false' },
      gone1: { status: 'absent', source: 'scim' },
    });
    await scim.outage(502);
    const during = await lookupDirectoryFacts([provider({ retries: 0 })], ['bob']);
    const fact = during.get('bob');
    assert.equal(fact?.status, 'unknown');
    assert.match(fact?.status === 'unknown' ? fact.reason : '', /^scim: request failed: 502 Bad Gateway/);
  });
});
