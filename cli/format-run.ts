import type { RunSummary } from '../services/reports/run-summary.js';
import type { Run } from '../services/runs/types.js';

const number = new Intl.NumberFormat('en-US');

function counts(record: Partial<Record<string, number>>): string {
  const entries = Object.entries(record).filter(([, n]) => (n ?? 0) > 0);
  return entries.length ? entries.map(([k, n]) => `${k} ${number.format(n!)}`).join(' · ') : 'none';
}

/** The run record as a person reads it on a terminal. */
export function formatRun(run: Run): string {
  const c = run.counters;
  const lines = [
    `Run ${run.id} — ${run.mode}, ${run.status}${run.statusReason ? ` (${run.statusReason})` : ''}`,
    `  trigger ${run.trigger.type}${run.trigger.by ? ` by ${run.trigger.by}` : ''}${run.trigger.schedule ? ` (${run.trigger.schedule})` : ''} · asOf ${run.asOf}${run.only ? ` · only ${run.only}` : ''} · policy ${run.policyHash.slice(0, 12)}`,
    `  users scanned ${number.format(c.scanned)}${c.total !== null ? ` of ${number.format(c.total)}` : ''} · evaluated ${number.format(c.evaluated)} · Jira requests ${number.format(c.jiraRequests)}`,
  ];
  if (run.jira)
    lines.push(
      `  Jira ${run.jira.version} (listing: ${run.jira.facts?.listing ?? '?'}, last login: ${run.jira.facts?.lastLoginSource ?? '?'})`,
    );
  for (const directory of run.directories ?? []) {
    lines.push(
      `  directory ${directory.source}: ${directory.trusted ? 'trusted' : 'NOT trusted'}${directory.reason || directory.summary ? ` — ${directory.reason ?? directory.summary}` : ''}`,
    );
  }
  for (const note of run.notes) lines.push(`  note: ${note}`);
  return lines.join('\n');
}

export function formatSummary(summary: RunSummary): string {
  const lines = [
    formatRun(summary.run),
    `  verdicts: ${counts(summary.byVerdict)}`,
    `  actions planned: ${counts(summary.byAction)}`,
    `  licences that would be freed: ${counts(summary.licencesFreed)}`,
  ];
  if (summary.run.mode === 'apply') {
    const c = summary.run.counters;
    lines.push(
      `  actions: done ${number.format(c.actionsDone)} · skipped ${number.format(c.actionsSkipped)} · not possible ${number.format(c.actionsNotPossible)} · failed ${number.format(c.actionsFailed)}`,
    );
    for (const e of summary.exceptions.slice(0, 10)) {
      lines.push(`    ${e.outcome} ×${number.format(e.count)}: ${e.reason || '(no reason given)'}`);
    }
  }
  if (summary.jiraRequestsPer1000Users !== null) {
    lines.push(`  Jira requests per 1,000 users: ${summary.jiraRequestsPer1000Users.toFixed(1)}`);
  }
  return lines.join('\n');
}
