import assert from 'node:assert/strict';
import { ConfigError, validateConfig } from '../../config/load.js';
import { spawnReclaim, writeConfigFile } from '../support/child.js';

/*
 * Hostile configuration: every key of a configuration that uses every section and every kind of
 * directory source is given values of the wrong type, removed, and joined by a key nobody
 * knows. The loader must answer each with a ConfigError naming the path (never a crash of its
 * own); the CLI, run as a child on a sample of them, must exit 1 naming the paths, with no
 * stack trace.
 */

/** Every section, every source type: the configuration whose every key is fuzzed. */
const FULL: Record<string, unknown> = {
  redis: { url: 'redis://127.0.0.1:6379', prefix: 'reclaim' },
  jira: {
    url: 'https://jira.example.com',
    token: 'jira-token-0123456789',
    crowd: { application: 'reclaim', password: 'crowd-secret-0123' },
    database: { url: 'postgres://reader@db.example.com/jira' },
  },
  policy: { skipUsers: ['svc-bot'], onlyGroups: ['staff'], trackingGroup: 'jira-inactive-users' },
  brake: { maxActions: 500, maxPercentOfUsers: 5 },
  directories: {
    maxAbsentPercent: 5,
    sources: [
      {
        type: 'scim',
        url: 'https://idp.example.com/scim/v2',
        token: 'scim-token',
        scope: { emailDomains: ['example.com'], groups: ['staff'] },
      },
      {
        type: 'ldap',
        url: 'ldaps://ldap.example.com',
        bindDN: 'cn=reclaim,dc=example,dc=com',
        bindPassword: 'bind-secret',
        baseDN: 'dc=example,dc=com',
      },
      { type: 'okta', url: 'https://example.okta.com', token: 'okta-token' },
      { type: 'entra', tenantId: 'contoso', clientId: 'reclaim', clientSecret: 'entra-secret' },
      { type: 'google', subject: 'admin@example.com', credentialsFile: '/etc/reclaim/google.json' },
      { type: 'http', listUrl: 'https://hr.example.com/people', token: 'hr-token' },
      { type: 'csv', path: '/var/hr/people.csv' },
    ],
  },
  notify: { smtpUrl: 'smtp://127.0.0.1:25', from: 'reclaim@example.com', admins: ['ops@example.com'] },
  schedule: [{ name: 'weekly', cron: '0 6 * * 6', timezone: 'UTC', mode: 'dry-run' }],
  api: {
    tokens: [{ name: 'ops', token: 'operator-token-0123456789', role: 'operator' }],
    loginWebhookSecret: 'webhook-secret-0123',
  },
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = Array<string | number>;

/** Every node of a parsed configuration, with its path. */
function* nodes(value: Json, path: Path = []): Generator<{ path: Path; value: Json }> {
  yield { path, value };
  if (Array.isArray(value)) {
    for (const [i, child] of value.entries()) yield* nodes(child, [...path, i]);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) yield* nodes(child, [...path, key]);
  }
}

/** Values no key of `value`'s type can take (an object or a list where a scalar goes, and so on). */
function wrongValues(value: Json): Json[] {
  if (Array.isArray(value)) return ['not-a-list', { wrong: true }];
  if (value === null) return [[1, 2], 12.5];
  switch (typeof value) {
    case 'string':
      return [{ wrong: true }, [1], false];
    case 'number':
      return ['ten', true, -1.5e300, { wrong: true }];
    case 'boolean':
      return ['maybe', 3, [true]];
    default:
      return ['not-a-mapping', [1], 42];
  }
}

function withChange(
  base: Json,
  path: Path,
  change: (parent: Record<string | number, Json>, key: string | number) => void,
): Json {
  const copy = structuredClone(base);
  let node = copy as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, Json>;
  change(node, path[path.length - 1]!);
  return copy;
}

const dotted = (path: Path) => path.join('.');

/**
 * A problem names the path, or (for a key inside one of several accepted forms, such as an LDAP
 * source's `disabled`) the key holding the forms, listing them.
 */
function names(problems: string[], path: Path): boolean {
  return problems.some(
    (problem) =>
      problem.startsWith(`${dotted(path)}`) ||
      path.some(
        (_, i) =>
          i > 0 && problem.startsWith(`${dotted(path.slice(0, i))}: expected `) && / or /.test(problem),
      ),
  );
}

/** The problems the loader names; fails when it throws anything but a ConfigError. */
function problemsOf(config: Json): string[] {
  try {
    validateConfig(config);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError))
      throw new Error(`the loader crashed: ${String(error)}`, { cause: error });
    return error.problems;
  }
}

