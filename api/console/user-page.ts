import type { AuditEntry } from '../../services/audit/types.js';
import type { UserView } from '../../services/users/user-view.js';
import { actionText, reasonsTable, statusBadge, verdictBadge, when } from './format.js';
import { html, type Markup } from './html.js';
import { layout, type PageContext } from './layout.js';

/** A user: the facts Jira gives now, the verdict of every kept run, the audited changes. */
export function userPage(context: PageContext, view: UserView): string {
  const { jira, lastVerdict } = view;
  const login = jira.lastLogin;
  const body = html` <section aria-labelledby="facts-h">
      <h2 id="facts-h">Facts from Jira</h2>
      <dl class="facts">
        <div>
          <dt>Username</dt>
          <dd data-fact="name">${jira.name}</dd>
        </div>
        <div>
          <dt>Key</dt>
          <dd><code>${jira.key}</code></dd>
        </div>
        <div>
          <dt>Display name</dt>
          <dd>${jira.displayName ?? '—'}</dd>
        </div>
        <div>
          <dt>E-mail</dt>
          <dd>${jira.emailAddress ?? '—'}</dd>
        </div>
        <div>
          <dt>Active</dt>
          <dd data-fact="active">${jira.active ? 'yes' : 'no'}</dd>
        </div>
        <div>
          <dt>Last login</dt>
          <dd>
            ${login.status === 'known' ? when(login.at.toISOString()) : login.status === 'never' ? 'never' : html`unknown <span class="muted">(${login.reason})</span>`}
          </dd>
        </div>
        <div>
          <dt>Groups</dt>
          <dd>${jira.groups.length === 0 ? '—' : jira.groups.join(', ')}</dd>
        </div>
      </dl>
    </section>
    ${
      lastVerdict
        ? html`<section aria-labelledby="last-h">
            <h2 id="last-h">Last verdict</h2>
            <p>
              ${verdictBadge(lastVerdict.verdict)} in
              <a href="/runs/${lastVerdict.runId}">${lastVerdict.runId}</a>, as of ${when(lastVerdict.asOf)}
            </p>
            ${reasonsTable(lastVerdict.reasons, 'Reasons')}
            ${lastVerdict.actions.length > 0 ? html`<p>Planned: ${lastVerdict.actions.map(actionText).join('; ')}</p>` : ''}
          </section>`
        : ''
    }
    <section aria-labelledby="history-h">
      <h2 id="history-h">Verdict across runs</h2>
      ${
        view.runs.length === 0
          ? html`<p>No kept run has a line for this user.</p>`
          : html`<div class="scroll">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Run</th>
                    <th scope="col">As of</th>
                    <th scope="col">Mode</th>
                    <th scope="col">Status</th>
                    <th scope="col">Verdict</th>
                  </tr>
                </thead>
                <tbody>
                  ${view.runs.map(
                    (r) =>
                      html`<tr data-history="${r.runId}">
                        <th scope="row"><a href="/runs/${r.runId}">${r.runId}</a></th>
                        <td>${when(r.asOf)}</td>
                        <td>${r.mode}</td>
                        <td>${statusBadge(r.status)}</td>
                        <td>${verdictBadge(r.verdict)}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
      }
    </section>
    <section aria-labelledby="actions-h">
      <h2 id="actions-h">Actions and restores</h2>
      ${view.actions.length === 0 ? html`<p>Reclaim has changed nothing of this user.</p>` : auditTable(view.actions, false)}
      <p><a href="/audit?userKey=${encodeURIComponent(jira.key)}">In the audit log</a></p>
    </section>`;
  return layout(context, { title: `User ${jira.name}`, section: '', body });
}

/** Audit entries as a table, newest or oldest first as given; each with its details behind a disclosure. */
export function auditTable(entries: AuditEntry[], withUser = true): Markup {
  return html`<div class="scroll">
    <table class="audit">
      <thead>
        <tr>
          <th scope="col">Entry</th>
          <th scope="col">At</th>
          <th scope="col">Action</th>
          <th scope="col">Outcome</th>
          ${withUser ? html`<th scope="col">User</th>` : ''}
          <th scope="col">Run</th>
          <th scope="col">By</th>
          <th scope="col">Details</th>
        </tr>
      </thead>
      <tbody>
        ${entries.map(
          (e) =>
            html`<tr data-entry="${e.id}">
              <th scope="row"><code>${e.id.replace(/^0+(?=\d)/, '')}</code></th>
              <td>${when(e.at)}</td>
              <td>${e.action}</td>
              <td><span class="outcome outcome-${e.outcome}">${e.outcome}</span></td>
              ${
                withUser
                  ? html`<td><a href="/users/${encodeURIComponent(e.user.name)}">${e.user.name}</a></td>`
                  : ''
              }
              <td><a href="/runs/${e.runId}">${e.runId}</a></td>
              <td>${e.actor}</td>
              <td>
                ${
                  e.reason || (e.notes?.length ?? 0) > 0 || e.changes.length > 0
                    ? html`<details>
                        <summary>
                          ${e.reason ?? `${e.changes.length} change${e.changes.length === 1 ? '' : 's'}`}
                        </summary>
                        ${
                          (e.notes ?? []).length > 0
                            ? html`<ul class="plain">
                                ${(e.notes ?? []).map((n) => html`<li>${n}</li>`)}
                              </ul>`
                            : ''
                        }
                        ${e.changes.length > 0 ? html`<pre>${JSON.stringify(e.changes, null, 1)}</pre>` : ''}
                        ${e.undoOf ? html`<p>Undoes entry ${e.undoOf}</p>` : ''}
                      </details>`
                    : ''
                }
              </td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}
