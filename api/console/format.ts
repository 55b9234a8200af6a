import type { PlannedAction, Reason, Verdict } from '../../services/policy/types.js';
import type { RunStatus } from '../../services/runs/types.js';
import { html, type Markup } from './html.js';

/*
 * How the console writes dates, numbers, verdicts and statuses: the same words everywhere.
 */

export const VERDICT_LABELS: Record<Verdict, string> = {
  keep: 'keep',
  inactive: 'inactive',
  'never-logged-in': 'never logged in',
  'left-company': 'left company',
  exempt: 'exempt',
  'out-of-scope': 'out of scope',
  'already-inactive': 'already inactive',
  undetermined: 'undetermined',
};

/** An instant as `2026-11-29 08:00 UTC`; a dash when absent. */
export function when(iso: string | null | undefined): Markup {
  if (!iso) return html`—`;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return html`${iso}`;
  const text = `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return html`<time datetime="${date.toISOString()}">${text}</time>`;
}

export function count(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : n.toLocaleString('en-US');
}

export function statusBadge(status: RunStatus): Markup {
  return html`<span class="status status-${status}">${status}</span>`;
}

export function verdictBadge(verdict: Verdict): Markup {
  return html`<span class="verdict verdict-${verdict}">${VERDICT_LABELS[verdict]}</span>`;
}

export function actionText(action: PlannedAction): string {
  switch (action.type) {
    case 'revoke-license':
      return `revoke licence (${action.groups.join(', ')})`;
    case 'remove-groups':
      return `remove groups (${action.groups.join(', ')})`;
    case 'add-groups':
      return `add groups (${action.groups.join(', ')})`;
    case 'rename':
      return `rename to ${action.to}`;
    case 'deactivate':
      return 'deactivate';
  }
}

/** A link's query string from the given fields, empty ones left out. */
export function queryString(fields: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(fields))
    if (value !== undefined && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** A verdict's reasons as a table: the signal, the rule, the value and the threshold of each. */
export function reasonsTable(reasons: readonly Reason[], caption?: string): Markup {
  return html`<table class="reasons">
    ${
      caption === undefined
        ? ''
        : html`<caption>
            ${caption}
          </caption>`
    }
    <thead>
      <tr>
        <th scope="col">Signal</th>
        <th scope="col">Rule</th>
        <th scope="col">Value</th>
        <th scope="col">Threshold</th>
      </tr>
    </thead>
    <tbody>
      ${reasons.map(
        (r) =>
          html`<tr>
            <td>${r.signal}</td>
            <td>${r.rule}</td>
            <td>${r.value ?? '—'}</td>
            <td>${r.threshold ?? '—'}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}
