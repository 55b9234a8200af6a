import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { ALL_QUEUES, JOBS } from '../../queues/names.js';
import { createLogger } from '../../runtime/logger.js';
import { assertEveryJobHasAProcessor } from '../../workers/host.js';
import { PROCESSORS } from '../../workers/processors.js';

describe('start-up checks', () => {
  it('every job name has a processor, and a worker refuses to start when one is missing', () => {
    assertEveryJobHasAProcessor(ALL_QUEUES, PROCESSORS);
    const { [JOBS.rename]: _rename, ...withoutRename } = PROCESSORS;
    assert.throws(
      () => assertEveryJobHasAProcessor(ALL_QUEUES, withoutRename),
      /no processor for job name\(s\): rename/,
    );
    // A worker for other queues does not need it.
    assertEveryJobHasAProcessor(['scan', 'evaluate'], withoutRename);
  });

  it('logs never show a secret, wherever it sits in what is logged', () => {
    let written = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        written += chunk.toString();
        done();
      },
    });
    const logger = createLogger('test', 'info', sink);
    logger.info(
      {
        jira: { url: 'https://jira', token: 'pat-secret-1' },
        api: { tokens: [{ name: 'ops', token: 'api-secret-2' }], loginWebhookSecret: 'hook-secret-3' },
        headers: { authorization: 'Bearer header-secret-4' },
      },
      'configuration loaded',
    );
    assert.match(written, /configuration loaded/);
    for (const secret of ['pat-secret-1', 'api-secret-2', 'hook-secret-3', 'header-secret-4']) {
      assert.ok(!written.includes(secret), `${secret} was logged: ${written}`);
    }
  });
});
