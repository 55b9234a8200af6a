import type { NotifyConfig } from '../../config/schema.js';
import type { MailMessage } from '../../queues/payloads.js';
import type { AuditLog } from '../audit/audit-log.js';
import { summarizeRun, type RunSummary } from '../reports/run-summary.js';
import type { PlanStore } from '../runs/plan-store.js';
import type { RunStore } from '../runs/run-store.js';
import { escapeHtml, type MailTemplates, type TemplateValues, fill } from './templates.js';

/*
 * From a queued message to the mail that goes out: recipients, subject, text and HTML. The
 * run summary is read when the mail is composed, so a retry after an outage reports the run
 * as it ended, not as it was when the mail was queued.
 */

export interface ComposedMail {
  to: string[];
  subject: string;
  text: string;
  html: string;
}

export interface ComposeDeps {
  notify: NotifyConfig;
  templates: MailTemplates;
  runs: RunStore;
  plans: PlanStore;
  audit: AuditLog;
}

/** Null: the message has no one to go to (no admins configured, the run is gone). */
export async function composeMail(deps: ComposeDeps, message: MailMessage): Promise<ComposedMail | null> {
  const { notify, templates } = deps;
  const subjectOf = (template: string, values: TemplateValues) => fill(template, values).replace(/\s+/g, ' ');
  switch (message.kind) {
    case 'run-summary': {
      if (notify.admins.length === 0) return null;
      const run = await deps.runs.get(message.runId);
      if (!run) return null;
      const summary = await summarizeRun(deps.plans, run, deps.audit);
      const values = runSummaryValues(summary, notify.publicUrl);
      return {
        to: [...notify.admins],
        subject: subjectOf(notify.subjects.runSummary, values),
        ...templates.render('runSummary', values),
      };
    }
    case 'alert': {
      if (notify.admins.length === 0) return null;
      const { alert } = message;
      const values = { subject: alert.subject, text: alert.text, alertId: alert.id, alertKind: alert.kind };
      return {
        to: [...notify.admins],
        subject: subjectOf(notify.subjects.alert, values),
        ...templates.render('alert', values),
      };
    }
    case 'warning': {
      const values = {
        ...userValues(message.user),
        lastLogin: message.lastLogin ?? 'never',
        lastLoginDate: message.lastLogin ? message.lastLogin.slice(0, 10) : 'never',
        warnedAt: message.warnedAt,
        graceUntil: message.graceUntil,
        graceUntilDate: message.graceUntil.slice(0, 10),
      };
      return {
        to: [message.user.emailAddress],
        subject: subjectOf(notify.subjects.warning, values),
        ...templates.render('warning', values),
      };
    }
    case 'offboarded': {
      const values = { ...userValues(message.user), runId: message.runId };
      return {
        to: [message.user.emailAddress],
        subject: subjectOf(notify.subjects.offboarded, values),
        ...templates.render('offboarded', values),
      };
    }
  }
}

function userValues(user: { name: string; displayName?: string | undefined; emailAddress: string }) {
  return { username: user.name, displayName: user.displayName ?? user.name, email: user.emailAddress };
}

/** The plan of a run, for a link in mail; null without `notify.publicUrl`. */
export function planUrl(publicUrl: string | null, runId: string): string | null {
  if (publicUrl === null) return null;
  return `${publicUrl.replace(/\/+$/, '')}/api/runs/${encodeURIComponent(runId)}/plan`;
}

function list(lines: string[], empty: string): { text: string; html: string } {
  if (lines.length === 0) return { text: `  ${empty}`, html: `<p>${escapeHtml(empty)}</p>` };
  return {
    text: lines.map((line) => `  ${line}`).join('\n'),
    html: `<ul>\n${lines.map((line) => `      <li>${escapeHtml(line)}</li>`).join('\n')}\n    </ul>`,
  };
}

export function runSummaryValues(summary: RunSummary, publicUrl: string | null): TemplateValues {
  const { run } = summary;
  const verdicts = list(
    Object.entries(summary.byVerdict).map(([verdict, count]) => `${verdict}: ${count}`),
    'no users evaluated',
  );
  const licences = list(
    Object.entries(summary.licencesFreed).map(([application, count]) => `${application}: ${count}`),
    'no managed application',
  );
  const failures = list(
    summary.exceptions
      .filter((e) => e.outcome === 'failed')
      .map((e) => `${e.count} × ${e.reason || 'no reason recorded'}`),
    run.mode === 'dry-run' ? 'none (a dry run changes nothing)' : 'none',
  );
  const url = planUrl(publicUrl, run.id);
  const notes = run.notes.length > 0 ? `Notes:\n${run.notes.map((n) => `  - ${n}`).join('\n')}` : '';
  return {
    runId: run.id,
    mode: run.mode,
    status: run.status,
    statusReason: run.statusReason ?? '',
    asOf: run.asOf,
    startedAt: run.startedAt ?? run.createdAt,
    finishedAt: run.finishedAt ?? run.updatedAt,
    evaluated: run.counters.evaluated,
    freedWord: run.mode === 'dry-run' ? 'that would be freed' : 'freed',
    verdictLines: verdicts.text,
    verdictListHtml: verdicts.html,
    licenceLines: licences.text,
    licenceListHtml: licences.html,
    failureLines: failures.text,
    failureListHtml: failures.html,
    planUrl: url ?? `reclaim plan ${run.id} (set notify.publicUrl for a link)`,
    planLinkHtml:
      url === null
        ? `<code>reclaim plan ${escapeHtml(run.id)}</code> (set notify.publicUrl for a link)`
        : `<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>`,
    notesBlock: notes,
    notesHtml:
      run.notes.length > 0
        ? `<h3>Notes</h3>\n    <ul>${run.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`
        : '',
  };
}
