import assert from 'node:assert/strict';
import { assessDirectory } from '../../services/directories/assess-directory.js';
import { combineDirectoryFacts } from '../../services/directories/combine-directory-facts.js';
import {
  assessAnswers,
  directoryFact,
  settleSourceFacts,
} from '../../services/directories/directory-assessment.js';
import { DirectoryCheck } from '../../services/directories/directory-check.js';
import { DirectoryUnavailableError } from '../../services/directories/directory-unavailable-error.js';
import { RunDirectories } from '../../services/directories/run-directories.js';
import { SourceScope } from '../../services/directories/source-scope.js';
import { InMemoryDirectory, directoryKnowing, jiraUsernames, lookupOnly } from './in-memory-directory.js';

describe('directory circuit breaker', () => {
  describe('the absent share', () => {
    const rows = [
      { absent: 0, asked: 0, max: 5, trusted: true },
      { absent: 5, asked: 100, max: 5, trusted: true },
      { absent: 6, asked: 100, max: 5, trusted: false },
      { absent: 50, asked: 1000, max: 5, trusted: true },
      { absent: 51, asked: 1000, max: 5, trusted: false },
      { absent: 1, asked: 1, max: 100, trusted: true },
      { absent: 1, asked: 1_000_000, max: 0, trusted: false },
    ];
    for (const row of rows) {
      it(`${row.absent} of ${row.asked} absent, maxAbsentPercent ${row.max}: ${row.trusted ? 'trusted' : 'trips'}`, () => {
        const assessment = assessAnswers(
          'scim',
          { asked: row.asked, absent: row.absent, disabled: 0 },
          row.max,
        );
        assert.equal(assessment.trusted, row.trusted, assessment.summary);
      });
    }

    it('the disabled share is compared with the same limit, on its own', () => {
      const rows = [
        { absent: 5, disabled: 5, trusted: true },
        { absent: 0, disabled: 6, trusted: false },
        { absent: 6, disabled: 0, trusted: false },
      ];
      for (const row of rows) {
        const assessment = assessAnswers('scim', { asked: 100, ...row }, 5);
        assert.equal(assessment.trusted, row.trusted, assessment.summary);
      }
      assert.equal(
        assessAnswers('scim', { asked: 100, absent: 1, disabled: 30 }, 5).summary,
        'scim: 30.0% of 100 active Jira users in scope disabled, above maxAbsentPercent 5',
      );
      assert.equal(
        assessAnswers('scim', { asked: 100, absent: 10, disabled: 30 }, 5).summary,
        'scim: 10.0% of 100 active Jira users in scope absent and 30.0% disabled, above maxAbsentPercent 5',
      );
    });

    it('says why in one line', () => {
      const assessment = assessAnswers('scim', { asked: 5000, absent: 2000, disabled: 7 }, 5);
      assert.equal(
        assessment.summary,
        'scim: 40.0% of 5000 active Jira users in scope absent, above maxAbsentPercent 5',
      );
      assert.equal(assessment.absentPercent, 40);
    });
  });

  it('40 % absent: the breaker trips and no user is absent or disabled', async () => {
    const directory = directoryKnowing('scim', 60);
    const result = await assessDirectory({
      providers: [directory],
      jiraUsernames: jiraUsernames(100),
      maxAbsentPercent: 5,
      batchSize: 7,
    });
    assert.equal(result.trusted, false);
    assert.equal(
      result.assessments[0]!.summary,
      'scim: 40.0% of 100 active Jira users in scope absent, above maxAbsentPercent 5',
    );
    const facts = await result.factsFor([...jiraUsernames(100)]);
    for (const fact of facts.values()) {
      assert.deepEqual(fact, {
        status: 'unknown',
        source: 'scim',
        reason: 'scim: 40.0% of 100 active Jira users in scope absent, above maxAbsentPercent 5',
      });
    }
  });

  it('3 % absent with maxAbsentPercent 5: trusted, and the absent users are absent', async () => {
    const directory = new InMemoryDirectory('scim', {
      ...Object.fromEntries([...jiraUsernames(97)].map((u) => [u, true])),
      user0001: false,
    });
    const result = await assessDirectory({
      providers: [directory],
      jiraUsernames: jiraUsernames(100),
      maxAbsentPercent: 5,
    });
    assert.equal(result.trusted, true, result.assessments[0]!.summary);
    assert.deepEqual(result.assessments[0], {
      source: 'scim',
      trusted: true,
      summary:
        'scim: 3.0% of 100 active Jira users in scope absent, 1.0% disabled, within maxAbsentPercent 5',
      asked: 100,
      absent: 3,
      disabled: 1,
      absentPercent: 3,
      disabledPercent: 1,
      maxAbsentPercent: 5,
      outOfScope: 0,
      deactivatedInJira: 0,
      protectedByPolicy: 0,
      foundOnLookup: 0,
      lookupFailed: 0,
      noEmailToMatch: 0,
    });
    const facts = await result.factsFor(['user0001', 'USER0002', 'user0100']);
    assert.deepEqual(facts.get('user0001'), {
      status: 'disabled',
      source: 'scim',
      attribute: 'active=false',
    });
    assert.deepEqual(facts.get('USER0002'), { status: 'active', source: 'scim', attribute: 'active=true' });
    assert.deepEqual(facts.get('user0100'), { status: 'absent', source: 'scim' });
    assert.equal(result.directories.sources[0]!.assess(5).asked, 100, 'answering facts does not count again');
  });

  it('a directory that fails to load is unknown for every user, with its error', async () => {
    const directory = directoryKnowing('scim', 100);
    directory.failure = new DirectoryUnavailableError(
      'scim',
      'http-status',
      'request failed: 503 Service Unavailable',
      503,
    );
    const result = await assessDirectory({
      providers: [directory],
      jiraUsernames: jiraUsernames(10),
      maxAbsentPercent: 5,
    });
    assert.equal(result.trusted, false);
    assert.equal(result.assessments[0]!.summary, 'scim: request failed: 503 Service Unavailable');
    const facts = await result.factsFor(['user0001']);
    assert.deepEqual(facts.get('user0001'), {
      status: 'unknown',
      source: 'scim',
      reason: 'scim: request failed: 503 Service Unavailable',
    });
  });

  it('a directory that cannot be listed is asked page by page, and a failure stops the asking', async () => {
    const directory = directoryKnowing('hr', 100);
    const check = await DirectoryCheck.open(lookupOnly(directory));
    assert.equal(check.loaded, undefined);
    assert.equal((await check.answerPage(['user0001', 'nobody'])).get('nobody')?.status, 'absent');
    directory.failure = new DirectoryUnavailableError('hr', 'timeout', 'request timed out after 10 ms');
    assert.equal((await check.answerPage(['user0002'])).size, 0);
    assert.equal((await check.answerPage(['user0003'])).size, 0);
    assert.equal(directory.lookups, 2, 'no lookups after the failure');
    const assessment = check.assess(5);
    assert.equal(assessment.trusted, false);
    assert.equal(assessment.summary, 'hr: request timed out after 10 ms');
    assert.equal(assessment.asked, 4);
  });

  it('an unexpected error is a failure too, named by its source', async () => {
    const broken = {
      name: 'scim',
      matchBy: 'username' as const,
      lookup: async () => new Map(),
      loadAll: () => ({
        [Symbol.asyncIterator]: () => {
          throw new TypeError('boom');
        },
      }),
    };
    const check = await DirectoryCheck.open(broken);
    assert.equal(check.assess(5).summary, 'scim: boom');
  });

  it('a user not asked about in the run is unknown, not absent', () => {
    const assessment = assessAnswers('scim', { asked: 10, absent: 0, disabled: 0 }, 5);
    assert.equal(directoryFact(undefined, assessment).status, 'unknown');
  });

  it('no sources configured: every fact is not-configured', async () => {
    const run = await RunDirectories.open([]);
    const answers = await run.answerPage(['alice']);
    assert.deepEqual(RunDirectories.factFor(answers.get('alice')!, run.assess(5)), {
      status: 'not-configured',
    });
  });

  it('two sources: present in either is not a leaver; absent only when both say so', async () => {
    const idp = new InMemoryDirectory('idp', { alice: true, bob: false });
    const hr = new InMemoryDirectory('hr', { alice: false, carol: true, dave: false });
    const run = await RunDirectories.open([idp, hr]);
    const names = ['alice', 'bob', 'carol', 'dave', 'erin'];
    const answers = await run.answerPage(names);
    const assessments = run.assess(100);
    const statusOf = (name: string) => RunDirectories.factFor(answers.get(name)!, assessments).status;
    assert.deepEqual(names.map(statusOf), ['active', 'disabled', 'active', 'disabled', 'absent']);
  });

  it('two sources, one failing: nobody is a leaver on the other one’s word alone', async () => {
    const idp = new InMemoryDirectory('idp', { bob: false });
    const hr = new InMemoryDirectory('hr', {});
    hr.failure = new DirectoryUnavailableError('hr', 'network', 'request failed: ECONNREFUSED');
    const run = await RunDirectories.open([idp, hr]);
    const answers = await run.answerPage(['bob']);
    const fact = RunDirectories.factFor(answers.get('bob')!, run.assess(100));
    assert.deepEqual(fact, { status: 'unknown', source: 'hr', reason: 'hr: request failed: ECONNREFUSED' });
  });

  it('streams a million Jira users keeping only counters', async function () {
    this.timeout(20_000);
    const directory = directoryKnowing('scim', 1000);
    async function* listing() {
      yield* jiraUsernames(1_000_000, 'u');
    }
    const result = await assessDirectory({
      providers: [directory],
      jiraUsernames: listing(),
      maxAbsentPercent: 5,
    });
    assert.equal(result.assessments[0]!.asked, 1_000_000);
    assert.equal(result.trusted, false);
  });

  describe('judged on the users a source should know', () => {
    const subject = (name: string, extra: Record<string, unknown> = {}) => ({
      name,
      emailAddress: `${name}@example.com`,
      groups: [] as string[],
      ...extra,
    });

    it('users Jira deactivated, users the policy protects and users outside the scope are not counted', async () => {
      const run = await RunDirectories.open(
        [new InMemoryDirectory('idp', { alice: true })],
        [{ emailDomains: ['EXAMPLE.com'] }],
      );
      const facts = [
        run.factsFor(subject('alice'))[0],
        run.factsFor(subject('gone', { notJudged: 'deactivated' }))[0],
        run.factsFor(subject('root', { notJudged: 'protected' }))[0],
        run.factsFor(subject('svc', { emailAddress: 'svc@ci.example.net' }))[0],
        run.factsFor(subject('nomail', { emailAddress: undefined }))[0],
        run.factsFor(subject('leaver', { emailAddress: 'leaver@Example.Com' }))[0],
      ];
      assert.deepEqual(
        facts.map((f) => f?.status),
        ['active', 'unknown', 'unknown', 'not-applicable', 'not-applicable', 'absent'],
      );
      assert.deepEqual(facts[3], {
        status: 'not-applicable',
        source: 'idp',
        reason: 'idp: e-mail domain ci.example.net not in scope.emailDomains (example.com)',
      });
      const [assessment] = run.assess(50);
      assert.deepEqual(
        [assessment!.asked, assessment!.absent, assessment!.outOfScope],
        [2, 1, 2],
        assessment!.summary,
      );
      assert.deepEqual([assessment!.deactivatedInJira, assessment!.protectedByPolicy], [1, 1]);
    });

    it('a scope with groups and domains takes users who match both', () => {
      const scope = new SourceScope({ emailDomains: ['example.com'], groups: ['Staff'] });
      assert.equal(scope.exclusion({ emailAddress: 'a@example.com', groups: ['staff'] }), undefined);
      assert.match(
        scope.exclusion({ emailAddress: 'a@example.com', groups: ['other'] }) ?? '',
        /scope\.groups \(Staff\)/,
      );
      assert.match(
        scope.exclusion({ emailAddress: 'a@example.org', groups: ['staff'] }) ?? '',
        /emailDomains/,
      );
      assert.equal(new SourceScope().exclusion({ groups: [] }), undefined, 'no scope: everyone');
    });

    it('a source the user is outside the scope of does not vote', () => {
      const outside = { status: 'not-applicable', source: 'hr', reason: 'hr: no e-mail domain' } as const;
      assert.deepEqual(combineDirectoryFacts([{ status: 'absent', source: 'idp' }, outside]), {
        status: 'absent',
        source: 'idp',
      });
      assert.deepEqual(combineDirectoryFacts([outside]), outside);
      assert.deepEqual(
        combineDirectoryFacts([{ status: 'active', source: 'idp', attribute: 'active=true' }, outside])
          .status,
        'active',
      );
    });

    it('settling: an untrusted source makes its answers unknown; a not-applicable one stays out of it', () => {
      const trusted = assessAnswers('idp', { asked: 100, absent: 1, disabled: 0 }, 5);
      const untrusted = assessAnswers('hr', { asked: 100, absent: 50, disabled: 0 }, 5);
      const outside = { status: 'not-applicable', source: 'hr', reason: 'hr: no e-mail domain' } as const;
      assert.deepEqual(
        settleSourceFacts([{ status: 'absent', source: 'idp' }, outside], [trusted, untrusted]),
        {
          status: 'absent',
          source: 'idp',
        },
      );
      assert.deepEqual(
        settleSourceFacts(
          [
            { status: 'absent', source: 'idp' },
            { status: 'absent', source: 'hr' },
          ],
          [trusted, untrusted],
        ),
        { status: 'unknown', source: 'hr', reason: untrusted.summary },
      );
    });
  });

  describe('absent answers confirmed by a look-up', () => {
    it('a user the listing missed but the look-up finds is not absent; one it does not find stays absent', async () => {
      const directory = new InMemoryDirectory('idp', { alice: true, bob: false, carol: true });
      // The bulk listing misses bob and carol (pages shifted), the look-ups still find them.
      const listing = new InMemoryDirectory('idp', { alice: true });
      const check = await DirectoryCheck.open({
        name: 'idp',
        matchBy: 'username',
        lookup: (names) => directory.lookup(names),
        loadAll: () => listing.loadAll(),
      });
      for (const name of ['alice', 'bob', 'carol', 'dave']) check.factFor({ name, groups: [] });
      assert.equal(check.assess(100).absent, 3);
      const confirmed = await check.confirmAbsent(['bob', 'carol', 'dave']);
      assert.deepEqual(Object.fromEntries(confirmed), {
        bob: { status: 'disabled', source: 'idp', attribute: 'active=false' },
        carol: { status: 'active', source: 'idp', attribute: 'active=true' },
        dave: { status: 'absent', source: 'idp' },
      });
      const assessment = check.assess(100);
      assert.deepEqual(
        [assessment.asked, assessment.absent, assessment.disabled, assessment.foundOnLookup],
        [4, 1, 1, 2],
      );
    });

    it('a look-up that fails leaves the user unknown, never absent', async () => {
      const directory = new InMemoryDirectory('idp', { alice: true });
      const run = await RunDirectories.open([directory]);
      const users = ['alice', 'bob', 'carol'].map((name) => ({
        name,
        facts: run.factsFor({ name, groups: [] }),
      }));
      directory.failure = new DirectoryUnavailableError('idp', 'http-status', 'request failed: 503', 503);
      const lookupsBefore = directory.lookups;
      const confirmed = await run.confirm(users);
      assert.deepEqual(confirmed[0], [{ status: 'active', source: 'idp', attribute: 'active=true' }]);
      for (const facts of confirmed.slice(1)) {
        assert.equal(facts[0]!.status, 'unknown');
        assert.match(facts[0]!.status === 'unknown' ? facts[0]!.reason : '', /not confirmed.*503/);
      }
      assert.equal(directory.lookups - lookupsBefore, 1, 'one look-up call for the batch');
      const [assessment] = run.assess(5);
      assert.deepEqual([assessment!.absent, assessment!.lookupFailed], [0, 2]);
      // Unknown wins over the other facts: neither is a leaver.
      for (const facts of confirmed.slice(1))
        assert.equal(settleSourceFacts(facts, [assessment!]).status, 'unknown');
    });
  });
});
