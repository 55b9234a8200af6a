import assert from 'node:assert/strict';
import { spawnCommand } from './support/child.js';

describe('npm run demo -- --exit', function () {
  this.timeout(120_000);

  it('runs the whole product on its simulators and prints the summary and the URLs', async () => {
    const demo = spawnCommand('npm', ['run', 'demo', '--', '--exit', '--users', '2000', '--port', '0'], {
      REDIS_URL: process.env.RECLAIM_TEST_REDIS_URL!,
    });
    const exit = await demo.exited;
    const output = demo.output();
    assert.equal(exit.code, 0, output);
    assert.match(output, /dry-run, done/);
    assert.match(output, /users scanned 2,000 of 2,000 · evaluated 2,000/);
    assert.match(output, /verdicts: .*inactive \d+/);
    assert.match(output, /licences that would be freed: jira-software \d+/);
    assert.match(output, /directory scim: trusted/);
    // The console's URL comes before anything of the run, and again first of the URLs to open.
    const printed = /Console: (http:\/\/127\.0\.0\.1:\d+\/) /.exec(output);
    assert.ok(printed, output);
    assert.ok(printed.index < output.indexOf('Dry run'), 'the console is printed first');
    assert.match(output, /Open:\n {2}Console +http:\/\/127\.0\.0\.1:\d+\/ /);
    assert.match(output, /Bull Board +http:\/\/127\.0\.0\.1:\d+\/admin\/queues/);
  });
});
