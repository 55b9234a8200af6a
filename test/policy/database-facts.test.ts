import assert from 'node:assert/strict';
import { evaluateUser } from '../../services/policy/evaluate.js';
import { NEVER, contextWith, loginAt, policyWith, userWith } from './fixtures.js';

/* The facts only Jira's database gives: creation date, the user's directory, admin groups. */

const LDAP = { id: 10000, name: 'Corporate LDAP', readOnly: true };
const INTERNAL = { id: 1, name: 'Jira Internal Directory', readOnly: false };

describe("policy: facts from Jira's database", () => {
  it('dates never-logged-in by the creation date, over first seen, and says "created"', () => {
    const oldFirstSeen = new Date('2025-01-01T00:00:00.000Z');
    const fresh = evaluateUser(
      userWith({
        lastLogin: NEVER,
        firstSeen: oldFirstSeen,
        createdDate: new Date('2026-11-20T00:00:00.000Z'),
      }),
      policyWith(),
      contextWith(),
    );
    assert.equal(fresh.verdict, 'keep');
    assert.ok(fresh.reasons.some((r) => r.signal === 'created' && /^created .* within 30 days/.test(r.rule)));
    const old = evaluateUser(
      userWith({ lastLogin: NEVER, firstSeen: null, createdDate: new Date('2025-06-01T00:00:00.000Z') }),
      policyWith(),
      contextWith(),
    );
    assert.equal(old.verdict, 'never-logged-in', 'a known creation date decides without a first-seen record');
  });

  it('leaves users of a skipped directory out of scope, by name (any case) or id, only where the directory is known', () => {
    const inactive = { lastLogin: loginAt('2025-01-01T00:00:00.000Z') };
    for (const skip of [['corporate ldap'], [10000], ['10000']]) {
      const evaluation = evaluateUser(
        userWith({ ...inactive, jiraDirectory: LDAP }),
        policyWith({ skipDirectories: skip }),
        contextWith(),
      );
      assert.equal(evaluation.verdict, 'out-of-scope', JSON.stringify(skip));
    }
    assert.equal(
      evaluateUser(
        userWith({ ...inactive, jiraDirectory: INTERNAL }),
        policyWith({ skipDirectories: [10000] }),
        contextWith(),
      ).verdict,
      'inactive',
    );
    assert.equal(
      evaluateUser(userWith(inactive), policyWith({ skipDirectories: [10000] }), contextWith()).verdict,
      'inactive',
      'an unknown directory is not a skipped one',
    );
  });

  it('exempts members of the groups the database says administer Jira', () => {
    const evaluation = evaluateUser(
      userWith({
        lastLogin: loginAt('2025-01-01T00:00:00.000Z'),
        groups: ['jira-software-users', 'IT-Admins'],
      }),
      policyWith(),
      contextWith({ adminGroups: ['it-admins'] }),
    );
    assert.equal(evaluation.verdict, 'exempt');
  });

  it("plans a read-only directory's leaver without deactivate or rename, and says why", () => {
    const leaver = {
      directory: { status: 'absent' as const, source: 'scim' },
      groups: ['jira-software-users', 'developers'],
    };
    const policy = policyWith({ rename: { enabled: true } });
    const readOnly = evaluateUser(userWith({ ...leaver, jiraDirectory: LDAP }), policy, contextWith());
    assert.equal(readOnly.verdict, 'left-company');
    assert.deepEqual(
      readOnly.actions.map((a) => a.type),
      ['revoke-license', 'remove-groups'],
    );
    assert.ok(readOnly.reasons.some((r) => r.rule === 'not-possible: read-only directory "Corporate LDAP"'));
    const writable = evaluateUser(userWith({ ...leaver, jiraDirectory: INTERNAL }), policy, contextWith());
    assert.deepEqual(
      writable.actions.map((a) => a.type),
      ['revoke-license', 'remove-groups', 'deactivate', 'rename'],
    );
  });
});
