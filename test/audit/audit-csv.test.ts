import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { auditCsv, AUDIT_CSV_COLUMNS } from '../../services/audit/audit-csv.js';
import type { AuditEntry } from '../../services/audit/types.js';

function entry(overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id: '000000000001',
    at: '2026-11-29T10:00:00.000Z',
    runId: 'run-1',
    actionId: 'run-1-JIRAUSER1-revoke-license',
    actor: 'schedule:weekly',
    action: 'revoke-license',
    user: { key: 'JIRAUSER1', name: 'alice' },
    before: { key: 'JIRAUSER1', name: 'alice', active: true, groups: ['jira-software-users'] },
    after: { key: 'JIRAUSER1', name: 'alice', active: true, groups: [] },
    outcome: 'done',
    changes: [{ op: 'remove-group', group: 'jira-software-users' }],
    idempotencyKey: 'run-1-JIRAUSER1-revoke-license',
    prevHash: '0'.repeat(64),
    hash: 'a'.repeat(64),
    ...overrides,
  };
}

async function csvText(entries: AuditEntry[]): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of auditCsv(entries)) chunks.push(Buffer.from(chunk as string));
  return Buffer.concat(chunks).toString('utf8');
}

describe('audit CSV', () => {
  it('writes the documented columns, snapshots as JSON', async () => {
    const rows = parse(await csvText([entry()]), { columns: true }) as Record<string, string>[];
    assert.deepEqual(Object.keys(rows[0]!), [...AUDIT_CSV_COLUMNS]);
    assert.equal(rows[0]!.username, 'alice');
    assert.equal(rows[0]!.outcome, 'done');
    assert.deepEqual(JSON.parse(rows[0]!.before!), {
      active: true,
      groups: ['jira-software-users'],
      key: 'JIRAUSER1',
      name: 'alice',
    });
  });

  it('neutralises cells a spreadsheet would run as a formula', async () => {
    const evil = entry({
      user: { key: 'JIRAUSER2', name: '=HYPERLINK("http://evil")' },
      actor: '@admin',
      reason: '-1+1',
      notes: ['group x no longer exists'],
      before: null,
      after: null,
    });
    const rows = parse(await csvText([evil]), { columns: true }) as Record<string, string>[];
    assert.equal(rows[0]!.username, `'=HYPERLINK("http://evil")`);
    assert.equal(rows[0]!.actor, "'@admin");
    assert.equal(rows[0]!.reason, "'-1+1;group x no longer exists");
    assert.equal(rows[0]!.before, '');
  });
});
