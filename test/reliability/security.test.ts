import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tokenAuthenticator } from '../../api/auth.js';
import { API_ROUTES } from '../../api/routes/index.js';
import { signLoginEvent, verifyLoginSignature } from '../../services/restore/login-signature.js';
import { startSimulator, type RunningSimulator } from '../../simulator/index.js';
import { AS_OF, VERDICT_POLICY, verdictFixture } from '../pipeline/verdict-fixture.js';
import { killAll, spawnReclaim, writeConfigFile, type ReclaimProcess } from '../support/child.js';
import { createRecordsFor, recordsConfigFor } from '../support/records.js';
import { deletePrefix, testRedisUrl, uniquePrefix } from '../support/redis.js';
import {
  SERVICE_DN,
  SERVICE_PASSWORD,
  USERS_DN,
  requireSlapd,
  startSlapd,
  type Slapd,
} from '../support/slapd.js';
import { startTestSmtp, type TestSmtp } from '../support/smtp.js';
import { Redis } from 'ioredis';

/*
 * Security in code. A full apply run through real processes — the API role, the worker role
 * and the CLI — with every kind of directory source and every secret the configuration can
 * hold: not one log line of any of them holds a secret. The API and Bull Board let no one in
 * without a token, nor a viewer where an operator is needed. Tokens, session cookies and webhook
 * signatures are compared in constant time, and the container image runs as a user, not root.
 */

const secret = (label: string) => `${label}-${randomBytes(12).toString('hex')}`;
const SECRETS = {
  sim: secret('jira-scim-idp-token'),
  viewer: secret('viewer-token'),
  operator: secret('operator-token'),
  webhook: secret('webhook-secret'),
  smtp: secret('smtp-password'),
  records: secret('records-password'),
  wrongToken: secret('wrong-token'),
  urlKey: secret('url-api-key'),
};
const CLIENT_EMAIL = 'reclaim@corp-project.iam.gserviceaccount.com';
const keys = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});
/** What of the private key would show in a log: any line of its base64 body. */
const PRIVATE_KEY_LINES = keys.privateKey
  .split('\n')
  .filter((line) => line.length > 40 && !line.startsWith('-----'));

