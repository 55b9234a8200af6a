import assert from 'node:assert/strict';
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
