import assert from 'node:assert/strict';
import { evaluateUser } from '../../services/policy/evaluate.js';
import type { UserFacts } from '../../services/policy/types.js';
import { NEVER, contextWith, loginAt, policyWith, userWith } from './fixtures.js';

const OLD_LOGIN = loginAt('2026-05-01T10:00:00.000Z');
const LEAVER: Partial<UserFacts> = {
  name: 'bob',
  key: 'JIRAUSER10002',
  directory: { status: 'absent', source: 'scim' },
  groups: ['Jira-Software-Users', 'developers', 'vpn-users', 'all-staff', 'jira-servicedesk-agents'],
};

describe('policy: planned actions', () => {
  it('an inactive user gives back exactly the licence groups held, spelt as held', () => {
    const evaluation = evaluateUser(
      userWith({ lastLogin: OLD_LOGIN, groups: ['Jira-Software-Users', 'developers'] }),
      policyWith(),
      contextWith(),
    );
    assert.deepEqual(evaluation.actions, [{ type: 'revoke-license', groups: ['Jira-Software-Users'] }]);
    assert.deepEqual(evaluation.reasons, [
      { signal: 'directory', rule: 'active in scim', value: 'active=true' },
      {
        signal: 'last-login',
        rule: 'last login more than 90 days before asOf',
        value: '2026-05-01T10:00:00.000Z',
        threshold: '2026-08-31T00:00:00.000Z',
      },
    ]);
  });

  it('a never-logged-in user joins the tracking group', () => {
    const evaluation = evaluateUser(
      userWith({ lastLogin: NEVER, firstSeen: new Date('2026-01-01T00:00:00Z') }),
      policyWith({ trackingGroup: 'jira-inactive-users' }),
      contextWith(),
    );
    assert.equal(evaluation.verdict, 'never-logged-in');
    assert.deepEqual(evaluation.actions, [
      { type: 'revoke-license', groups: ['jira-software-users'] },
      { type: 'add-groups', groups: ['jira-inactive-users'] },
    ]);
    assert.deepEqual(evaluation.reasons.slice(1), [
      { signal: 'last-login', rule: 'never logged in (according to jira)' },
      {
        signal: 'first-seen',
        rule: 'first seen more than 30 days before asOf',
        value: '2026-01-01T00:00:00.000Z',
        threshold: '2026-10-30T00:00:00.000Z',
      },
    ]);
  });

  it('a user without a licence keeps the verdict, gets no revoke-license, and the plan says so', () => {
    const evaluation = evaluateUser(
      userWith({ lastLogin: OLD_LOGIN, groups: ['developers'] }),
      policyWith(),
      contextWith(),
    );
    assert.equal(evaluation.verdict, 'inactive');
    assert.deepEqual(evaluation.actions, []);
    assert.ok(evaluation.reasons.some((r) => r.signal === 'licence' && r.rule.includes('holds no licence')));
  });

  it('a user without a licence already in the tracking group has nothing to do', () => {
    const evaluation = evaluateUser(
      userWith({ lastLogin: OLD_LOGIN, groups: ['JIRA-INACTIVE-USERS'] }),
      policyWith({ trackingGroup: 'jira-inactive-users' }),
      contextWith(),
    );
    assert.equal(evaluation.verdict, 'inactive');
    assert.deepEqual(evaluation.actions, []);
  });

  it('a leaver: licence revoked, security groups removed but keepGroups, deactivated', () => {
    const evaluation = evaluateUser(
      userWith(LEAVER),
      policyWith({ keepGroups: ['ALL-STAFF'] }),
      contextWith(),
    );
    assert.equal(evaluation.verdict, 'left-company');
    assert.deepEqual(evaluation.actions, [
      { type: 'revoke-license', groups: ['Jira-Software-Users', 'jira-servicedesk-agents'] },
      { type: 'remove-groups', groups: ['developers', 'vpn-users'] },
      { type: 'deactivate' },
    ]);
  });

  it('a leaver with rename and a tracking group configured', () => {
    const evaluation = evaluateUser(
      userWith({ ...LEAVER, groups: [...LEAVER.groups!, 'jira-inactive-users'] }),
      policyWith({ trackingGroup: 'jira-inactive-users', rename: { enabled: true } }),
      contextWith(),
    );
    assert.deepEqual(evaluation.actions, [
      { type: 'revoke-license', groups: ['Jira-Software-Users', 'jira-servicedesk-agents'] },
      { type: 'remove-groups', groups: ['developers', 'vpn-users', 'all-staff'] },
      { type: 'deactivate' },
      { type: 'rename', to: 'bob_inactive_20261129' },
    ]);
  });

  it('a leaver joins the tracking group last, after the rename', () => {
    const evaluation = evaluateUser(
      userWith(LEAVER),
      policyWith({
        trackingGroup: 'jira-inactive-users',
        rename: { enabled: true, pattern: '{key}-{username}-gone' },
      }),
      contextWith(),
    );
    assert.deepEqual(evaluation.actions.slice(-3), [
      { type: 'deactivate' },
      { type: 'rename', to: 'JIRAUSER10002-bob-gone' },
      { type: 'add-groups', groups: ['jira-inactive-users'] },
    ]);
  });

  it('a leaver without a licence or other groups is still deactivated', () => {
    const evaluation = evaluateUser(userWith({ ...LEAVER, groups: [] }), policyWith(), contextWith());
    assert.deepEqual(evaluation.actions, [{ type: 'deactivate' }]);
    assert.ok(evaluation.reasons.some((r) => r.rule.includes('holds no licence')));
  });

  it('a disabled leaver: the reason names the directory and the attribute that decided', () => {
    const evaluation = evaluateUser(
      userWith({ directory: { status: 'disabled', source: 'okta-scim', attribute: 'active=false' } }),
      policyWith(),
      contextWith(),
    );
    assert.deepEqual(evaluation.reasons[0], {
      signal: 'directory',
      rule: 'disabled in okta-scim',
      value: 'active=false',
    });
  });

  it('a user in several skip groups is exempt with every group named', () => {
    const evaluation = evaluateUser(
      userWith({ groups: ['jira-administrators', 'Service-Accounts', 'jira-system-administrators'] }),
      policyWith({ skipGroups: ['jira-administrators', 'service-accounts'], skipUsers: ['alice'] }),
      contextWith(),
    );
    assert.deepEqual(evaluation.reasons, [
      {
        signal: 'group',
        rule: 'member of a skip group (skipGroups)',
        value: 'jira-administrators, Service-Accounts',
      },
      {
        signal: 'group',
        rule: 'member of a Jira administrators group (always exempt)',
        value: 'jira-system-administrators',
      },
      { signal: 'user', rule: 'listed in skipUsers', value: 'alice' },
    ]);
  });

  it('a directory that could not be believed is named with its reason in the plan', () => {
    const evaluation = evaluateUser(
      userWith({
        directory: { status: 'unknown', source: 'scim', reason: 'scim: 40.0% of 5000 Jira users absent' },
      }),
      policyWith(),
      contextWith(),
    );
    assert.equal(evaluation.verdict, 'keep');
    assert.deepEqual(evaluation.reasons[0], {
      signal: 'directory',
      rule: 'status in scim unknown, so not treated as a leaver',
      value: 'scim: 40.0% of 5000 Jira users absent',
    });
  });
});
