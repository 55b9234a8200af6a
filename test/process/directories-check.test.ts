import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnReclaim, writeConfigFile } from '../support/child.js';
import { createRedis } from '../../queues/connection.js';
import { RowCountBaseline } from '../../services/directories/csv/row-count-baseline.js';
import { startHrApiSimulator, type HrApiSimulator } from '../directories/hr-api-simulator.js';
import { testRedisUrl, usePrefix } from '../support/redis.js';

const staff = Array.from({ length: 20 }, (_, i) => `staff${String(i + 1).padStart(2, '0')}`);
const PEOPLE = [...staff.map((userName) => ({ userName, active: true })), { userName: 'bob', active: false }];

/** `reclaim directories check` as an admin runs it after writing the directories section. */
describe('`reclaim directories check` from the command line', function () {
  this.timeout(60_000);
  const keys = usePrefix('directories-check');
  let hr: HrApiSimulator;
  let dir: string;
  let csvPath: string;

  const sources = (overrides: Record<string, Record<string, unknown>> = {}) => [
    { type: 'scim', name: 'idp', url: `${hr.sim.url}/scim/v2`, token: 'sim-token', ...overrides.idp },
    {
      type: 'http',
      name: 'hr-api',
      listUrl: `${hr.peopleUrl}?limit=6`,
      tokenEnv: 'HR_API_TOKEN',
      ...overrides['hr-api'],
    },
    {
      type: 'http',
      name: 'hr-person',
      lookupUrl: `${hr.peopleUrl}/{username}`,
      username: 'admin',
      passwordEnv: 'HR_PASSWORD',
      ...overrides['hr-person'],
    },
    { type: 'csv', name: 'hr-csv', path: csvPath, columns: { status: 'status' }, ...overrides['hr-csv'] },
  ];
  const check = async (list: unknown[], args: string[] = []) => {
    const config = writeConfigFile({
      redis: { url: testRedisUrl(), prefix: keys.prefix },
      directories: { sources: list },
    });
    try {
      const child = spawnReclaim(
        ['directories', 'check', '--config', config.file, '--retries', '0', ...args],
        {
          HR_API_TOKEN: 'sim-token',
          HR_PASSWORD: 'admin',
        },
      );
      const exit = await child.exited;
      return { code: exit.code, output: child.output() };
    } finally {
      config.remove();
    }
  };

  before(async () => {
    hr = await startHrApiSimulator(PEOPLE);
    dir = mkdtempSync(join(tmpdir(), 'reclaim-dircheck-'));
    csvPath = join(dir, 'hr.csv');
    writeFileSync(
      csvPath,
      `username,status\n${staff.map((n) => `${n},active`).join('\n')}\nbob,terminated\ncarl,on leave\n`,
    );
  });
  after(async () => {
    await hr.sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exit 0: one line per source with what its listing holds and one user looked up (a look-up-only source: the first account listed elsewhere)', async () => {
    const { code, output } = await check(sources());
    assert.equal(code, 0, output);
    const lines = output.trim().split('\n');
    assert.deepEqual(lines, [
      'ok   idp (scim): 21 account(s) listed (20 active, 1 disabled); staff01: active (active=true)',
      'ok   hr-api (http): 21 account(s) listed (20 active, 1 disabled); staff01: active (status=active)',
      'ok   hr-person (http): cannot be listed (look-up only); staff01: active (status=active)',
      'ok   hr-csv (csv): 22 account(s) listed (20 active, 1 disabled, 1 with a status in neither list); staff01: active (column status=active)',
    ]);
  });

  it('--user looks that user up in every source', async () => {
    const { code, output } = await check(sources(), ['--user', 'bob']);
    assert.equal(code, 0, output);
    assert.match(output, /^ok {3}idp \(scim\): .*; bob: disabled \(active=false\)$/m);
    assert.match(
      output,
      /^ok {3}hr-person \(http\): cannot be listed \(look-up only\); bob: disabled \(status=terminated\)$/m,
    );
    assert.match(output, /^ok {3}hr-csv \(csv\): .*; bob: disabled \(column status=terminated\)$/m);
  });

  it('a look-up-only source matched by e-mail is not asked about a username another source listed', async () => {
    const byEmail = {
      type: 'http',
      name: 'hr-by-mail',
      lookupUrl: `${hr.peopleUrl}/{username}`,
      tokenEnv: 'HR_API_TOKEN',
      match: 'email',
    };
    const { code, output } = await check([sources()[0], byEmail]);
    assert.equal(code, 0, output);
    assert.match(output, /^ok {3}idp \(scim\): 21 account\(s\) listed .*; staff01: active/m);
    assert.match(
      output,
      /^ok {3}hr-by-mail \(http\): cannot be listed \(look-up only\); no user looked up \(give --user NAME\)$/m,
    );
  });

  it('a wrong token: exit 1 naming the source and why, the others still checked, no secret printed', async () => {
    const { code, output } = await check(
      sources({
        'hr-api': { tokenEnv: undefined, token: 'wrong-secret-0123' },
        'hr-csv': { path: join(dir, 'gone.csv') },
      }),
    );
    assert.equal(code, 1, output);
    assert.match(output, /^ok {3}idp \(scim\): 21 account/m);
    assert.match(
      output,
      /^FAIL hr-api \(http\): request failed: 401 Unauthorized \(GET http:\/\/127\.0\.0\.1:\d+\/hr-api\/people\?limit=6\)$/m,
    );
    assert.match(output, /^directories check failed: hr-api: request failed: 401 Unauthorized/m);
    assert.match(output, /^directories check failed: hr-csv: cannot read the file: ENOENT/m);
    assert.doesNotMatch(output, /wrong-secret-0123|sim-token/);
  });

  it('a wrong SCIM token and a password not in the environment fail their sources too', async () => {
    const { code, output } = await check(
      sources({ idp: { token: 'not-the-scim-token' }, 'hr-person': { passwordEnv: 'NOT_SET_ANYWHERE' } }),
      ['--user', 'bob'],
    );
    assert.equal(code, 1, output);
    assert.match(output, /^FAIL idp \(scim\): request failed: 401 Unauthorized/m);
    assert.match(
      output,
      /^FAIL hr-person \(http\): username admin is configured but the environment variable NOT_SET_ANYWHERE \(passwordEnv\) is not set$/m,
    );
    assert.doesNotMatch(output, /not-the-scim-token/);
  });

  it('a CSV file that shrank since the last run fails the check as a run would not believe it; --accept-shrink takes it', async () => {
    const redis = createRedis(testRedisUrl(), 'producer');
    try {
      const baseline = new RowCountBaseline(redis, keys.prefix);
      await baseline.record('hr-csv', 40);
      const csvOnly = [sources()[3]];
      const shrunk = await check(csvOnly);
      assert.equal(shrunk.code, 1, shrunk.output);
      assert.match(
        shrunk.output,
        /^FAIL hr-csv \(csv\): the file has 22 account\(s\), 45\.0% fewer than the 40 last believed, more than maxAbsentPercent 5: not believed \(.*hr\.csv\)$/m,
      );
      assert.equal(await baseline.previous('hr-csv'), 40, 'a check records nothing');

      const accepted = await check(csvOnly, ['--accept-shrink']);
      assert.equal(accepted.code, 0, accepted.output);
      assert.match(accepted.output, /; 22 row\(s\) taken as the count the next run compares with$/m);
      assert.equal(await baseline.previous('hr-csv'), 22);
      assert.equal((await check(csvOnly)).code, 0);
    } finally {
      await redis.quit();
    }
  });
});
