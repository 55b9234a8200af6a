import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { configSchema } from '../../config/schema.js';
import { createRedis, type RedisClient } from '../../queues/connection.js';
import { silentLogger } from '../../runtime/logger.js';
import { assessDirectory } from '../../services/directories/assess-directory.js';
import {
  createDirectoryProviders,
  type ProviderTuning,
} from '../../services/directories/create-directory-providers.js';
import {
  ROW_COUNT_TTL_SECONDS,
  RowCountBaseline,
} from '../../services/directories/csv/row-count-baseline.js';
import type { DirectoryEntry } from '../../services/directories/directory-answer.js';
import type { DirectoryProvider } from '../../services/directories/directory-provider.js';
import { openRunDirectories } from '../../services/pipeline/open-run-directories.js';
import type { Run } from '../../services/runs/types.js';
import { testRedisUrl, usePrefix } from '../support/redis.js';

const staff = Array.from({ length: 100 }, (_, i) => `staff${String(i + 1).padStart(3, '0')}`);

/** An HR export as a spreadsheet writes it: its own column names, `;`, a BOM, a quoted cell. */
function hrExport(names: readonly string[], extra: string[] = []): string {
  const rows = names.map((name) => `${name};${name}@example.com;Active`);
  return `\uFEFFLogin;Mail;Employment Status\n${[...rows, ...extra].join('\n')}\n`;
}

async function listAll(provider: DirectoryProvider): Promise<DirectoryEntry[]> {
  const entries: DirectoryEntry[] = [];
  for await (const entry of provider.loadAll!()) entries.push(entry);
  return entries;
}

