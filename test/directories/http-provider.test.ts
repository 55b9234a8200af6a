import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { configSchema } from '../../config/schema.js';
import { assessDirectory } from '../../services/directories/assess-directory.js';
import { createDirectoryProviders } from '../../services/directories/create-directory-providers.js';
import type { DirectoryEntry } from '../../services/directories/directory-answer.js';
import { DirectoryUnavailableError } from '../../services/directories/directory-unavailable-error.js';
import { HttpDirectoryProvider } from '../../services/directories/http/http-directory-provider.js';
import { lookupDirectoryFacts } from '../../services/directories/lookup-directory-facts.js';
import type { DirectoryProvider } from '../../services/directories/directory-provider.js';
import { startHrApiSimulator, type HrApiSimulator } from './hr-api-simulator.js';

const staff = Array.from({ length: 100 }, (_, i) => `staff${String(i + 1).padStart(3, '0')}`);
const PEOPLE = [
  ...staff.map((userName) => ({ userName, active: true, email: `${userName}@example.com` })),
  { userName: 'bob', active: false, email: 'bob@example.com' },
  { userName: 'jo smith', active: true, email: 'jo.smith@example.com' },
  { userName: 'o"brien', active: true },
  { userName: 'plus+tag', active: false },
  { userName: 'zoë', active: true },
];

async function listAll(provider: DirectoryProvider): Promise<DirectoryEntry[]> {
  const entries: DirectoryEntry[] = [];
  for await (const entry of provider.loadAll!()) entries.push(entry);
  return entries;
}

