import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { validateConfig } from '../../config/load.js';
import { createLogger } from '../../runtime/logger.js';
import { spawnReclaim, writeConfigFile } from '../support/child.js';

/** Every secret a directory source may hold, each one recognisable in any output. */
const SECRETS = {
  scimToken: 'scim-secret-aa11',
  httpToken: 'http-secret-bb22',
  httpPassword: 'http-password-cc33',
  csvPassword: 'csv-password-dd44',
  urlPassword: 'url-password-ee55',
  queryKey: 'query-key-ff66',
};

const SOURCES = [
  { type: 'scim', url: 'https://idp.example.com/scim/v2', token: SECRETS.scimToken },
  { type: 'http', name: 'hr-api', listUrl: 'https://hr.example.com/api/people', token: SECRETS.httpToken },
  {
    type: 'http',
    name: 'hr-person',
    lookupUrl: 'https://hr.example.com/api/people/{username}',
    username: 'svc',
    password: SECRETS.httpPassword,
  },
  {
    type: 'csv',
    name: 'hr-csv',
    url: 'https://export.example.com/people.csv',
    username: 'svc',
    password: SECRETS.csvPassword,
  },
];

function leaked(text: string): string[] {
  return Object.values(SECRETS).filter((secret) => text.includes(secret));
}

describe('the secrets of directory sources are never printed nor logged', function () {
  this.timeout(30_000);

  it('a logged configuration, or one source of it, shows none of them', () => {
    let written = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        written += chunk.toString();
        done();
      },
    });
    const logger = createLogger('test', 'info', sink);
    const config = validateConfig({ directories: { sources: SOURCES } });
    logger.info(config, 'configuration');
    logger.info({ config }, 'configuration inside an object');
    logger.info({ directories: config.directories }, 'the directories section');
    logger.info({ sources: config.directories.sources }, 'the sources');
    logger.info({ source: config.directories.sources[2] }, 'one source');
    assert.equal(written.trim().split('\n').length, 5);
    assert.match(written, /hr-person/, 'what is not secret is still logged');
    assert.deepEqual(leaked(written), [], written);
  });

  it('`config check` prints none of them, for a good file or for mistakes next to them', async () => {
    const good = writeConfigFile({ directories: { sources: SOURCES } });
    const bad = writeConfigFile({
      directories: {
        sources: [
          { ...SOURCES[0], token: 123456 },
          { ...SOURCES[1], password: '' },
          {
            ...SOURCES[2],
            lookupUrl: `https://hr.example.com/api/people?api_key=${SECRETS.queryKey}`,
          },
          { ...SOURCES[3], url: `ftp://svc:${SECRETS.urlPassword}@export.example.com/people.csv` },
        ],
      },
    });
    try {
      const ok = spawnReclaim(['config', 'check', good.file]);
      assert.equal((await ok.exited).code, 0, ok.output());
      assert.deepEqual(leaked(ok.output()), []);

      const wrong = spawnReclaim(['config', 'check', bad.file]);
      assert.equal((await wrong.exited).code, 1, wrong.output());
      const output = wrong.output();
      for (const path of [
        'directories.sources.0.token',
        'directories.sources.1.password',
        'directories.sources.2.lookupUrl: the lookupUrl must contain {username}',
        'directories.sources.3.url',
      ])
        assert.ok(output.includes(path), `missing ${path} in:\n${output}`);
      assert.match(output, /api_key=\*\*\*/, 'the URL is still shown, its key masked');
      assert.deepEqual(leaked(output), [], output);
      assert.doesNotMatch(output, /123456/);
    } finally {
      good.remove();
      bad.remove();
    }
  });
});
