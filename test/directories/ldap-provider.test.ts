import assert from 'node:assert/strict';
import { Client, SizeLimitExceededError } from 'ldapts';
import { configSchema } from '../../config/schema.js';
import { createDirectoryProviders } from '../../services/directories/create-directory-providers.js';
import { DirectoryUnavailableError } from '../../services/directories/directory-unavailable-error.js';
import { escapeFilterValue } from '../../services/directories/ldap/ldap-filter.js';
import { ldapProviderOptions } from '../../services/directories/ldap/ldap-provider-options.js';
import { LdapDirectoryProvider } from '../../services/directories/ldap/ldap-directory-provider.js';
import { lookupDirectoryFacts } from '../../services/directories/lookup-directory-facts.js';
import { RunDirectories } from '../../services/directories/run-directories.js';
import {
  BASE_DN,
  requireSlapd,
  SERVICE_DN,
  SERVICE_PASSWORD,
  startSlapd,
  USERS_DN,
  type AdUser,
  type Slapd,
} from '../support/slapd.js';

/** 2,500 staff: more than the server's size limit of 1,000, so only a paged search lists them. */
const STAFF = Array.from({ length: 2500 }, (_, i) => `staff${String(i + 1).padStart(4, '0')}`);
/** Names a naive filter would break on, or widen the search with. */
const AWKWARD = ['o"brien', 'dom\\jdoe', 'jo smith', 'zoë.ångström', '李雷', 'paren(thesis)'];

const USERS: AdUser[] = [
  ...STAFF.map((sAMAccountName) => ({ sAMAccountName, userAccountControl: 512 })),
  { sAMAccountName: 'Alice', mail: 'Alice@Example.com', uid: 'a.smith', userAccountControl: 512 },
  { sAMAccountName: 'bob', mail: 'bob@example.com', uid: 'b.jones', userAccountControl: 514 },
  // 66048 = NORMAL_ACCOUNT | DONT_EXPIRE_PASSWORD; 66050 adds ACCOUNTDISABLE.
  { sAMAccountName: 'carol', mail: 'carol@example.com', userAccountControl: 66048 },
  { sAMAccountName: 'dan', userAccountControl: 66050 },
  { sAMAccountName: 'erin' }, // no userAccountControl readable
  { sAMAccountName: 'frank', employeeStatus: 'Terminated', userAccountControl: 512 },
  { sAMAccountName: 'grace', employeeStatus: 'active', userAccountControl: 512 },
  { sAMAccountName: 'jojo', userAccountControl: 512 },
  ...AWKWARD.map((sAMAccountName) => ({ sAMAccountName, userAccountControl: 512 })),
];

