import assert from 'node:assert/strict';
import { configSchema } from '../../config/schema.js';
import { createDirectoryProviders } from '../../services/directories/create-directory-providers.js';
import { lookupDirectoryFacts } from '../../services/directories/lookup-directory-facts.js';
import { RunDirectories } from '../../services/directories/run-directories.js';
import { scimMatch } from '../../services/directories/scim/scim-match.js';
import { startScimSimulator, type ScimSimulator } from './scim-simulator.js';

/*
 * A SCIM source matched by e-mail (`match: email`): the IdP's userNames are not the Jira
 * usernames, its e-mail addresses are the Jira users' ones.
 */
const DIRECTORY = [
  { userName: 'a.smith@idp', active: true, emails: [{ value: 'Alice@Example.com', primary: true }] },
  { userName: 'b.jones@idp', active: false, emails: [{ value: 'bob@example.com' }] },
  { userName: 'c.white@idp', active: true, emails: [{ value: 'carol@example.com' }] },
];
const EMAILS: Record<string, string> = {
  alice: 'alice@example.com',
  bob: 'bob@example.com',
  carol: 'carol@example.com',
  gone: 'gone@example.com',
};

describe('SCIM 2.0 directory matched by e-mail (simulator)', function () {
  let scim: ScimSimulator;

  const providers = (source: Record<string, unknown> = {}) =>
    createDirectoryProviders(
      configSchema.parse({
        directories: {
          sources: [{ type: 'scim', url: scim.scimUrl, token: 'sim-token', match: 'email', ...source }],
        },
      }).directories.sources,
      { retries: 0, retryDelayMs: 10 },
    );

  before(async () => {
    scim = await startScimSimulator({
      jiraUsers: ['alice', 'bob', 'carol', 'gone', 'nomail'],
      jiraEmails: EMAILS,
      directory: DIRECTORY,
    });
  });
  after(() => scim?.sim.close());

  it('the run finds each Jira user by e-mail; one without an e-mail is unknown, not absent', async () => {
    const run = await RunDirectories.open(providers());
    const fact = (name: string) =>
      run.factsFor({
        name,
        groups: [],
        ...(EMAILS[name] !== undefined ? { emailAddress: EMAILS[name] } : {}),
      })[0];
    assert.deepEqual(fact('alice'), { status: 'active', source: 'scim', attribute: 'active=true' });
    assert.deepEqual(fact('bob'), { status: 'disabled', source: 'scim', attribute: 'active=false' });
    assert.deepEqual(fact('gone'), { status: 'absent', source: 'scim' });
    assert.deepEqual(fact('nomail'), {
      status: 'unknown',
      source: 'scim',
      reason: 'scim: the Jira user has no e-mail to match by',
    });
    // The user without an e-mail does not count for the breaker: 1 of 3 absent, not 2 of 4.
    const [assessment] = run.assess(50);
    assert.deepEqual([assessment!.asked, assessment!.absent, assessment!.noEmailToMatch], [3, 1, 1]);
  });

  it('confirms an absent user by an emails.value look-up', async () => {
    const run = await RunDirectories.open(providers());
    // As if the bulk listing had missed carol: the look-up by e-mail finds her.
    const confirmed = await run.confirm([
      { name: 'carol', emailAddress: 'CAROL@example.com', facts: [{ status: 'absent', source: 'scim' }] },
      { name: 'gone', emailAddress: EMAILS.gone!, facts: [{ status: 'absent', source: 'scim' }] },
    ]);
    assert.deepEqual(confirmed, [
      [{ status: 'active', source: 'scim', attribute: 'active=true' }],
      [{ status: 'absent', source: 'scim' }],
    ]);
  });

  it('looks users up by e-mail outside a run (the apply re-check)', async () => {
    const facts = await lookupDirectoryFacts(providers(), [
      { name: 'alice', emailAddress: 'ALICE@example.com' },
      { name: 'bob', emailAddress: 'bob@example.com' },
      { name: 'gone', emailAddress: 'gone@example.com' },
      { name: 'nomail' },
    ]);
    assert.deepEqual(Object.fromEntries(facts), {
      alice: { status: 'active', source: 'scim', attribute: 'active=true' },
      bob: { status: 'disabled', source: 'scim', attribute: 'active=false' },
      gone: { status: 'absent', source: 'scim' },
      nomail: { status: 'unknown', source: 'scim', reason: 'scim: the Jira user has no e-mail to match by' },
    });
  });

  it('match: username still compares userName with the Jira username', async () => {
    const [provider] = providers({ match: 'username' });
    const answers = await provider!.lookup(['alice', 'a.smith@idp']);
    assert.deepEqual(Object.fromEntries(answers), {
      alice: { status: 'absent' },
      'a.smith@idp': { status: 'active', attribute: 'active=true' },
    });
  });

  it('match: attribute needs matchAttribute, and matchAttribute needs match: attribute', () => {
    const parse = (source: Record<string, unknown>) =>
      configSchema.safeParse({ directories: { sources: [{ type: 'scim', url: scim.scimUrl, ...source }] } });
    const issues = (source: Record<string, unknown>) =>
      parse(source).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    assert.deepEqual(issues({ match: 'attribute' }), [
      'directories.sources.0.matchAttribute: required with match: attribute',
    ]);
    assert.deepEqual(issues({ matchAttribute: 'externalId' }), [
      'directories.sources.0.matchAttribute: only read with match: attribute (match is username)',
    ]);
    assert.equal(parse({}).data?.directories.sources[0]?.match, 'username');
  });

  it('match: attribute reads a SCIM attribute path: plain, nested, or an extension URN', async () => {
    const user = {
      userName: 'a.smith@idp',
      externalId: 'alice',
      name: { familyName: 'Smith' },
      emails: [{ value: 'alice@example.com' }, { value: 'a.smith@example.org' }],
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { employeeNumber: 4711 },
    };
    assert.deepEqual(scimMatch('attribute', 'externalId').valuesOf(user), ['alice']);
    assert.deepEqual(scimMatch('attribute', 'name.familyname').valuesOf(user), ['Smith']);
    assert.deepEqual(scimMatch('email').valuesOf(user), ['alice@example.com', 'a.smith@example.org']);
    assert.deepEqual(
      scimMatch(
        'attribute',
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber',
      ).valuesOf(user),
      ['4711'],
    );
    assert.deepEqual(scimMatch('attribute', 'nickName').valuesOf(user), []);
    // The listing keys each account by its matched values: here by the e-mail addresses.
    const [provider] = providers();
    const listed = [];
    for await (const entry of provider!.loadAll!()) listed.push(entry.userName);
    assert.deepEqual(listed.sort(), ['Alice@Example.com', 'bob@example.com', 'carol@example.com']);
  });
});
