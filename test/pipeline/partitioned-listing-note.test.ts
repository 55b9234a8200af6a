import assert from 'node:assert/strict';
import { runToEnd, simStats, startStack, type Stack } from '../support/stack.js';
import { AS_OF, VERDICT_POLICY } from './verdict-fixture.js';

/* Jira 10.0–10.2 have no /user/list: the listing's cost in requests is said in the run's notes. */
describe('a dry run on a Jira 10 without /user/list', function () {
  this.timeout(120_000);
  let stack: Stack | undefined;
  after(() => stack?.close());

  it('notes how many requests listing the users by prefix cost, as the simulated Jira counted them', async () => {
    stack = await startStack({
      sim: { profile: 'dc10', users: 1_500, seed: 5, referenceTime: AS_OF },
      scim: false,
      config: { policy: VERDICT_POLICY },
    });
    const run = await runToEnd(stack, { asOf: AS_OF }, 100_000);
    assert.equal(run.status, 'done', run.statusReason);
    const notes = (await stack.app.runs.get(run.id))!.notes;
    const note = notes.find((text) => text.includes('has no /user/list'));
    assert.ok(note, notes.join('\n'));
    const match =
      /listing 1500 user\(s\) by username prefix cost (\d+) request\(s\) \((\d+) prefix searches/.exec(note);
    assert.ok(match, note);
    const { requests } = await simStats(stack.sim);
    // Detection samples /user/search once; every other search is the listing's.
    const searches = requests.byRoute['GET /rest/api/2/user/search']?.['200'] ?? 0;
    assert.equal(Number(match[2]), searches - 1, JSON.stringify(requests.byRoute));
    assert.ok(Number(match[1]) >= Number(match[2]));
  });
});