describe('reliability: security checks', function () {
  this.timeout(120_000);
  const prefix = uniquePrefix('security');
  let sim: RunningSimulator;
  let slapd: Slapd;
  let smtp: TestSmtp;
  let records: { drop(): Promise<void> };
  let config: { file: string; remove(): void };
  let dir: string;
  let apiUrl: string;
  const processes: ReclaimProcess[] = [];

  before(async function () {
    requireSlapd(this);
    dir = mkdtempSync(join(tmpdir(), 'reclaim-security-'));
    const fixture = verdictFixture();
    sim = await startSimulator({ fixture, token: SECRETS.sim });
    await fetch(`${sim.url}/__sim/idp/google/service-account`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientEmail: CLIENT_EMAIL, publicKey: keys.publicKey }),
    });
    slapd = await startSlapd({
      users: fixture
        .users!.filter((u) => /^[a-z-]+$/.test(u.name))
        .map((u) => ({ sAMAccountName: u.name, userAccountControl: 512 })),
    });
    smtp = await startTestSmtp();
    records = await createRecordsFor(prefix);
    const recordsUrl = new URL(recordsConfigFor(prefix).url);
    // The machine's PostgreSQL trusts loopback: the password is carried, and must never be shown.
    recordsUrl.password = SECRETS.records;
    const smtpUrl = new URL(smtp.url);
    smtpUrl.username = 'reclaim';
    smtpUrl.password = SECRETS.smtp;
    const csv = join(dir, 'people.csv');
    writeFileSync(csv, `username,status\n${fixture.users!.map((u) => `"${u.name}",active`).join('\n')}\n`);

    config = writeConfigFile({
      redis: { url: testRedisUrl(), prefix },
      records: { url: recordsUrl.toString() },
      jira: { url: sim.url, token: SECRETS.sim, requestsPerSecond: 2000 },
      policy: VERDICT_POLICY,
      brake: { maxActions: 1000, maxPercentOfUsers: 100 },
      directories: {
        maxAbsentPercent: 100,
        combine: 'any',
        sources: [
          { type: 'scim', url: `${sim.url}/scim/v2`, token: SECRETS.sim },
          { type: 'okta', url: `${sim.url}/okta`, token: SECRETS.sim },
          {
            type: 'entra',
            tenantId: 'contoso',
            clientId: 'reclaim',
            clientSecret: SECRETS.sim,
            tokenUrl: `${sim.url}/entra/oauth2/v2.0/token`,
            graphUrl: `${sim.url}/entra/v1.0`,
          },
          {
            type: 'google',
            subject: 'admin@corp.example',
            clientEmail: CLIENT_EMAIL,
            privateKey: keys.privateKey,
            tokenUrl: `${sim.url}/google/token`,
            url: `${sim.url}/google`,
          },
          {
            type: 'ldap',
            url: slapd.url,
            bindDN: SERVICE_DN,
            bindPassword: SERVICE_PASSWORD,
            baseDN: USERS_DN,
            timeoutMs: 5000,
          },
          { type: 'http', name: 'hr-api', listUrl: `${sim.url}/hr-api/people?limit=5`, token: SECRETS.sim },
          { type: 'csv', name: 'hr-export', path: csv, columns: { status: 'status' } },
          // A source that fails, its key in the URL as some HR systems want it: errors name URLs.
          { type: 'http', name: 'hr-down', listUrl: `http://127.0.0.1:9/people?api_key=${SECRETS.urlKey}` },
        ],
      },
      notify: { smtpUrl: smtpUrl.toString(), from: 'reclaim@example.com', admins: ['ops@example.com'] },
      api: {
        host: '127.0.0.1',
        port: 0,
        tokens: [
          { name: 'dashboards', token: SECRETS.viewer, role: 'viewer' },
          { name: 'ops', token: SECRETS.operator, role: 'operator' },
        ],
        loginWebhookSecret: SECRETS.webhook,
      },
      worker: { shutdownTimeoutMs: 5_000 },
    });
    // Every role, each a process of its own, logging everything.
    const env = { REDIS_URL: '', LOG_LEVEL: 'debug' };
    const api = spawnReclaim(['api', '--config', config.file], env);
    const worker = spawnReclaim(['worker', '--config', config.file], env);
    processes.push(api, worker);
    await Promise.all([
      api.waitFor(/Reclaim API at http:\/\/\S+/, 60_000),
      worker.waitFor(/workers started/, 60_000),
    ]);
    apiUrl = /Reclaim API at (http:\/\/\S+)/.exec(api.output())![1]!;
  });
  after(async () => {
    await killAll(processes);
    await sim?.close();
    await slapd?.stop();
    await smtp?.stop();
    await records?.drop();
    await deletePrefix(prefix);
    config?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const call = (path: string, init: RequestInit & { token?: string } = {}) =>
    fetch(`${apiUrl}${path}`, {
      redirect: 'manual',
      ...init,
      headers: { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...(init.headers ?? {}) },
    });

  it('lets no one into the API or Bull Board without a token, nor a viewer where an operator is needed', async () => {
    const concrete = (path: string) => path.replace(/:(\w+)/g, 'x');
    for (const route of API_ROUTES) {
      if (route.role === null) continue;
      const init = {
        method: route.method.toUpperCase(),
        ...(route.method === 'get' ? {} : { body: '{}', headers: { 'content-type': 'application/json' } }),
      };
      const where = `${init.method} /api${route.path}`;
      for (const token of [
        undefined,
        SECRETS.wrongToken,
        `${SECRETS.viewer}x`,
        SECRETS.viewer.slice(0, -1),
      ]) {
        const response = await call(`/api${concrete(route.path)}`, { ...init, ...(token ? { token } : {}) });
        assert.equal(response.status, 401, `${where} with ${token ? 'a wrong token' : 'no token'}`);
        await response.body?.cancel();
      }
      if (route.role !== 'viewer') {
        const response = await call(`/api${concrete(route.path)}`, { ...init, token: SECRETS.viewer });
        assert.equal(response.status, 403, `${where} as a viewer`);
        await response.body?.cancel();
      }
    }
    // Bull Board: a browser without a session goes to the login page; its API answers 401.
    for (const path of ['/admin/queues', '/admin/queues/api/queues', '/admin/queues/queue/scan']) {
      const response = await call(path);
      assert.ok([303, 401].includes(response.status), `${path}: ${response.status}`);
      if (response.status === 303) assert.match(response.headers.get('location') ?? '', /^\/admin\/login/);
      const viewer = await call(path, { token: SECRETS.viewer });
      assert.equal(viewer.status, 403, `${path} as a viewer`);
      await Promise.all([response.body?.cancel(), viewer.body?.cancel()]);
    }
    const board = await call('/admin/queues/api/queues', { token: SECRETS.operator });
    assert.equal(board.status, 200, 'an operator opens Bull Board');
    await board.body?.cancel();
    // The admin login takes a token and gives a session cookie, which opens the board in turn.
    const login = await call('/admin/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: apiUrl },
      body: `token=${encodeURIComponent(SECRETS.operator)}`,
    });
    assert.equal(login.status, 303);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    assert.match(cookie, /=/);
    const withSession = await call('/admin/queues/api/queues', { headers: { cookie } });
    assert.equal(withSession.status, 200);
    await withSession.body?.cancel();
    const forged = await call('/admin/queues/api/queues', {
      headers: { cookie: `${cookie.split('=')[0]}=forged.value` },
    });
    assert.notEqual(forged.status, 200);
    await forged.body?.cancel();
    // The webhook: a signed event is taken, an unsigned or replayed one is not.
    const body = JSON.stringify({ username: 'alice', at: new Date().toISOString() });
    const signature = signLoginEvent(SECRETS.webhook, body);
    const post = (headers: Record<string, string>) =>
      call('/api/events/login', {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', ...headers },
      });
    assert.equal((await post({})).status, 401);
    assert.equal((await post({ 'x-reclaim-signature': signature })).status, 202);
    assert.equal((await post({ 'x-reclaim-signature': signature })).status, 401, 'a replayed signature');
  });

  it('writes no configured secret to any log line of a full apply run, every role and source', async () => {
    const scan = spawnReclaim(
      ['scan', '--apply', '--as-of', AS_OF.toISOString(), '--wait', '--json', '--config', config.file],
      {
        REDIS_URL: '',
        LOG_LEVEL: 'debug',
      },
    );
    processes.push(scan);
    const { code } = await scan.exited;
    assert.equal(code, 0, scan.output());
    // The run record, printed as indented JSON after the log lines (one JSON object each).
    const output = scan.output();
    const printed = output.slice(output.lastIndexOf('\n{\n') + 1);
    const run = JSON.parse(printed.slice(0, printed.lastIndexOf('\n}') + 2)) as {
      id: string;
      status: string;
    };
    // The failing source holds the run for approval, which an operator gives over the API.
    assert.equal(run.status, 'awaiting-approval', printed.slice(0, 2000));
    const approved = await call(`/api/runs/${run.id}/approve`, { method: 'POST', token: SECRETS.operator });
    assert.ok(approved.ok, await approved.text());
    let final = run.status;
    for (let i = 0; i < 300 && !['done', 'failed', 'cancelled'].includes(final); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      final = (
        (await (await call(`/api/runs/${run.id}`, { token: SECRETS.viewer })).json()) as { status: string }
      ).status;
    }
    assert.equal(final, 'done');
    await smtp.waitFor(1, 30_000).catch(() => undefined);
    // API requests with every token after the run, so the log has them too.
    for (const token of [SECRETS.viewer, SECRETS.operator, SECRETS.wrongToken])
      await (await call(`/api/runs/${run.id}`, { token })).body?.cancel();

    // A graceful stop logs its own lines, then the output of each process is complete.
    for (const child of processes.slice(0, 2)) child.child.kill('SIGTERM');
    await Promise.all(processes.map((p) => p.exited));
    const secrets = [...Object.values(SECRETS), SERVICE_PASSWORD, ...PRIVATE_KEY_LINES];
    // The CLI's output (the run record it prints) is checked with the logs.
    const lines = processes.flatMap((p) => p.output().split('\n'));
    const leaks = lines.flatMap((line, i) =>
      secrets
        .filter((s) => line.includes(s))
        .map((s) => `line ${i}: ${s.slice(0, 20)}…: ${line.slice(0, 300)}`),
    );
    assert.deepEqual(leaks, []);
    const logged = lines.filter((line) => line.startsWith('{'));
    for (const role of ['reclaim-api', 'reclaim-worker'])
      assert.ok(
        logged.some((line) => line.includes(`"name":"${role}"`)),
        `${role} logged`,
      );
    assert.ok(logged.length > 15, `${logged.length} log lines`);
    console.log(
      `      ${logged.length} log lines of ${processes.length} processes checked for ${secrets.length} secrets`,
    );
  });

  it('compares tokens, session cookies and webhook signatures in constant time', async () => {
    // Behaviour: wrong tokens of every length are refused without a throw (timingSafeEqual
    // throws on unequal lengths, so the comparison is over same-length digests).
    const authenticate = tokenAuthenticator([{ name: 'ops', token: SECRETS.operator, role: 'operator' }]);
    assert.deepEqual(authenticate(SECRETS.operator), { name: 'ops', role: 'operator' });
    for (const wrong of [
      '',
      'x',
      SECRETS.operator.slice(0, -1),
      `${SECRETS.operator}x`,
      SECRETS.operator.toUpperCase(),
      'é'.repeat(500),
    ])
      assert.equal(authenticate(wrong), undefined, JSON.stringify(wrong.slice(0, 20)));
    const redis = new Redis(testRedisUrl(), { lazyConnect: true });
    try {
      const body = Buffer.from('{"username":"alice"}');
      const header = signLoginEvent(SECRETS.webhook, body.toString());
      const v1 = header.split('v1=')[1]!;
      for (const wrong of [
        v1.slice(0, -2),
        `${v1}00`,
        v1.replace(/.$/, (c) => (c === '0' ? '1' : '0')),
        'zz'.repeat(32),
      ]) {
        const verdict = await verifyLoginSignature(
          redis,
          prefix,
          SECRETS.webhook,
          header.replace(v1, wrong),
          body,
        );
        assert.equal(verdict.ok, false, wrong);
      }
      // The signature is over the bytes as sent: a body that is not UTF-8 is told from another
      // one that decodes to the same replacement characters.
      const bytes = Buffer.from([0x7b, 0xff, 0x7d]);
      const signed = signLoginEvent(SECRETS.webhook, bytes);
      assert.equal((await verifyLoginSignature(redis, prefix, SECRETS.webhook, signed, bytes)).ok, true);
      const lookalike = Buffer.from([0x7b, 0xfe, 0x7d]);
      const replayed = signLoginEvent(SECRETS.webhook, bytes, Math.floor(Date.now() / 1000) - 1);
      assert.equal(
        (await verifyLoginSignature(redis, prefix, SECRETS.webhook, replayed, lookalike)).ok,
        false,
      );
    } finally {
      redis.disconnect();
    }
    // The code: each secret comparison goes through crypto.timingSafeEqual, none through ===.
    for (const [file, compared] of [
      ['api/auth.ts', /timingSafeEqual\(token\.digest, candidate\)/],
      ['api/admin/session.ts', /timingSafeEqual\(expected, given\)/],
      ['services/restore/login-signature.ts', /timingSafeEqual\(given, expected\)/],
    ] as const) {
      const source = readFileSync(file, 'utf8');
      assert.match(source, compared, file);
      assert.doesNotMatch(
        source,
        /(token|digest|signature|candidate|expected|given)\s*[!=]==\s*(token|digest|signature|candidate|expected|given)\b/,
        file,
      );
    }
  });

  it('builds a container image that runs as an unprivileged user', () => {
    const stages = readFileSync('Dockerfile', 'utf8')
      .split(/^FROM\s/m)
      .slice(1);
    const runtime = stages[stages.length - 1]!;
    const users = [...runtime.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]!);
    assert.ok(users.length > 0, 'the final stage sets USER');
    const user = users[users.length - 1]!;
    assert.ok(!['root', '0', '0:0', 'root:root'].includes(user), `runs as ${user}`);
    // Nothing after the USER line runs as root again, and the entry point comes after it.
    const after = runtime.slice(runtime.lastIndexOf(`USER ${user}`));
    assert.match(after, /^ENTRYPOINT /m);
    assert.doesNotMatch(after, /^USER\s+(root|0)\b/m);
  });
});
