import { VERDICTS } from '../../services/policy/types.js';
import { daysSinceLogin } from '../../services/reports/inactive-report.js';
import type { PlanLine, Run } from '../../services/runs/types.js';
import {
  actionText,
  reasonsTable,
  count,
  queryString,
  VERDICT_LABELS,
  verdictBadge,
  when,
} from './format.js';
import { html, type Markup } from './html.js';
import { layout, type PageContext } from './layout.js';
import { applicationsOf, filterFields, type PlanQuery } from './plan-filter.js';

/** A run's plan: the filter form, a page of users, each with its reasons behind a disclosure. */
export function planPage(
  context: PageContext,
  run: Run,
  query: PlanQuery,
  page: { lines: PlanLine[]; nextCursor: string | null },
): string {
  const fields = filterFields(query);
  const asOf = new Date(run.asOf);
  const selected = query.verdict?.length === 1 ? query.verdict[0] : undefined;
  const body = html` <p><a href="/runs/${run.id}">Back to run ${run.id}</a> — as of ${when(run.asOf)}</p>
    <form
      method="get"
      action="/runs/${run.id}/plan"
      class="filters"
      role="search"
      aria-label="Filter the plan"
    >
      <div>
        <label for="f-verdict">Verdict</label>
        <select id="f-verdict" name="verdict">
          <option value="">any</option>
          ${VERDICTS.map((verdict) => html`<option value="${verdict}" ${verdict === selected ? html` selected` : ''}>${VERDICT_LABELS[verdict]}</option>`)}
          ${query.verdict && query.verdict.length > 1 ? html`<option value="${query.verdict.join(',')}" selected>${query.verdict.join(', ')}</option>` : ''}
        </select>
      </div>
      <div>
        <label for="f-application">Application</label>
        <select id="f-application" name="application">
          <option value="">any</option>
          ${applicationsOf(run).map((app) => html`<option value="${app}" ${app === query.application ? html` selected` : ''}>${app}</option>`)}
        </select>
      </div>
      <div>
        <label for="f-group">Group taken</label
        ><input id="f-group" name="group" value="${query.group ?? ''}" maxlength="255" />
      </div>
      <div>
        <label for="f-min">Days since last login, at least</label
        ><input
          id="f-min"
          name="minDays"
          type="number"
          min="0"
          inputmode="numeric"
          value="${query.minDays ?? ''}"
        />
      </div>
      <div>
        <label for="f-max">at most</label
        ><input
          id="f-max"
          name="maxDays"
          type="number"
          min="0"
          inputmode="numeric"
          value="${query.maxDays ?? ''}"
        />
      </div>
      <div>
        <label for="f-q">Name or e-mail</label
        ><input id="f-q" name="q" type="search" value="${query.q ?? ''}" maxlength="200" />
      </div>
      <div class="buttons">
        <button type="submit">Filter</button> <a href="/runs/${run.id}/plan">Clear</a>
      </div>
    </form>
    <p>
      <a href="/runs/${run.id}/plan.csv${queryString(fields)}" download>Download CSV</a> (every user of this
      filter)
    </p>
    ${
      page.lines.length === 0
        ? html`<p role="status">No user of this plan matches the filter.</p>`
        : html`<div class="scroll">
            <table class="plan">
              <caption>
                Users ${query.cursor ? '(continued)' : ''} — ${count(page.lines.length)} on this page
              </caption>
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">E-mail</th>
                  <th scope="col">Verdict</th>
                  <th scope="col">Last login</th>
                  <th scope="col">Planned actions</th>
                  <th scope="col">Why</th>
                </tr>
              </thead>
              <tbody>
                ${page.lines.map((line) => planRow(line, asOf))}
              </tbody>
            </table>
          </div>`
    }
    ${page.nextCursor ? html`<p><a rel="next" href="/runs/${run.id}/plan${queryString({ ...fields, cursor: page.nextCursor })}">Next page</a></p>` : ''}`;
  return layout(context, { title: `Plan of run ${run.id}`, section: 'runs', body });
}

function lastLoginCell(line: PlanLine, asOf: Date): Markup {
  if (line.lastLoginStatus === 'unknown') return html`<span class="muted">unknown</span>`;
  if (line.lastLogin === null) return html`never`;
  return html`${when(line.lastLogin)}<br /><span class="muted"
      >${count(daysSinceLogin(line, asOf))} days</span
    >`;
}

function planRow(line: PlanLine, asOf: Date): Markup {
  return html`<tr data-user="${line.name}">
    <th scope="row">
      <a href="/users/${encodeURIComponent(line.name)}">${line.name}</a
      >${line.displayName ? html`<br /><span class="muted">${line.displayName}</span>` : ''}${line.active ? '' : html`<br /><span class="muted">inactive in Jira</span>`}
    </th>
    <td>${line.emailAddress ?? '—'}</td>
    <td>${verdictBadge(line.verdict)}</td>
    <td>${lastLoginCell(line, asOf)}</td>
    <td>
      ${
        line.actions.length === 0
          ? html`<span class="muted">none</span>`
          : html`<ul class="plain">
              ${line.actions.map((a) => html`<li>${actionText(a)}</li>`)}
            </ul>`
      }
    </td>
    <td>
      <details>
        <summary>
          ${line.reasons.length} reason${line.reasons.length === 1 ? '' : 's'}<span class="visually-hidden">
            for ${line.name}</span
          >
        </summary>
        ${reasonsTable(line.reasons)}
      </details>
    </td>
  </tr>`;
}
