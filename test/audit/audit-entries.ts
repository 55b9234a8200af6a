import type { NewAuditEntry } from '../../services/audit/types.js';

/* Audit entries for the audit log tests: a revoke-license of one user per action id. */

export function revokeEntry(actionId: string, runId = 'run-audit-1'): NewAuditEntry {
  return {
    runId,
    actionId,
    actor: 'schedule:weekly',
    action: 'revoke-license',
    user: { key: `JIRAUSER-${actionId}`, name: `user-${actionId}` },
    before: {
      key: `JIRAUSER-${actionId}`,
      name: `user-${actionId}`,
      active: true,
      groups: ['developers', 'jira-software-users'],
    },
    after: { key: `JIRAUSER-${actionId}`, name: `user-${actionId}`, active: true, groups: ['developers'] },
    outcome: 'done',
    changes: [{ op: 'remove-group', group: 'jira-software-users' }],
  };
}
