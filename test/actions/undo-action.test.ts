import assert from 'node:assert/strict';
import { orderForUndo } from '../../services/actions/action-order.js';
import { auditEntryForAction, auditEntryForUndo } from '../../services/actions/audit-entry.js';
import { executeAction } from '../../services/actions/execute-action.js';
import { undoAction } from '../../services/actions/undo-action.js';
import { AuditLog } from '../../services/audit/audit-log.js';
import type { AuditEntry } from '../../services/audit/types.js';
import { JiraDataCenterClient } from '../../services/jira/client.js';
import { startSimulator, type RunningSimulator } from '../../simulator/index.js';
import { openTestRecords, type TestRecords } from '../support/records.js';
import { ACTIONS_FIXTURE } from './fixture.js';
import { requestsFor, restorable, simPost, simState } from './harness.js';

const ACTOR = 'test:apply';

describe('undoing actions against the simulated Jira', () => {
  let sim: RunningSimulator;
  let jira: JiraDataCenterClient;
  let records: TestRecords;
  let audit: AuditLog;
  let round = 0;

  before(async () => {
    sim = await startSimulator({ fixture: ACTIONS_FIXTURE });
    jira = new JiraDataCenterClient({ baseUrl: sim.url, token: 'sim-token', retryBaseDelayMs: 10 });
    records = await openTestRecords('actions_undo');
    audit = new AuditLog(records.db);
  });
  after(async () => {
    await jira.close();
    await sim.close();
    await records.close();
  });
  beforeEach(async () => {
    await simPost(sim.url, '/__sim/reset');
    // Action ids carry the test's round, so a test never finds another test's entries.
    round++;
  });

  /** Applies the user's plan the way an action job does: execute, then log. */
  async function applyAndLog(username: string): Promise<AuditEntry[]> {
    const entries: AuditEntry[] = [];
    for (const request of requestsFor(username)) {
      const tagged = { ...request, actionId: `${request.actionId}-r${round}` };
      const result = await executeAction({ jira }, tagged);
      entries.push(await audit.append(auditEntryForAction(tagged, result, ACTOR)));
    }
    return entries;
  }

  async function undoAll(entries: AuditEntry[]): Promise<AuditEntry[]> {
    const undone: AuditEntry[] = [];
    for (const entry of orderForUndo(entries)) {
      const result = await undoAction({ jira }, entry);
      undone.push(await audit.append(auditEntryForUndo(entry, result, { actor: ACTOR })));
    }
    return undone;
  }

  it('restores a leaver exactly: groups, active and name', async () => {
    const before = restorable(await simState(sim.url, 'leo'));
    const entries = await applyAndLog('leo');
    assert.equal((await simState(sim.url, 'leo_inactive_20261129')).active, false);

    const undone = await undoAll(entries);
    assert.deepEqual(
      undone.map((entry) => [entry.action, entry.outcome]),
      [
        ['undo:rename', 'done'],
        ['undo:deactivate', 'done'],
        ['undo:remove-groups', 'done'],
        ['undo:revoke-license', 'done'],
      ],
    );
    assert.deepEqual(undone[0]!.changes, [
      { op: 'update', field: 'name', from: 'leo_inactive_20261129', to: 'leo' },
    ]);
    assert.equal(undone[0]!.undoOf, entries[3]!.id);
    const after = await simState(sim.url, 'leo');
    assert.deepEqual(restorable(after), before);
    assert.equal(after.mutations, 10);
    assert.deepEqual(await audit.verify(), { ok: true, count: await audit.count() });
  });

  it('restores inactive and never-logged-in users exactly', async () => {
    for (const user of ['ivan', 'nina']) {
      const before = restorable(await simState(sim.url, user));
      await undoAll(await applyAndLog(user));
      assert.deepEqual(restorable(await simState(sim.url, user)), before, user);
    }
  });

  it('an undo run twice changes nothing the second time', async () => {
    const entries = await applyAndLog('leo');
    for (const entry of entries) await undoAction({ jira }, entry);
    const restored = await simState(sim.url, 'leo');
    for (const entry of entries) {
      const again = await undoAction({ jira }, entry);
      assert.equal(again.outcome, 'done');
      assert.deepEqual(again.changes, []);
    }
    assert.deepEqual(await simState(sim.url, 'leo'), restored);
  });

  it('a retried undo logs once', async () => {
    const [revoke] = await applyAndLog('ivan');
    const first = await audit.append(
      auditEntryForUndo(revoke!, await undoAction({ jira }, revoke!), { actor: ACTOR }),
    );
    const retried = await audit.append(
      auditEntryForUndo(revoke!, await undoAction({ jira }, revoke!), { actor: ACTOR }),
    );
    assert.deepEqual(retried, first);
    assert.deepEqual(await audit.findByKey(`${revoke!.actionId}:undo`), first);
  });

  it('does not rename back onto a username someone else took meanwhile', async () => {
    const entries = await applyAndLog('otto');
    await jira.updateUser('sam', { name: 'otto' });
    const rename = entries.find((entry) => entry.action === 'rename')!;
    const result = await undoAction({ jira }, rename);
    assert.equal(result.outcome, 'not-possible');
    assert.match(result.reason!, /the old username otto now belongs to another user \(key JIRAUSER20009\)/);
    assert.deepEqual(result.changes, []);
    const renamed = await simState(sim.url, 'otto_inactive_20261129');
    assert.equal(renamed.key, 'JIRAUSER20008');
    assert.equal((await simState(sim.url, 'otto')).key, 'JIRAUSER20009');
  });

  it('does not rename back a user renamed again since', async () => {
    const entries = await applyAndLog('otto');
    await jira.updateUser({ key: 'JIRAUSER20008' }, { name: 'otto.archived' });
    const result = await undoAction(
      { jira },
      entries.find((entry) => entry.action === 'rename')!,
    );
    assert.equal(result.outcome, 'not-possible');
    assert.match(result.reason!, /renamed again since \(now otto\.archived/);
    assert.equal((await simState(sim.url, 'otto.archived')).key, 'JIRAUSER20008');
  });

  it('has nothing to undo for an action that was not possible', async () => {
    const entries = await applyAndLog('lara');
    const deactivate = entries.find((entry) => entry.action === 'deactivate')!;
    assert.equal(deactivate.outcome, 'not-possible');
    const result = await undoAction({ jira }, deactivate);
    assert.equal(result.outcome, 'skipped');
    const groupsBack = await undoAction(
      { jira },
      entries.find((entry) => entry.action === 'revoke-license')!,
    );
    assert.equal(groupsBack.outcome, 'done');
    assert.deepEqual((await simState(sim.url, 'lara')).groups, ['jira-software-users']);
  });
});