describe('CSV directory source from HR (file and URL)', function () {
  const keys = usePrefix('csv-source');
  let dir: string;
  let redis: RedisClient;
  let server: ReturnType<ReturnType<typeof express>['listen']>;
  let baseUrl: string;
  /** What the test HR server serves at /export.csv. */
  let served = '';

  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const HR_COLUMNS = { username: 'Login', email: 'Mail', status: 'Employment Status' };
  const provider = (source: Record<string, unknown>, tuning: ProviderTuning = {}) => {
    const config = configSchema.parse({
      directories: {
        sources: [{ type: 'csv', name: 'hr-csv', delimiter: ';', columns: HR_COLUMNS, ...source }],
      },
    });
    return createDirectoryProviders(config.directories.sources, { retryDelayMs: 10, ...tuning })[0]!;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'reclaim-csv-'));
    redis = createRedis(testRedisUrl(), 'producer');
    const app = express();
    app.get('/export.csv', (req, res) => {
      if (req.headers.authorization !== 'Bearer hr-export-token') {
        res.status(401).send('unauthorised');
        return;
      }
      res.type('text/csv').send(served);
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await new Promise((resolve) => server.close(resolve));
    await redis.quit();
  });

  it('maps the configured columns and status words; a person in no row is absent', async () => {
    const path = file(
      'people.csv',
      hrExport(staff.slice(0, 3), [
        'bob;bob@example.com;Terminated',
        '"smith; jo";jo@example.com;on leave',
        'eve;;',
      ]),
    );
    const result = await assessDirectory({
      providers: [provider({ path, disabledValues: ['terminated'] })],
      jiraUsernames: ['STAFF001', 'bob', 'smith; jo', 'eve', 'gone'],
      maxAbsentPercent: 50,
    });
    const facts = Object.fromEntries(await result.factsFor(['STAFF001', 'bob', 'smith; jo', 'eve', 'gone']));
    assert.deepEqual(facts, {
      STAFF001: { status: 'active', source: 'hr-csv', attribute: 'column Employment Status=Active' },
      bob: { status: 'disabled', source: 'hr-csv', attribute: 'column Employment Status=Terminated' },
      'smith; jo': {
        status: 'unknown',
        source: 'hr-csv',
        reason: 'hr-csv: column Employment Status="on leave" is in neither activeValues nor disabledValues',
      },
      eve: { status: 'unknown', source: 'hr-csv', reason: 'hr-csv: listed with no column Employment Status' },
      gone: { status: 'absent', source: 'hr-csv' },
    });
  });

  it('without a header row, columns are numbers; match: email keys by the e-mail column', async () => {
    const path = file('no-header.csv', 'alice,alice@example.com,1\nbob,bob@example.com,0\n');
    const numbered = provider({
      path,
      header: false,
      delimiter: ',',
      columns: { username: 1, email: 2, status: 3 },
      activeValues: ['1'],
      disabledValues: ['0'],
    });
    assert.deepEqual(
      (await listAll(numbered)).map((e) => [e.userName, e.answer.status]),
      [
        ['alice', 'active'],
        ['bob', 'disabled'],
      ],
    );
    const byEmail = provider({ path: file('hr.csv', hrExport(['alice'])), match: 'email' });
    const answers = await byEmail.lookup(['ALICE@example.com', 'alice']);
    assert.equal(answers.get('ALICE@example.com')?.status, 'active');
    assert.deepEqual(answers.get('alice'), { status: 'absent' }, 'the username column is not the key');
  });

  it('a file it cannot read is no directory at all: unknown, never absent', async () => {
    const cases: [string, RegExp][] = [
      [
        file('wrong-header.csv', 'user;mail\nalice;a@example.com\n'),
        /no column "Login" in the header \(it has: user, mail\)/,
      ],
      [file('no-key.csv', hrExport(['alice'], [';x@example.com;Active'])), /row 3 has no "Login"/],
      [file('ragged.csv', hrExport(['alice'], ['bob'])), /not a readable CSV file/],
      [join(dir, 'missing.csv'), /cannot read the file: ENOENT/],
    ];
    for (const [path, reason] of cases) {
      const result = await assessDirectory({
        providers: [provider({ path })],
        jiraUsernames: ['alice', 'gone'],
        maxAbsentPercent: 100,
      });
      assert.equal(result.trusted, false, path);
      assert.match(result.assessments[0]!.summary, reason);
      const facts = await result.factsFor(['alice', 'gone']);
      assert.deepEqual(
        [...facts.values()].map((f) => f.status),
        ['unknown', 'unknown'],
        path,
      );
    }
  });

  it('reads the export from an http(s) URL with a token; a wrong token or a 404 fails the source', async () => {
    served = hrExport(staff);
    const ok = provider({ url: `${baseUrl}/export.csv`, token: 'hr-export-token' });
    assert.equal((await listAll(ok)).length, 100);
    const wrong = provider({ url: `${baseUrl}/export.csv`, token: 'not-the-token' });
    await assert.rejects(listAll(wrong), (error: Error) => {
      assert.match(
        error.message,
        /^hr-csv: request failed: 401 Unauthorized \(GET http:\/\/127\.0\.0\.1:\d+\/export\.csv\)$/,
      );
      assert.doesNotMatch(error.message, /not-the-token/);
      return true;
    });
    const missing = provider({ url: `${baseUrl}/nothing.csv`, token: 'hr-export-token' });
    const lookedUp = await missing.lookup(['staff001']).catch((e: Error) => e);
    assert.ok(
      lookedUp instanceof Error && /404 Not Found/.test(lookedUp.message),
      'a 404 file is no empty file',
    );
  });

  describe('the shrink guard', () => {
    const run = (id: string) => ({ id }) as Run;
    const subject = (name: string) => ({ name, groups: [] });

    it('a file that shrank by more than maxAbsentPercent since the last run is not believed', async () => {
      const path = file('shrinking.csv', hrExport(staff));
      const directories = {
        maxAbsentPercent: 5,
        combine: 'all' as const,
        sources: configSchema.parse({
          directories: {
            sources: [{ type: 'csv', name: 'hr-csv', path, delimiter: ';', columns: HR_COLUMNS }],
          },
        }).directories.sources,
      };
      const state = { redis, prefix: keys.prefix };
      const baseline = new RowCountBaseline(redis, keys.prefix);

      // First run: 100 rows, believed, remembered.
      let view = await openRunDirectories(directories, run('r1'), silentLogger(), state);
      for (const name of staff) view.answer(subject(name));
      assert.equal(view.conclude().statuses[0]!.trusted, true);
      assert.equal(await baseline.previous('hr-csv'), 100);
      const ttl = await redis.ttl(baseline.key('hr-csv'));
      assert.ok(ttl > 0 && ttl <= ROW_COUNT_TTL_SECONDS, `the baseline has an end (TTL ${ttl})`);

      // The export is cut off at 90 rows: 10 % fewer than last time, above 5 %.
      writeFileSync(path, hrExport(staff.slice(0, 90)));
      view = await openRunDirectories(directories, run('r2'), silentLogger(), state);
      const facts = staff.map((name) => view.answer(subject(name)));
      const verdict = view.conclude();
      const why =
        'hr-csv: the file has 90 account(s), 10.0% fewer than the 100 last believed, more than maxAbsentPercent 5: not believed';
      assert.deepEqual(verdict.statuses[0]!.trusted, false);
      assert.equal(verdict.statuses[0]!.reason, `${why} (${path})`);
      assert.ok(
        verdict.notes.some((note) => note.includes('nobody is "left-company" by it') && note.includes(why)),
      );
      const settled = facts.map((f) => verdict.settle(f).status);
      assert.ok(
        settled.every((s) => s === 'unknown'),
        'nobody is absent, not even the ten cut off',
      );
      assert.equal(await baseline.previous('hr-csv'), 100, 'a shrunken file does not become the new normal');

      // 97 rows: within 5 % of 100, believed; the new count is remembered.
      writeFileSync(path, hrExport(staff.slice(0, 97)));
      view = await openRunDirectories(directories, run('r3'), silentLogger(), state);
      for (const name of staff) view.answer(subject(name));
      assert.equal(view.conclude().statuses[0]!.trusted, true);
      assert.equal(await baseline.previous('hr-csv'), 97);
    });

    it('a look-up compares with the last count too, but never sets it', async () => {
      const path = file('lookup.csv', hrExport(staff.slice(0, 50)));
      const baseline = new RowCountBaseline(redis, keys.prefix);
      await baseline.record('hr-csv-lookup', 100);
      const source = provider(
        { path, name: 'hr-csv-lookup' },
        { rowCounts: { baseline, maxShrinkPercent: 5, record: false } },
      );
      await assert.rejects(source.lookup(['staff099']), /50\.0% fewer than the 100 last believed/);
      writeFileSync(path, hrExport(staff));
      assert.deepEqual((await source.lookup(['gone'])).get('gone'), { status: 'absent' });
      assert.equal(await baseline.previous('hr-csv-lookup'), 100);
    });
  });
});