describe('LDAP / Active Directory source (real slapd)', function () {
  this.timeout(60_000);
  let slapd: Slapd;

  /** A source as the configuration gives it, the bind password from the file. */
  const source = (overrides: Record<string, unknown> = {}) =>
    configSchema.parse({
      directories: {
        sources: [
          {
            type: 'ldap',
            url: slapd.url,
            bindDN: SERVICE_DN,
            bindPassword: SERVICE_PASSWORD,
            baseDN: USERS_DN,
            timeoutMs: 5000,
            ...overrides,
          },
        ],
      },
    }).directories.sources;
  const provider = (overrides: Record<string, unknown> = {}) =>
    createDirectoryProviders(source(overrides))[0]!;

  before(async function () {
    requireSlapd(this);
    slapd = await startSlapd({ users: USERS, sizeLimit: 1000 });
  });
  after(() => slapd?.stop());

  it('lists all 2,500 staff with 1,000-entry pages although the server returns at most 1,000 per search', async () => {
    // Without paging the service account hits the size limit: the listing below must page.
    const client = new Client({ url: slapd.url, timeout: 5000 });
    await client.bind(SERVICE_DN, SERVICE_PASSWORD);
    await assert.rejects(
      client.search(USERS_DN, { filter: '(objectClass=person)', attributes: ['sAMAccountName'] }),
      SizeLimitExceededError,
    );
    await client.unbind();

    const listed: string[] = [];
    for await (const entry of provider({ pageSize: 1000 }).loadAll!()) listed.push(entry.userName);
    assert.equal(listed.length, USERS.length);
    assert.deepEqual(new Set(listed), new Set(USERS.map((u) => u.sAMAccountName)));
    // The service account (not a person) is no user account.
    assert.ok(!listed.includes('reclaim'));
  });

  it('active, AD-disabled (userAccountControl bit 2) and absent users get their status, naming the attribute', async () => {
    const run = await RunDirectories.open([provider()]);
    const fact = (name: string) => run.factsFor({ name, groups: [] })[0];
    assert.deepEqual(fact('ALICE'), {
      status: 'active',
      source: 'ldap',
      attribute: 'userAccountControl=512',
    });
    assert.deepEqual(fact('bob'), {
      status: 'disabled',
      source: 'ldap',
      attribute: 'userAccountControl=514',
    });
    assert.deepEqual(fact('carol'), {
      status: 'active',
      source: 'ldap',
      attribute: 'userAccountControl=66048',
    });
    assert.deepEqual(fact('dan'), {
      status: 'disabled',
      source: 'ldap',
      attribute: 'userAccountControl=66050',
    });
    assert.deepEqual(fact('erin'), {
      status: 'active',
      source: 'ldap',
      attribute: 'listed without a readable userAccountControl',
    });
    assert.deepEqual(fact('gone'), { status: 'absent', source: 'ldap' });
    for (const name of STAFF.slice(0, 50)) assert.equal(fact(name)?.status, 'active');
    const [assessment] = run.assess(5);
    assert.equal(assessment!.trusted, true, assessment!.summary);
    assert.equal(run.sources[0]!.loaded, USERS.length);
  });

  it('the { attribute, value } form of disabled', async () => {
    const facts = await lookupDirectoryFacts(
      [provider({ disabled: { attribute: 'employeeStatus', value: 'terminated' } })],
      ['frank', 'grace', 'bob', 'gone'],
    );
    assert.deepEqual(Object.fromEntries(facts), {
      frank: { status: 'disabled', source: 'ldap', attribute: 'employeeStatus=Terminated' },
      grace: { status: 'active', source: 'ldap', attribute: 'employeeStatus=active' },
      bob: { status: 'active', source: 'ldap', attribute: 'employeeStatus not set' },
      gone: { status: 'absent', source: 'ldap' },
    });
  });

  it('match: email compares mail with the Jira e-mail; no e-mail is unknown, never absent', async () => {
    const ldap = provider({ match: 'email' });
    assert.equal(ldap.matchBy, 'email');
    const run = await RunDirectories.open([ldap]);
    assert.deepEqual(run.factsFor({ name: 'x', emailAddress: 'alice@example.COM', groups: [] })[0], {
      status: 'active',
      source: 'ldap',
      attribute: 'userAccountControl=512',
    });
    assert.equal(
      run.factsFor({ name: 'bob', emailAddress: 'bob@example.com', groups: [] })[0]?.status,
      'disabled',
    );
    assert.equal(
      run.factsFor({ name: 'staff0001', emailAddress: 'staff0001@example.com', groups: [] })[0]?.status,
      'absent',
    );
    assert.deepEqual(run.factsFor({ name: 'alice', groups: [] })[0], {
      status: 'unknown',
      source: 'ldap',
      reason: 'ldap: the Jira user has no e-mail to match by',
    });
    // The look-ups (confirmation, re-check) search the mail attribute too.
    const facts = await lookupDirectoryFacts(
      [ldap],
      [
        { name: 'alice', emailAddress: 'ALICE@example.com' },
        { name: 'carol', emailAddress: 'carol@example.com' },
        { name: 'bob' },
      ],
    );
    assert.deepEqual(
      [...facts.values()].map((f) => f.status),
      ['active', 'active', 'unknown'],
    );
  });

  it('match: attribute compares the named attribute with the Jira username', async () => {
    const ldap = provider({ match: 'attribute', matchAttribute: 'uid' });
    const run = await RunDirectories.open([ldap]);
    const fact = (name: string) => run.factsFor({ name, groups: [] })[0]?.status;
    assert.deepEqual([fact('a.smith'), fact('B.Jones'), fact('alice')], ['active', 'disabled', 'absent']);
    assert.deepEqual(Object.fromEntries(await ldap.lookup(['A.Smith', 'alice'])), {
      'A.Smith': { status: 'active', attribute: 'userAccountControl=512' },
      alice: { status: 'absent' },
    });
  });

  it('looks users up with escaped filters: awkward names are found, wildcards and parentheses match nothing else', async () => {
    const answers = await provider().lookup([...AWKWARD, 'jo*', '*', 'x)(sAMAccountName=*', 'paren(thesis']);
    for (const name of AWKWARD) assert.equal(answers.get(name)?.status, 'active', name);
    for (const name of ['jo*', '*', 'x)(sAMAccountName=*', 'paren(thesis'])
      assert.deepEqual(answers.get(name), { status: 'absent' }, name);
    assert.equal(escapeFilterValue('a*b(c)d\\e\u0000'), 'a\\2ab\\28c\\29d\\5ce\\00');
  });

  it('a wrong bind password fails the source with a clear message and no password: unknown, not absent', async () => {
    const wrong = 'Wrong-Pass-1234';
    const ldap = provider({ name: 'corp-ad', bindPassword: wrong });
    const error = await ldap.lookup(['alice']).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof DirectoryUnavailableError);
    assert.equal(error.kind, 'auth');
    assert.equal(
      error.message,
      `corp-ad: bind as ${SERVICE_DN} on ${slapd.url} refused: invalid credentials (LDAP result 49); check bindDN and the bind password`,
    );
    const run = await RunDirectories.open([ldap]);
    const fact = run.factsFor({ name: 'gone', groups: [] })[0];
    assert.equal(fact?.status, 'unknown');
    const [assessment] = run.assess(5);
    assert.equal(assessment!.trusted, false);
    for (const text of [error.message, assessment!.summary, JSON.stringify(fact)]) {
      assert.ok(!text.includes(wrong), text);
      assert.ok(!text.includes(SERVICE_PASSWORD), text);
    }
  });

  it('takes the bind password from the environment; without one the source is unknown, saying where to set it', async () => {
    const [config] = source({ bindPassword: undefined, bindPasswordEnv: 'CORP_AD_PASSWORD' });
    assert.equal(config?.type, 'ldap');
    if (config?.type !== 'ldap') return;
    const withEnv = new LdapDirectoryProvider(
      ldapProviderOptions('ldap', config, { CORP_AD_PASSWORD: SERVICE_PASSWORD }),
    );
    assert.equal((await withEnv.lookup(['bob'])).get('bob')?.status, 'disabled');
    const without = new LdapDirectoryProvider(ldapProviderOptions('ldap', config, {}));
    const facts = await lookupDirectoryFacts([without], ['bob']);
    assert.deepEqual(facts.get('bob'), {
      status: 'unknown',
      source: 'ldap',
      reason: `ldap: no bind password for ${SERVICE_DN}: set bindPassword or the environment variable CORP_AD_PASSWORD`,
    });
  });

  it('a server that does not answer fails the source: unknown, never absent', async () => {
    const run = await RunDirectories.open([provider({ url: 'ldap://127.0.0.1:1', timeoutMs: 2000 })]);
    const fact = run.factsFor({ name: 'gone', groups: [] })[0];
    assert.equal(fact?.status, 'unknown');
    assert.match(
      fact?.status === 'unknown' ? fact.reason : '',
      /^ldap: bind as .* on ldap:\/\/127\.0\.0\.1:1 failed: ECONNREFUSED/,
    );
  });

  it('a search error (a base DN that does not exist) fails the source', async () => {
    const error = await provider({ baseDN: `ou=nowhere,${BASE_DN}` })
      .lookup(['alice'])
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(error instanceof DirectoryUnavailableError);
    assert.equal(error.kind, 'ldap-result');
    assert.match(
      error.message,
      /^ldap: look-up under ou=nowhere,dc=corp,dc=example on .* failed: LDAP result 32/,
    );
  });

  it('configuration: defaults, and the checks of match and disabled', () => {
    const [config] = configSchema.parse({
      directories: {
        sources: [{ type: 'ldap', url: 'ldaps://dc1.corp.example', bindDN: 'cn=x', baseDN: 'dc=corp' }],
      },
    }).directories.sources;
    assert.deepEqual(config, {
      type: 'ldap',
      url: 'ldaps://dc1.corp.example',
      bindDN: 'cn=x',
      bindPasswordEnv: 'LDAP_BIND_PASSWORD',
      baseDN: 'dc=corp',
      userFilter: '(objectClass=person)',
      usernameAttribute: 'sAMAccountName',
      emailAttribute: 'mail',
      disabled: { activeDirectory: true },
      tls: { starttls: false, caFile: null, rejectUnauthorized: true },
      pageSize: 1000,
      timeoutMs: 30_000,
      match: 'username',
    });
    const issues = (extra: Record<string, unknown>) =>
      configSchema
        .safeParse({
          directories: {
            sources: [{ type: 'ldap', url: 'ldap://x', bindDN: 'cn=x', baseDN: 'dc=x', ...extra }],
          },
        })
        .error?.issues.map((i) => `${i.path.slice(3).join('.')}: ${i.message}`);
    assert.deepEqual(issues({ match: 'attribute' }), ['matchAttribute: required with match: attribute']);
    assert.deepEqual(issues({ disabled: { attribute: 'x' } }), [
      'disabled: expected { activeDirectory: true } or { attribute, value }',
    ]);
    assert.deepEqual(issues({ url: 'https://x' }), ['url: expected a URL starting with ldap:// or ldaps://']);
    assert.deepEqual(issues({ match: 'attribute', matchAttribute: 'uid=*)(x' }), [
      'matchAttribute: expected an LDAP attribute name such as employeeID',
    ]);
    assert.deepEqual(issues({ userFilter: 'objectClass=person' }), [
      'userFilter: expected an LDAP filter in parentheses, e.g. (objectClass=person)',
    ]);
  });

  describe('StartTLS', () => {
    let tlsSlapd: Slapd;
    before(async () => {
      tlsSlapd = await startSlapd({ users: [{ sAMAccountName: 'bob', userAccountControl: 514 }], tls: true });
    });
    after(() => tlsSlapd?.stop());
    const tlsProvider = (tls: Record<string, unknown>) =>
      createDirectoryProviders(
        configSchema.parse({
          directories: {
            sources: [
              {
                type: 'ldap',
                url: tlsSlapd.url,
                bindDN: SERVICE_DN,
                bindPassword: SERVICE_PASSWORD,
                baseDN: USERS_DN,
                timeoutMs: 5000,
                tls,
              },
            ],
          },
        }).directories.sources,
      )[0]!;

    it('upgrades the connection and verifies the server against caFile', async () => {
      const answers = await tlsProvider({ starttls: true, caFile: tlsSlapd.caFile }).lookup(['bob', 'gone']);
      assert.deepEqual(Object.fromEntries(answers), {
        bob: { status: 'disabled', attribute: 'userAccountControl=514' },
        gone: { status: 'absent' },
      });
    });

    it('a server certificate no configured CA signed fails the source; rejectUnauthorized: false accepts it', async () => {
      const error = await tlsProvider({ starttls: true })
        .lookup(['bob'])
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      assert.ok(error instanceof DirectoryUnavailableError);
      assert.match(error.message, /^ldap: StartTLS on ldap:\/\/127\.0\.0\.1:\d+ failed: /);
      const lax = tlsProvider({ starttls: true, rejectUnauthorized: false });
      assert.equal((await lax.lookup(['bob'])).get('bob')?.status, 'disabled');
    });

    it('an unreadable caFile fails the source, naming the file', async () => {
      const facts = await lookupDirectoryFacts(
        [tlsProvider({ starttls: true, caFile: '/nonexistent/ca.pem' })],
        ['bob'],
      );
      assert.deepEqual(facts.get('bob'), {
        status: 'unknown',
        source: 'ldap',
        reason: 'ldap: cannot read tls.caFile /nonexistent/ca.pem (ENOENT)',
      });
    });
  });
});
