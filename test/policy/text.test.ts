import assert from 'node:assert/strict';
import { formatReasons } from '../../services/policy/format-reasons.js';
import { policyNotes } from '../../services/policy/policy-notes.js';
import { renameTarget } from '../../services/policy/rename-target.js';
import { policyWith } from './fixtures.js';

describe('policy: rename target', () => {
  const bob = { name: 'bob', key: 'JIRAUSER10002' };

  it('uses the UTC date of asOf', () => {
    assert.equal(
      renameTarget('{username}_inactive_{yyyyMMdd}', bob, new Date('2026-03-01T23:30:00-05:00')),
      'bob_inactive_20260302',
    );
  });

  it('supports {key}, repeated placeholders and leaves unknown ones as written', () => {
    assert.equal(
      renameTarget('{key}/{username}/{username}.{date}', bob, new Date('2026-01-05T00:00:00Z')),
      'JIRAUSER10002/bob/bob.{date}',
    );
  });

  it('does not interpret "$" sequences in usernames', () => {
    assert.equal(renameTarget('{username}_x', { name: "a$&b$'", key: 'K' }, new Date(0)), "a$&b$'_x");
  });
});

describe('policy: reasons as one CSV cell', () => {
  it('one reason per part, joined by "; "', () => {
    assert.equal(
      formatReasons([
        { signal: 'directory', rule: 'active in scim', value: 'active=true' },
        {
          signal: 'last-login',
          rule: 'last login more than 90 days before asOf',
          value: '2026-05-01T10:00:00.000Z',
          threshold: '2026-08-31T00:00:00.000Z',
        },
        { signal: 'account', rule: 'the Jira account is already deactivated' },
      ]),
      'directory: active in scim (value active=true); ' +
        'last-login: last login more than 90 days before asOf ' +
        '(value 2026-05-01T10:00:00.000Z, threshold 2026-08-31T00:00:00.000Z); ' +
        'account: the Jira account is already deactivated',
    );
  });

  it('a ";" inside a reason does not split the cell', () => {
    assert.equal(
      formatReasons([{ signal: 'group', rule: 'member of a skip group', value: 'a;b\nc' }]),
      'group: member of a skip group (value a,b c)',
    );
  });

  it('no reasons, empty cell', () => {
    assert.equal(formatReasons([]), '');
  });
});

describe('policy: notes for the run record', () => {
  it('says that skipDirectories cannot be applied', () => {
    assert.deepEqual(policyNotes(policyWith({ skipDirectories: ['Corporate LDAP', 10000] })), [
      "skipDirectories (Corporate LDAP, 10000) is not applied: Jira's REST API does not say which user directory a user comes from",
    ]);
    assert.deepEqual(policyNotes(policyWith()), []);
  });

  it("says nothing of skipDirectories when a source knows directories (Jira's database)", () => {
    assert.deepEqual(policyNotes(policyWith({ skipDirectories: ['Corporate LDAP'] }), true), []);
  });
});
