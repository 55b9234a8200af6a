import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../../runtime/logger.js';

describe('logs never carry a directory source secret', () => {
  it('redacts token, clientSecret and privateKey of the sources, alone or in the configuration', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger('test', 'info', destination);
    const sources = [
      { type: 'okta', url: 'https://corp.okta.com', token: 'okta-secret-1' },
      { type: 'entra', tenantId: 't', clientId: 'c', clientSecret: 'entra-secret-2' },
      { type: 'google', subject: 'a@b', clientEmail: 'x@y', privateKey: 'google-secret-3' },
    ];
    logger.info({ directories: { sources } }, 'configuration');
    logger.info({ sources }, 'sources');
    logger.info({ clientSecret: 'entra-secret-4', source: { privateKey: 'google-secret-5' } }, 'alone');
    logger.flush();
    await new Promise((resolve) => setImmediate(resolve));
    const text = lines.join('');
    assert.equal(lines.length, 3);
    for (const secret of [
      'okta-secret-1',
      'entra-secret-2',
      'google-secret-3',
      'entra-secret-4',
      'google-secret-5',
    ])
      assert.ok(!text.includes(secret), `${secret} in ${text}`);
    assert.match(text, /"tenantId":"t"/);
  });
});
