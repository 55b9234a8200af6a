import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { ConfigError, loadConfig } from '../../config/load.js';
import { createLogger } from '../../runtime/logger.js';

/* jira.database: strict, defaulted, from the environment, and never echoed with its password. */

function problemsOf(overrides: Record<string, unknown>): string {
  try {
    loadConfig({ env: {}, overrides });
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.message;
  }
  assert.fail('the configuration was accepted');
}

describe('jira.database configuration', () => {
  it('is off by default, and takes a PostgreSQL or MySQL URL with a 30 s statement timeout', () => {
    assert.equal(loadConfig({ env: {} }).jira.database, null);
    const pg = loadConfig({
      env: {},
      overrides: { jira: { database: { url: 'postgres://ro@db:5432/jira' } } },
    });
    assert.deepEqual(pg.jira.database, { url: 'postgres://ro@db:5432/jira', statementTimeoutMs: 30_000 });
    const my = loadConfig({
      env: {},
      overrides: {
        jira: { database: { url: 'mysql://ro@db/jira', schema: 'jiradb', statementTimeoutMs: 5000 } },
      },
    });
    assert.equal(my.jira.database?.schema, 'jiradb');
  });

  it('names a misspelt key, a wrong scheme and a schema that is not an identifier, without echoing the password', () => {
    const message = problemsOf({
      jira: { database: { url: 'http://ro:hunter2@db/jira', schema: 'x; drop', timeout: 1 } },
    });
    assert.match(message, /jira\.database\.timeout: unknown key/);
    assert.match(message, /jira\.database\.url: expected a URL starting with postgres:\/\//);
    assert.match(message, /jira\.database\.schema: expected a plain SQL identifier/);
    assert.ok(!message.includes('hunter2'), message);
  });

  it('comes from JIRA_DATABASE_URL and JIRA_DATABASE_PASSWORD', () => {
    const config = loadConfig({
      env: { JIRA_DATABASE_URL: 'mysql://ro@db:3306/jira', JIRA_DATABASE_PASSWORD: 's3cret' },
    });
    assert.equal(config.jira.database?.url, 'mysql://ro@db:3306/jira');
    assert.equal(config.jira.database?.password, 's3cret');
  });

  it('is redacted in logs, URL and password alike', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger('test', 'info', destination);
    const database = { url: 'postgres://ro:url-secret@db/jira', password: 'password-secret' };
    logger.info({ jira: { database } }, 'configuration');
    logger.info({ config: { jira: { database } } }, 'nested');
    logger.flush();
    await new Promise((resolve) => setImmediate(resolve));
    const text = lines.join('');
    assert.equal(lines.length, 2);
    assert.ok(!text.includes('url-secret') && !text.includes('password-secret'), text);
  });
});
