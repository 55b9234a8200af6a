import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnReclaim, writeConfigFile } from '../support/child.js';
import { testRedisUrl, usePrefix } from '../support/redis.js';
import {
  requireSlapd,
  SERVICE_DN,
  SERVICE_PASSWORD,
  startSlapd,
  USERS_DN,
  type Slapd,
} from '../support/slapd.js';
import { startIdpSimulator, type IdpSimulator } from '../directories/idp-simulator.js';

/*
 * `reclaim directories check` as an admin runs it against each kind of identity provider: an
 * LDAP server (a real slapd), Okta, Entra ID and Google (the simulator). With the right secret
 * it prints what the listing holds and one user's status; with a wrong one it exits 1 naming
 * the source and why — and the secret is never printed.
 */

const staff = Array.from({ length: 12 }, (_, i) => `staff${String(i + 1).padStart(2, '0')}@corp.example`);
const ACCOUNTS = [
  ...staff.map((userName) => ({ userName })),
  { userName: 'bob@corp.example', active: false },
];
const CLIENT_EMAIL = 'reclaim@corp-project.iam.gserviceaccount.com';
const SIM_SECRET = 'sim-token';

function rsaKeyPair() {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

describe('`reclaim directories check` against LDAP, Okta, Entra ID and Google', function () {
  this.timeout(60_000);
  const keys = usePrefix('directories-check-idp');
  let idp: IdpSimulator;
  let dir: string;
  const trusted = rsaKeyPair();
  const untrusted = rsaKeyPair();

  const check = async (
    source: Record<string, unknown>,
    args: string[] = [],
    env: Record<string, string> = {},
  ) => {
    const config = writeConfigFile({
      redis: { url: testRedisUrl(), prefix: keys.prefix },
      directories: { sources: [source] },
    });
    try {
      const child = spawnReclaim(
        ['directories', 'check', '--config', config.file, '--retries', '0', ...args],
        env,
      );
      const exit = await child.exited;
      return { code: exit.code, output: child.output() };
    } finally {
      config.remove();
    }
  };
  /** A service account key file as Google issues it, with the simulator as its token_uri. */
  const keyFile = (name: string, privateKey: string) => {
    const file = join(dir, name);
    writeFileSync(
      file,
      JSON.stringify({
        type: 'service_account',
        client_email: CLIENT_EMAIL,
        private_key_id: 'k1',
        private_key: privateKey,
        token_uri: `${idp.sim.url}/google/token`,
      }),
    );
    return file;
  };

  before(async () => {
    idp = await startIdpSimulator(ACCOUNTS);
    dir = mkdtempSync(join(tmpdir(), 'reclaim-dircheck-idp-'));
  });
  beforeEach(() =>
    idp.hook('/__sim/idp/google/service-account', {
      clientEmail: CLIENT_EMAIL,
      publicKey: trusted.publicKey,
    }),
  );
  afterEach(() => idp.reset());
  after(async () => {
    await idp.sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('LDAP (slapd)', function () {
    let slapd: Slapd;
    const ldap = (overrides: Record<string, unknown> = {}) => ({
      type: 'ldap',
      name: 'corp-ad',
      url: slapd.url,
      bindDN: SERVICE_DN,
      bindPasswordEnv: 'TEST_LDAP_PASSWORD',
      baseDN: USERS_DN,
      timeoutMs: 5000,
      ...overrides,
    });

    before(async function () {
      requireSlapd(this);
      slapd = await startSlapd({
        users: [
          ...Array.from({ length: 7 }, (_, i) => ({
            sAMAccountName: `staff${i + 1}`,
            userAccountControl: 512,
          })),
          { sAMAccountName: 'bob', userAccountControl: 514 },
        ],
      });
    });
    after(() => slapd?.stop());

    it('exit 0: the accounts listed and the user looked up', async () => {
      const { code, output } = await check(ldap(), ['--user', 'bob'], {
        TEST_LDAP_PASSWORD: SERVICE_PASSWORD,
      });
      assert.equal(code, 0, output);
      assert.equal(
        output.trim(),
        'ok   corp-ad (ldap): 8 account(s) listed (7 active, 1 disabled); bob: disabled (userAccountControl=514)',
      );
    });

    it('a wrong bind password: exit 1 naming the source and why, the password not printed', async () => {
      const { code, output } = await check(ldap(), [], { TEST_LDAP_PASSWORD: 'not-the-Bind-pw-0042' });
      assert.equal(code, 1, output);
      assert.match(
        output,
        /^FAIL corp-ad \(ldap\): bind as cn=reclaim,ou=service,dc=corp,dc=example on ldap:\/\/127\.0\.0\.1:\d+ refused: invalid credentials \(LDAP result 49\); check bindDN and the bind password$/m,
      );
      assert.match(output, /^directories check failed: corp-ad: /m);
      assert.doesNotMatch(output, /not-the-Bind-pw-0042/);
    });
  });

  describe('Okta', function () {
    const okta = () => ({
      type: 'okta',
      name: 'okta',
      url: `${idp.sim.url}/okta`,
      tokenEnv: 'TEST_OKTA_TOKEN',
    });

    it('exit 0: the accounts listed and the user looked up', async () => {
      const { code, output } = await check(okta(), ['--user', 'bob@corp.example'], {
        TEST_OKTA_TOKEN: SIM_SECRET,
      });
      assert.equal(code, 0, output);
      assert.equal(
        output.trim(),
        'ok   okta (okta): 13 account(s) listed (12 active, 1 disabled); bob@corp.example: disabled (status=SUSPENDED)',
      );
    });

    it('a wrong API token: exit 1 naming the source and why, the token not printed', async () => {
      const { code, output } = await check(okta(), [], { TEST_OKTA_TOKEN: '00wrong-okta-token-7a' });
      assert.equal(code, 1, output);
      assert.match(
        output,
        /^FAIL okta \(okta\): authentication failed: 401 Unauthorized: Invalid token provided \(GET http:\/\/127\.0\.0\.1:\d+\/okta\/api\/v1\/users\?limit=200\)$/m,
      );
      assert.match(output, /^directories check failed: okta: /m);
      assert.doesNotMatch(output, /00wrong-okta-token-7a/);
    });
  });

  describe('Entra ID', function () {
    const entra = () => ({
      type: 'entra',
      name: 'entra',
      tenantId: 'contoso',
      clientId: 'reclaim-app',
      clientSecretEnv: 'TEST_ENTRA_SECRET',
      tokenUrl: `${idp.sim.url}/entra/oauth2/v2.0/token`,
      graphUrl: `${idp.sim.url}/entra/v1.0`,
    });

    it('exit 0: the accounts listed and the user looked up', async () => {
      const { code, output } = await check(entra(), [], { TEST_ENTRA_SECRET: SIM_SECRET });
      assert.equal(code, 0, output);
      assert.equal(
        output.trim(),
        'ok   entra (entra): 13 account(s) listed (12 active, 1 disabled); staff01@corp.example: active (accountEnabled=true)',
      );
    });

    it('a wrong client secret: exit 1 naming the source and why, the secret not printed', async () => {
      const { code, output } = await check(entra(), [], { TEST_ENTRA_SECRET: 'wrong~Entra~secret~99' });
      assert.equal(code, 1, output);
      assert.match(
        output,
        /^FAIL entra \(entra\): authentication failed at the token endpoint: 401 Unauthorized: invalid_client: AADSTS7000215: Invalid client secret provided\. \(POST http:\/\/127\.0\.0\.1:\d+\/entra\/oauth2\/v2\.0\/token\)$/m,
      );
      assert.match(output, /^directories check failed: entra: /m);
      assert.doesNotMatch(output, /wrong~Entra~secret~99/);
    });
  });

  describe('Google', function () {
    const google = (credentialsFile: string) => ({
      type: 'google',
      name: 'workspace',
      subject: 'admin@corp.example',
      credentialsFile,
      url: `${idp.sim.url}/google`,
    });

    it('exit 0: the accounts listed and the user looked up', async () => {
      const { code, output } = await check(google(keyFile('trusted.json', trusted.privateKey)), [
        '--user',
        'bob@corp.example',
      ]);
      assert.equal(code, 0, output);
      assert.equal(
        output.trim(),
        'ok   workspace (google): 13 account(s) listed (12 active, 1 disabled); bob@corp.example: disabled (suspended=true)',
      );
    });

    it('a key the simulator does not know: exit 1 naming the source and why, no key printed', async () => {
      const { code, output } = await check(google(keyFile('untrusted.json', untrusted.privateKey)));
      assert.equal(code, 1, output);
      assert.match(
        output,
        /^FAIL workspace \(google\): authentication failed at the token endpoint: 400 Bad Request: invalid_grant: Invalid JWT Signature\./m,
      );
      assert.match(output, /^directories check failed: workspace: /m);
      assert.doesNotMatch(output, /PRIVATE KEY|MII[A-Za-z0-9+/]{20}/);
      // Not a single line of the key's body.
      for (const line of untrusted.privateKey.split('\n').filter((l) => l.length > 20))
        assert.ok(!output.includes(line), 'a line of the private key was printed');
    });
  });
});