// The loader's own output: every default filled in, so every key there is gets fuzzed.
const FULL_PARSED = structuredClone(validateConfig(FULL)) as unknown as Json;

describe('reliability: hostile configuration', function () {
  this.timeout(60_000);
  const full = FULL_PARSED;
  const all = [...nodes(full)].filter((node) => node.path.length > 0);

  it(`gives every key (${all.length}) values of the wrong type: each named by its path`, () => {
    const unnamed: string[] = [];
    let tried = 0;
    for (const { path, value } of all) {
      for (const wrong of wrongValues(value)) {
        tried += 1;
        const problems = problemsOf(withChange(full, path, (parent, key) => (parent[key] = wrong)));
        // A nullable key takes null and a union takes either form; any other value is refused.
        if (!names(problems, path))
          unnamed.push(`${dotted(path)} = ${JSON.stringify(wrong)}: ${JSON.stringify(problems)}`);
      }
    }
    assert.deepEqual(unnamed, [], `${unnamed.length} of ${tried} wrong values not named`);
    assert.ok(tried > 600, `${tried} wrong values tried`);
  });

  it('removes every key: a required one is named as missing, the others take their defaults', () => {
    const required: string[] = [];
    for (const { path } of all) {
      if (typeof path[path.length - 1] === 'number') continue;
      const problems = problemsOf(withChange(full, path, (parent, key) => delete parent[key]));
      if (problems.length === 0) continue;
      required.push(dotted(path));
      assert.ok(
        names(problems, path) || problems.some((p) => /required/.test(p)),
        `${dotted(path)} removed: ${JSON.stringify(problems)}`,
      );
    }
    // The keys a source cannot do without.
    for (const key of ['directories.sources.0.url', 'directories.sources.0.type'])
      assert.ok(required.includes(key), `${key} is required: ${required.join(', ')}`);
  });

  it('adds an unknown key to every mapping: each named by its path', () => {
    const mappings = all.filter(
      ({ value }) => value !== null && typeof value === 'object' && !Array.isArray(value),
    );
    assert.ok(mappings.length > 20);
    for (const { path } of [{ path: [] as Path }, ...mappings]) {
      const config = withChange(
        { root: full },
        ['root', ...path, 'colour'],
        (parent, key) => (parent[key] = 'blue'),
      );
      const problems = problemsOf((config as { root: Json }).root);
      const where = path.length ? `${dotted(path)}.colour` : 'colour';
      assert.ok(problems.includes(`${where}: unknown key`), `${where}: ${JSON.stringify(problems)}`);
    }
  });

  it('the CLI exits 1 naming every path, without a stack trace, for a sample of them', async () => {
    const set = (value: Json) => (parent: Record<string | number, Json>, key: string | number) =>
      (parent[key] = value);
    const remove = (parent: Record<string | number, Json>, key: string | number) => delete parent[key];
    const sample: Array<[Path, Parameters<typeof withChange>[2]]> = [
      [['jira', 'timeoutMs'], set('ten')],
      [['policy', 'skipUsers'], set({ wrong: true })],
      [['directories', 'sources', 0, 'url'], remove],
      [['api', 'colour'], set('blue')],
      [['brake', 'maxActions'], set(true)],
      [['redis', 'url'], set([1])],
    ];
    const together = sample.reduce<Json>((config, [path, change]) => withChange(config, path, change), full);
    // Two Node start-ups, side by side: `config check` on a file with every sample problem, and
    // a process role, which loads its configuration before it touches Redis.
    const files = [
      writeConfigFile(together as Record<string, unknown>),
      writeConfigFile(withChange(full, ...sample[0]!) as Record<string, unknown>),
    ];
    try {
      const commands = [
        { args: ['config', 'check', files[0]!.file], paths: sample.map(([path]) => dotted(path)) },
        { args: ['worker', '--config', files[1]!.file], paths: [dotted(sample[0]![0])] },
      ];
      await Promise.all(
        commands.map(async ({ args, paths }) => {
          const child = spawnReclaim(args, { REDIS_URL: '', JIRA_URL: '', JIRA_TOKEN: '' });
          const { code } = await child.exited;
          const output = child.output();
          assert.equal(code, 1, `${args.join(' ')}:\n${output}`);
          for (const path of paths)
            assert.match(output, new RegExp(`^\\s+${path.replace(/\./g, '\\.')}: `, 'm'), output);
          assert.doesNotMatch(
            output,
            /\n\s+at .+[:(]|node_modules|ZodError|\.ts:\d+/,
            `${args.join(' ')}: a stack trace:\n${output}`,
          );
        }),
      );
    } finally {
      for (const file of files) file.remove();
    }
  });
});
