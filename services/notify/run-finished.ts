import type { NotifyConfig } from '../../config/schema.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { PlanStore } from '../runs/plan-store.js';
import type { RunStore } from '../runs/run-store.js';
import type { MailOutbox } from './outbox.js';

export interface RunFinishedDeps {
  notify: NotifyConfig;
  runs: RunStore;
  plans: PlanStore;
  audit: AuditLog;
  outbox: MailOutbox;
}

/**
 * A run has ended: its summary goes to the admins (the only mail of a dry run), and with
 * `notify.noticeToOffboarded` each leaver whose access an apply run took is told.
 */
export async function mailOnRunFinished(deps: RunFinishedDeps, runId: string): Promise<void> {
  await deps.outbox.runSummary(runId);
  if (!deps.notify.noticeToOffboarded) return;
  const run = await deps.runs.get(runId);
  if (!run || run.mode !== 'apply' || run.status !== 'done' || !run.counters.byVerdict['left-company'])
    return;
  // Only the users an action was actually carried out on (the audit log), not every planned one.
  const touched = new Set<string>();
  for await (const entry of deps.audit.stream({ runId })) {
    if (entry.outcome === 'done' && !entry.action.startsWith('undo:')) touched.add(entry.user.key);
  }
  for await (const line of deps.plans.stream(runId, { verdict: 'left-company' })) {
    if (!line.emailAddress || !touched.has(line.key)) continue;
    await deps.outbox.offboarded({
      runId,
      user: {
        key: line.key,
        name: line.name,
        emailAddress: line.emailAddress,
        ...(line.displayName ? { displayName: line.displayName } : {}),
      },
    });
  }
}
