import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../config/load.js';

const EXAMPLE = 'config/reclaim.example.yaml';

function reclaim(...args: string[]) {
  return spawnSync(process.execPath, ['bin/reclaim.js', ...args], {
    encoding: 'utf8',
    env: { ...process.env },
  });
}

describe('configuration', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'reclaim-config-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it('accepts the documented example, and `reclaim config check` exits 0 on it', () => {
    const config = loadConfig({ file: EXAMPLE, env: {} });
    assert.equal(config.policy.inactiveDays, 90);
    assert.deepEqual(config.policy.skipGroups, ['jira-administrators', 'jira-system-administrators']);
    const run = reclaim('config', 'check', EXAMPLE);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /OK/);
  });

  it('adminGroups defaults to the built-in administrators groups; a source scope is strict and checked', () => {
    const defaults = loadConfig({ file: write('admins.yaml', ''), env: {} });
    assert.deepEqual(defaults.policy.adminGroups, ['jira-administrators', 'jira-system-administrators']);
    const scoped = loadConfig({
      file: write(
        'scope.yaml',
        'directories:\n  sources:\n    - { type: scim, url: "https://idp.example.com/scim/v2", scope: { emailDomains: [example.com] } }\n',
      ),
      env: {},
    });
    assert.deepEqual(scoped.directories.sources[0]!.scope, { emailDomains: ['example.com'], groups: [] });
    const bad = write(
      'bad-scope.yaml',
      'directories:\n  sources:\n    - { type: scim, url: "https://idp.example.com/scim/v2", scope: { emailDomains: ["@example.com"], group: [staff] } }\n',
    );
    assert.throws(
      () => loadConfig({ file: bad, env: {} }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /directories\.sources\.0\.scope\.emailDomains\.0/);
        assert.match(error.message, /directories\.sources\.0\.scope.*group/);
        return true;
      },
    );
  });

  it('fills every default when the file is empty', () => {
    const config = loadConfig({ file: write('empty.yaml', ''), env: {} });
    assert.equal(config.redis.url, 'redis://127.0.0.1:6379');
    assert.equal(config.brake.maxActions, 500);
    assert.equal(config.directories.maxAbsentPercent, 5);
    assert.equal(config.policy.rename.pattern, '{username}_inactive_{yyyyMMdd}');
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.policy.skipGroups));
  });

  it('names all five mistakes of a bad file by their paths and prints no secret', () => {
    const file = write(
      'bad.yaml',
      [
        'jira:',
        '  url: not-a-url',
        '  token: s3cr3t-jira-token',
        '  username: svc',
        'policy:',
        '  inactiveDays: ninety',
        '  skipGroup: [jira-administrators]',
        'brake: { maxPercentOfUsers: 150 }',
        'schedule:',
        '  - { name: weekly, cron: "0 6 * *", mode: dry-run }',
        'api:',
        '  tokens: [{ name: ops, token: hunter2, role: operator }]',
      ].join('\n'),
    );
    const run = reclaim('config', 'check', file);
    assert.equal(run.status, 1);
    for (const path of [
      'jira.url',
      'jira.password',
      'policy.inactiveDays: expected a positive integer, got "ninety"',
      'policy.skipGroup: unknown key',
      'brake.maxPercentOfUsers',
      'schedule.0.cron',
      'api.tokens.0.token',
    ]) {
      assert.ok(run.stderr.includes(path), `missing "${path}" in:\n${run.stderr}`);
    }
    assert.ok(!run.stderr.includes('hunter2') && !run.stdout.includes('hunter2'), 'a token was printed');
    assert.ok(!run.stderr.includes('s3cr3t'), 'a token was printed');
  });

  it('lets the environment override endpoints and secrets, and never echoes a password in a URL', () => {
    const config = loadConfig({
      file: EXAMPLE,
      env: { REDIS_URL: 'redis://10.0.0.5:6380', JIRA_TOKEN: 'from-env', API_PORT: '4000' },
    });
    assert.equal(config.redis.url, 'redis://10.0.0.5:6380');
    assert.equal(config.jira.token, 'from-env');
    assert.equal(config.api.port, 4000);
    assert.throws(
      () => loadConfig({ env: { REDIS_URL: 'http://:topsecret@redis:6379' } }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems.some((p) => p.startsWith('redis.url:')) &&
        !error.message.includes('topsecret'),
    );
  });

  it('takes redis.cluster from the file or REDIS_CLUSTER, and names the path of a bad node', () => {
    const file = write('cluster.yaml', 'redis:\n  cluster:\n    - { host: 10.0.0.1, port: 7000 }\n');
    assert.deepEqual(loadConfig({ file, env: {} }).redis.cluster, [{ host: '10.0.0.1', port: 7000 }]);
    assert.deepEqual(loadConfig({ env: { REDIS_CLUSTER: 'a.example:7000, b.example:7001' } }).redis.cluster, [
      { host: 'a.example', port: 7000 },
      { host: 'b.example', port: 7001 },
    ]);
    assert.equal(loadConfig({ env: {} }).redis.cluster, undefined);
    const problems = (raw: Record<string, unknown>) => {
      try {
        loadConfig({ env: {}, overrides: { redis: raw } });
      } catch (error) {
        if (error instanceof ConfigError) return error.problems;
        throw error;
      }
      return [];
    };
    assert.match(problems({ cluster: [] }).join('\n'), /^redis\.cluster: expected at least one/m);
    assert.match(
      problems({ cluster: [{ host: 'a', port: 70000 }] }).join('\n'),
      /^redis\.cluster\.0\.port: expected a port/m,
    );
    assert.match(
      problems({ cluster: [{ host: 'a', port: 1, tls: true }] }).join('\n'),
      /^redis\.cluster\.0\.tls: unknown key/m,
    );
    assert.throws(
      () => loadConfig({ env: { REDIS_CLUSTER: 'a.example:7000,b.example' } }),
      (error: unknown) =>
        error instanceof ConfigError && error.problems.some((p) => p.startsWith('redis.cluster.1.port:')),
    );
  });

  it('reports a YAML syntax error with its line, and an unreadable file', () => {
    assert.throws(
      () => loadConfig({ file: write('syntax.yaml', 'policy:\n  inactiveDays: [1\n'), env: {} }),
      /YAML syntax, line/,
    );
    assert.throws(
      () => loadConfig({ file: join(dir, 'missing.yaml'), env: {} }),
      /cannot read the file \(ENOENT\)/,
    );
  });

  it('refuses a cron expression the scheduler could not run, saying why', () => {
    assert.throws(
      () =>
        loadConfig({
          file: write('cron.yaml', 'schedule:\n  - { name: nightly, cron: "0 25 * * *" }\n'),
          env: {},
        }),
      /schedule\.0\.cron: not a valid cron expression: .*range 0-23/,
    );
  });

  it('takes policy.existingUsersSeenSince as an instant: a bare date is 00:00 UTC, a local time is refused', () => {
    const seenSince = (value: string) =>
      loadConfig({ file: write('seen.yaml', `policy:\n  existingUsersSeenSince: "${value}"\n`), env: {} })
        .policy.existingUsersSeenSince;
    assert.equal(seenSince('2026-01-01'), '2026-01-01T00:00:00.000Z');
    assert.equal(seenSince('2026-01-01T02:00+0200'), '2026-01-01T00:00:00.000Z');
    assert.throws(
      () => seenSince('2026-01-01T00:00'),
      /policy\.existingUsersSeenSince: "2026-01-01T00:00" is a local time without an offset/,
    );
  });

  it('refuses a directory type that is not supported yet, naming it', () => {
    assert.throws(
      () =>
        loadConfig({
          file: write('nis.yaml', 'directories:\n  sources: [{ type: nis, url: ldap://x }]\n'),
          env: {},
        }),
      /directories\.sources\.0\.type: unsupported directory type/,
    );
  });
});
