import assert from 'node:assert/strict';
import { settleDirectoryFact } from '../../services/directories/directory-assessment.js';
import { DirectoryUnavailableError } from '../../services/directories/directory-unavailable-error.js';
import { RunDirectories } from '../../services/directories/run-directories.js';
import type { DirectoryFact } from '../../services/policy/types.js';
import { InMemoryDirectory, directoryKnowing, jiraUsernames, lookupOnly } from './in-memory-directory.js';

/*
 * A scan that answers each Jira user as it lists them, holds back the leavers, and settles
 * their facts once the whole directory has been judged.
 */
describe('directory facts settled after the scan', () => {
  it('trusted: the provisional facts stand, unchanged', async () => {
    const run = await RunDirectories.open([directoryKnowing('scim', 97)]);
    const facts = [...jiraUsernames(100)].map((name) => run.provisionalFact(name));
    const assessments = run.assess(5, 100);
    assert.equal(assessments[0]!.trusted, true);
    assert.equal(assessments[0]!.absent, 3);
    for (const fact of facts) assert.equal(settleDirectoryFact(fact, assessments), fact);
    assert.deepEqual(facts[99], { status: 'absent', source: 'scim' });
  });

  it('40 % absent: every fact settles to unknown with the reason', async () => {
    const run = await RunDirectories.open([directoryKnowing('scim', 60)]);
    const facts = [...jiraUsernames(100)].map((name) => run.provisionalFact(name));
    const assessments = run.assess(5, 100);
    const reason = 'scim: 40.0% of 100 active Jira users in scope absent, above maxAbsentPercent 5';
    for (const fact of facts)
      assert.deepEqual(settleDirectoryFact(fact, assessments), { status: 'unknown', source: 'scim', reason });
  });

  it("the run's own count of distinct users is the denominator when given", async () => {
    const run = await RunDirectories.open([directoryKnowing('scim', 0)]);
    run.provisionalFact('gone');
    run.provisionalFact('gone'); // a page answered again after a retried scan
    assert.equal(
      run.assess(5, 1000)[0]!.summary,
      'scim: 0.2% of 1000 active Jira users in scope absent, 0.0% disabled, within maxAbsentPercent 5',
    );
  });

  it('a directory that failed to load: unknown at once, with its error', async () => {
    const directory = directoryKnowing('scim', 10);
    directory.failure = new DirectoryUnavailableError('scim', 'timeout', 'request timed out after 300 ms');
    const run = await RunDirectories.open([directory]);
    const fact = run.provisionalFact('user0001');
    assert.deepEqual(fact, {
      status: 'unknown',
      source: 'scim',
      reason: 'scim: request timed out after 300 ms',
    });
    assert.equal(run.assess(5, 1)[0]!.trusted, false);
  });

  it('a directory that cannot be listed is unknown user by user, and says so', async () => {
    const run = await RunDirectories.open([lookupOnly(directoryKnowing('hr', 10))]);
    const fact = run.provisionalFact('user0001');
    assert.equal(fact.status, 'unknown');
  });

  it('two sources, one not believed: a leaver is unknown, an active user of the other stays active', async () => {
    const idp = new InMemoryDirectory('idp', { alice: true, bob: false });
    const hr = new InMemoryDirectory('hr', {}); // knows nobody: 100 % absent
    const run = await RunDirectories.open([idp, hr]);
    const alice = run.provisionalFact('alice');
    const bob = run.provisionalFact('bob');
    // bob is disabled: half of idp's two users, within a limit of 50 %; hr knows nobody.
    const assessments = run.assess(50, 2);
    assert.deepEqual(
      assessments.map((a) => a.trusted),
      [true, false],
    );
    assert.deepEqual(settleDirectoryFact(alice, assessments), alice);
    const settled: DirectoryFact = settleDirectoryFact(bob, assessments);
    assert.equal(settled.status, 'unknown');
    assert.equal(settled.status === 'unknown' && settled.source, 'hr');
  });
});