describe('HTTP JSON directory source over HTTP (simulator)', function () {
  let hr: HrApiSimulator;

  /** A provider from a source as it would be written in the configuration. */
  const provider = (source: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) => {
    const config = configSchema.parse({
      directories: { sources: [{ type: 'http', name: 'hr', token: 'sim-token', ...source }] },
    });
    return createDirectoryProviders(config.directories.sources, { retryDelayMs: 10, env })[0]!;
  };

  before(async () => {
    hr = await startHrApiSimulator(PEOPLE);
  });
  afterEach(async () => {
    await hr.outage(null);
  });
  after(async () => {
    await hr.sim.close();
  });

  it('follows the next link to the end, mapping the status words', async () => {
    const before = await hr.listingRequests();
    const source = provider({ listUrl: `${hr.peopleUrl}?limit=7`, selectors: { total: 'total' } });
    assert.ok(source instanceof HttpDirectoryProvider);
    const entries = await listAll(source);
    assert.deepEqual(
      entries.map((e) => e.userName),
      PEOPLE.map((p) => p.userName),
    );
    assert.deepEqual(entries.find((e) => e.userName === 'staff042')?.answer, {
      status: 'active',
      attribute: 'status=active',
    });
    assert.deepEqual(entries.find((e) => e.userName === 'bob')?.answer, {
      status: 'disabled',
      attribute: 'status=terminated',
    });
    const after = await hr.listingRequests();
    assert.equal((after['200'] ?? 0) - (before['200'] ?? 0), Math.ceil(PEOPLE.length / 7));
  });

  it('pages by a page number or an offset parameter to the same end', async () => {
    const byPage = await listAll(provider({ listUrl: hr.peopleUrl, paging: { type: 'page', pageSize: 20 } }));
    const byOffset = await listAll(
      provider({ listUrl: hr.peopleUrl, paging: { type: 'offset', pageSize: 30 } }),
    );
    assert.equal(byPage.length, PEOPLE.length);
    assert.deepEqual(byOffset, byPage);
  });

  it('a status in neither activeValues nor disabledValues is unknown for that user only', async () => {
    await hr.setStatus('staff007', 'on-leave');
    try {
      const result = await assessDirectory({
        providers: [
          provider({ listUrl: hr.peopleUrl, activeValues: ['Active'], disabledValues: ['terminated'] }),
        ],
        jiraUsernames: ['staff007', 'staff008', 'bob', 'gone'],
        maxAbsentPercent: 50,
      });
      assert.equal(result.trusted, true, result.assessments[0]!.summary);
      const facts = await result.factsFor(['staff007', 'staff008', 'bob', 'gone']);
      assert.deepEqual(facts.get('staff007'), {
        status: 'unknown',
        source: 'hr',
        reason: 'hr: status="on-leave" is in neither activeValues nor disabledValues',
      });
      assert.equal(facts.get('staff008')?.status, 'active');
      assert.equal(facts.get('bob')?.status, 'disabled');
      assert.deepEqual(facts.get('gone'), { status: 'absent', source: 'hr' });
    } finally {
      await hr.setStatus('staff007', null);
    }
  });

  it('looks people up by URL template, URL-encoded; a 404 is absent', async () => {
    const source = provider({ lookupUrl: `${hr.peopleUrl}/{username}` });
    assert.equal(source.loadAll, undefined, 'a lookup-only source cannot be listed');
    const answers = await source.lookup([
      'jo smith',
      'o"brien',
      'plus+tag',
      'zoë',
      'BOB',
      'nobody',
      'gone/../bob',
    ]);
    assert.equal(answers.get('jo smith')?.status, 'active');
    assert.equal(answers.get('o"brien')?.status, 'active');
    assert.equal(answers.get('plus+tag')?.status, 'disabled');
    assert.equal(answers.get('zoë')?.status, 'active');
    assert.equal(answers.get('BOB')?.status, 'disabled');
    assert.deepEqual(answers.get('nobody'), { status: 'absent' });
    assert.deepEqual(answers.get('gone/../bob'), { status: 'absent' }, 'a "/" is encoded, not a path');
  });

  it('a lookup-only source is asked page by page in a run', async () => {
    const result = await assessDirectory({
      providers: [provider({ lookupUrl: `${hr.peopleUrl}/{username}` })],
      jiraUsernames: [...staff, 'gone1'],
      maxAbsentPercent: 5,
    });
    assert.equal(result.trusted, true, result.assessments[0]!.summary);
    assert.deepEqual((await result.factsFor(['gone1'])).get('gone1'), { status: 'absent', source: 'hr' });
  });

  it("a listing-only source confirms absent users from the run's own listing, not a second one", async () => {
    const source = provider({ listUrl: `${hr.peopleUrl}?limit=50` });
    await listAll(source);
    const before = await hr.listingRequests();
    const answers = await source.lookup(['gone', 'BOB', 'staff001']);
    assert.deepEqual(
      [...answers.values()].map((a) => a.status),
      ['absent', 'disabled', 'active'],
    );
    assert.deepEqual(await hr.listingRequests(), before, 'no request made');
    const fresh = provider({ listUrl: `${hr.peopleUrl}?limit=50` });
    assert.equal((await fresh.lookup(['gone'])).get('gone')?.status, 'absent', 'a new provider lists first');
    const after = await hr.listingRequests();
    assert.equal((after['200'] ?? 0) - (before['200'] ?? 0), Math.ceil(PEOPLE.length / 50));
  });

  it('matches by e-mail when told to: the e-mail field is the key', async () => {
    const source = provider({ listUrl: hr.peopleUrl, match: 'email' });
    const keys = (await listAll(source).catch((e: Error) => e)) as Error;
    // Three people have no e-mail: an account without its key fails the listing, never skipped.
    assert.ok(keys instanceof DirectoryUnavailableError);
    assert.match(keys.message, /^hr: account \d+ of page \d+ has no "email"/);
    const byLogin = provider({ listUrl: hr.peopleUrl, match: 'attribute', matchAttribute: 'profile.login' });
    assert.equal((await listAll(byLogin)).length, PEOPLE.length);
    const lookup = provider({ lookupUrl: `${hr.peopleUrl}/{username}`, match: 'email' });
    // The simulated API finds people by username only: an e-mail is not found, so absent.
    assert.deepEqual((await lookup.lookup(['bob@example.com'])).get('bob@example.com'), { status: 'absent' });
  });

  it('a wrong token fails the source: unknown for everyone, never absent, no secret in the reason', async () => {
    const result = await assessDirectory({
      providers: [provider({ listUrl: hr.peopleUrl, token: 'wrong-secret-token' })],
      jiraUsernames: ['staff001', 'gone'],
      maxAbsentPercent: 5,
    });
    assert.equal(result.trusted, false);
    const summary = result.assessments[0]!.summary;
    assert.match(
      summary,
      /^hr: request failed: 401 Unauthorized \(GET http:\/\/127\.0\.0\.1:\d+\/hr-api\/people\)$/,
    );
    assert.doesNotMatch(summary, /wrong-secret-token/);
    for (const fact of (await result.factsFor(['staff001', 'gone'])).values())
      assert.equal(fact.status, 'unknown');
    const looked = await lookupDirectoryFacts(
      [provider({ lookupUrl: `${hr.peopleUrl}/{username}`, token: 'wrong-secret-token' })],
      ['gone'],
    );
    assert.equal(looked.get('gone')?.status, 'unknown', 'a 401 on a look-up is no 404');
  });

  it('Basic auth with the password from the environment; a variable not set fails the source', async () => {
    const basic = { token: undefined, username: 'admin', passwordEnv: 'HR_PASSWORD' };
    const ok = provider({ listUrl: hr.peopleUrl, ...basic }, { HR_PASSWORD: 'admin' });
    assert.equal((await listAll(ok)).length, PEOPLE.length);
    const unset = provider({ listUrl: hr.peopleUrl, ...basic }, {});
    await assert.rejects(listAll(unset), {
      message:
        'hr: username admin is configured but the environment variable HR_PASSWORD (passwordEnv) is not set',
    });
    const tokenFromEnv = provider(
      { listUrl: hr.peopleUrl, token: undefined, tokenEnv: 'HR_TOKEN' },
      { HR_TOKEN: 'sim-token' },
    );
    assert.equal((await listAll(tokenFromEnv)).length, PEOPLE.length);
  });

  it('retries a 5xx, then gives up: the source is unknown', async () => {
    await hr.outage(503);
    const before = await hr.listingRequests();
    await assert.rejects(listAll(provider({ listUrl: hr.peopleUrl })), (error: unknown) => {
      assert.ok(error instanceof DirectoryUnavailableError);
      assert.equal(error.status, 503);
      assert.match(error.message, /503 Service Unavailable .*3 attempts\)$/);
      return true;
    });
    const after = await hr.listingRequests();
    assert.equal((after['503'] ?? 0) - (before['503'] ?? 0), 3, 'one request and two retries');
  });

  it('never follows a next link to another host: the token would go with it', async () => {
    const app = express();
    let secondPageAsked = false;
    app.get('/people', (req, res) => {
      const port = (server.address() as AddressInfo).port;
      res.json({ items: [{ username: 'a', status: 'active' }], next: `http://localhost:${port}/people2` });
    });
    app.get('/people2', (_req, res) => {
      secondPageAsked = true;
      res.json({ items: [], next: null });
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      await assert.rejects(listAll(provider({ listUrl: `http://127.0.0.1:${port}/people` })), {
        message: `hr: the next page http://localhost:${port}/people2 is not on http://127.0.0.1:${port}`,
      });
      assert.equal(secondPageAsked, false);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('an answer without the selected list fails the source rather than listing nobody', async () => {
    const source = provider({ listUrl: hr.peopleUrl, selectors: { users: 'people[*]' } });
    await assert.rejects(listAll(source), { message: /^hr: no "people" in the answer \(GET / });
  });

  it('the configuration names a bad selector and a source with neither URL', () => {
    const problems = (source: Record<string, unknown>) =>
      configSchema
        .safeParse({ directories: { sources: [{ type: 'http', ...source }] } })
        .error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    assert.deepEqual(problems({}), [
      'directories.sources.0.listUrl: an http source needs listUrl or lookupUrl (or both)',
    ]);
    assert.deepEqual(
      problems({ listUrl: 'https://hr.example.com/people', selectors: { users: 'items[x' } }),
      [
        'directories.sources.0.selectors.users: expected a selector such as items[*], profile.login or status',
      ],
    );
    assert.deepEqual(
      problems({ listUrl: 'https://hr.example.com/people', match: 'attribute', matchAttribute: 'a..b' }),
      ['directories.sources.0.matchAttribute: expected a selector such as profile.login'],
    );
    assert.deepEqual(problems({ listUrl: 'https://hr.example.com/people', match: 'attribute' }), [
      'directories.sources.0.matchAttribute: required with match: attribute',
    ]);
    assert.deepEqual(problems({ lookupUrl: 'hr.example.com/people/{username}' }), [
      'directories.sources.0.lookupUrl: expected a URL starting with http:// or https://',
    ]);
    assert.deepEqual(problems({ lookupUrl: 'https://hr.example.com/people/' }), [
      'directories.sources.0.lookupUrl: the lookupUrl must contain {username}',
    ]);
  });
});
