import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema, type DirectoryCombine } from '../../config/schema.js';
import { silentLogger } from '../../runtime/logger.js';
import { combineDirectoryFacts } from '../../services/directories/combine-directory-facts.js';
import { assessAnswers, settleSourceFacts } from '../../services/directories/directory-assessment.js';
import { lookupDirectoryFacts } from '../../services/directories/lookup-directory-facts.js';
import { openRunDirectories } from '../../services/pipeline/open-run-directories.js';
import type { DirectoryFact } from '../../services/policy/types.js';
import type { Run } from '../../services/runs/types.js';
import { InMemoryDirectory } from './in-memory-directory.js';

const active = (source: string): DirectoryFact => ({ status: 'active', source, attribute: 'status=active' });
const disabled = (source: string): DirectoryFact => ({
  status: 'disabled',
  source,
  attribute: 'status=left',
});
const absent = (source: string): DirectoryFact => ({ status: 'absent', source });
const unknown = (source: string): DirectoryFact => ({ status: 'unknown', source, reason: `${source}: down` });
const outside = (source: string): DirectoryFact => ({
  status: 'not-applicable',
  source,
  reason: `${source}: out`,
});

describe('several directory sources at once (directories.combine)', () => {
  describe('all (the default): a leaver only when every source in scope says so', () => {
    const combine = (...facts: DirectoryFact[]) => combineDirectoryFacts(facts, 'all');
    it('one source that knows the user as active keeps them', () => {
      assert.deepEqual(combine(absent('hr'), active('idp')), active('idp'));
      assert.deepEqual(combine(disabled('hr'), active('idp')), active('idp'));
      assert.deepEqual(combineDirectoryFacts([absent('hr'), active('idp')]), active('idp'), 'the default');
    });
    it('absent or disabled everywhere is a leaver; absent everywhere names every source', () => {
      assert.deepEqual(combine(absent('hr'), disabled('idp')), disabled('idp'));
      assert.deepEqual(combine(absent('hr'), absent('idp')), { status: 'absent', source: 'hr + idp' });
    });
    it('an unknown blocks; a source out of scope does not vote', () => {
      assert.deepEqual(combine(absent('hr'), unknown('idp')), unknown('idp'));
      assert.deepEqual(combine(absent('hr'), outside('idp')), absent('hr'));
    });
  });

  describe('any: one believed source saying absent or disabled is enough', () => {
    const combine = (...facts: DirectoryFact[]) => combineDirectoryFacts(facts, 'any');
    it('absent or disabled in one source beats active in another', () => {
      assert.deepEqual(combine(active('idp'), disabled('hr')), disabled('hr'));
      assert.deepEqual(combine(active('idp'), absent('hr')), absent('hr'));
      assert.deepEqual(combine(absent('idp'), active('hr'), absent('ldap')), {
        status: 'absent',
        source: 'idp + ldap',
      });
    });
    it('an unknown from a source in scope still blocks: unknown is not absent', () => {
      assert.deepEqual(combine(unknown('idp'), disabled('hr')), unknown('idp'));
      assert.deepEqual(combine(absent('hr'), unknown('idp'), active('ldap')), unknown('idp'));
    });
    it('active only when every voting source says so; out of scope never votes', () => {
      assert.deepEqual(combine(active('idp'), active('hr')), active('idp'));
      assert.deepEqual(combine(active('idp'), outside('hr')), active('idp'));
      assert.deepEqual(combine(outside('hr')), outside('hr'));
    });
    it('a source the breaker does not believe cannot make a leaver, nor let one through', () => {
      const trusted = assessAnswers('hr', { asked: 100, absent: 1, disabled: 1 }, 5);
      const untrusted = assessAnswers('idp', { asked: 100, absent: 40, disabled: 0 }, 5);
      assert.equal(
        settleSourceFacts([disabled('hr'), active('idp')], [trusted, untrusted], 'any').status,
        'unknown',
      );
      assert.equal(
        settleSourceFacts([active('hr'), absent('idp')], [trusted, untrusted], 'any').status,
        'unknown',
      );
      assert.deepEqual(
        settleSourceFacts(
          [disabled('hr'), active('idp')],
          [trusted, { ...untrusted, ...trusted, source: 'idp' }],
          'any',
        ),
        disabled('hr'),
      );
    });
  });

  it('look-ups outside a run combine the same way', async () => {
    const idp = new InMemoryDirectory('idp', { carol: true, dave: true });
    const hr = new InMemoryDirectory('hr', { carol: false });
    const all = await lookupDirectoryFacts([idp, hr], ['carol', 'dave']);
    const any = await lookupDirectoryFacts([idp, hr], ['carol', 'dave'], 'any');
    assert.deepEqual([all.get('carol')?.status, all.get('dave')?.status], ['active', 'active']);
    assert.deepEqual([any.get('carol')?.status, any.get('dave')?.status], ['disabled', 'absent']);
  });

  describe('in a run: an IdP for everyone, an HR export for the staff of example.com', () => {
    let dir: string;
    const staff = Array.from({ length: 100 }, (_, i) => `staff${String(i + 1).padStart(3, '0')}`);
    const email = (name: string) => (name === 'contractor' ? 'c@partner.com' : `${name}@example.com`);
    const JIRA = [...staff, 'left-in-hr', 'gone-everywhere', 'on-leave', 'contractor'];

    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'reclaim-combine-'));
      // The IdP has not caught up with HR: left-in-hr is still enabled there, on-leave is gone.
      const idp = ['username,enabled', ...[...staff, 'left-in-hr', 'contractor'].map((n) => `${n},yes`)];
      const hr = [
        'username,status',
        ...staff.map((n) => `${n},active`),
        'left-in-hr,terminated',
        'on-leave,sabbatical',
      ];
      writeFileSync(join(dir, 'idp.csv'), `${idp.join('\n')}\n`);
      writeFileSync(join(dir, 'hr.csv'), `${hr.join('\n')}\n`);
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    async function runWith(combine: DirectoryCombine) {
      const { directories } = configSchema.parse({
        directories: {
          combine,
          sources: [
            {
              type: 'csv',
              name: 'idp',
              path: join(dir, 'idp.csv'),
              columns: { status: 'enabled' },
              activeValues: ['yes'],
              disabledValues: ['no'],
            },
            {
              type: 'csv',
              name: 'hr',
              path: join(dir, 'hr.csv'),
              columns: { status: 'status' },
              scope: { emailDomains: ['example.com'] },
            },
          ],
        },
      });
      const view = await openRunDirectories(directories, { id: `run-${combine}` } as Run, silentLogger());
      const users = JIRA.map((name) => ({
        name,
        facts: view.answer({ name, emailAddress: email(name), groups: [] }),
      }));
      // As the scan does: every absent answer is confirmed by a look-up before the verdict.
      const confirmed = await view.confirm(users);
      const verdict = view.conclude();
      const fact = (name: string) => verdict.settle(confirmed[JIRA.indexOf(name)]!);
      return { verdict, fact };
    }

    it('all: a leaver only when both say so; each source keeps its own breaker verdict', async () => {
      const { verdict, fact } = await runWith('all');
      assert.equal(fact('left-in-hr').status, 'active', 'the IdP still knows them');
      assert.deepEqual(fact('gone-everywhere'), { status: 'absent', source: 'idp + hr' });
      assert.equal(fact('on-leave').status, 'unknown', 'a status HR does not map blocks');
      assert.equal(fact('contractor').status, 'active', 'outside HR scope: only the IdP votes');
      assert.equal(fact('staff001').status, 'active');
      assert.deepEqual(
        verdict.statuses.map((s) => [s.source, s.trusted, s.asked, s.absent, s.outOfScope]),
        [
          ['idp', true, 104, 2, 0],
          ['hr', true, 103, 1, 1],
        ],
      );
    });

    it('any: one source saying disabled or absent is enough, an unknown still blocks', async () => {
      const { fact } = await runWith('any');
      assert.deepEqual(fact('left-in-hr'), {
        status: 'disabled',
        source: 'hr',
        attribute: 'column status=terminated',
      });
      assert.deepEqual(fact('gone-everywhere'), { status: 'absent', source: 'idp + hr' });
      assert.equal(fact('on-leave').status, 'unknown', 'absent from the IdP, but HR cannot say');
      assert.equal(fact('contractor').status, 'active');
      assert.equal(fact('staff001').status, 'active');
    });
  });
});
