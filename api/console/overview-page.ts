import { html, jsonData, type Markup } from './html.js';
import { count, statusBadge, VERDICT_LABELS, when } from './format.js';
import { layout, type PageContext } from './layout.js';
import { SEATS_DAYS, type Overview } from './overview-data.js';

/** Overview: seats now and over 90 days, the last run at a glance, what is scheduled and on. */
export function overviewPage(context: PageContext, overview: Overview): string {
  const body = html` <section aria-labelledby="seats-h">
      <h2 id="seats-h">Seats per application</h2>
      ${overview.seats.length === 0 ? html`<p>No licence check has run yet: the licence monitor records the seats.</p>` : ''}
      <div class="cards">${overview.seats.map((series, index) => seatsCard(series, index))}</div>
    </section>

    ${lastRunSection(overview)}

    <section aria-labelledby="freed-h">
      <h2 id="freed-h">Licences freed by Reclaim</h2>
      <p class="figure">
        <strong data-figure="freed">${count(overview.freedTotal)}</strong> licences taken back,
        <strong data-figure="restored">${count(overview.restoredTotal)}</strong> given back (restores and
        undos), from the audit log.
      </p>
      ${
        overview.freed.length > 0
          ? html`<div
                class="chart"
                data-chart="freed"
                role="img"
                aria-label="Licences freed and given back over time, cumulative"
              ></div>
              <details>
                <summary>Licences freed, day by day</summary>
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Day</th>
                      <th scope="col" class="num">Freed (total)</th>
                      <th scope="col" class="num">Given back (total)</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${overview.freed.map(
                      (p) =>
                        html`<tr>
                          <td>${new Date(p.day * 1000).toISOString().slice(0, 10)}</td>
                          <td class="num">${count(p.freed)}</td>
                          <td class="num">${count(p.restored)}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>
              </details>`
          : html`<p>No licence has been taken back yet: an apply run does that.</p>`
      }
    </section>

    <section aria-labelledby="next-h" class="two">
      <div>
        <h2 id="next-h">Scheduled next</h2>
        ${
          overview.schedules.length === 0
            ? html`<p>Nothing is scheduled (the <code>schedule</code> setting is empty).</p>`
            : html`<table>
                <thead>
                  <tr>
                    <th scope="col">Schedule</th>
                    <th scope="col">Mode</th>
                    <th scope="col">Next run</th>
                  </tr>
                </thead>
                <tbody>
                  ${overview.schedules.map(
                    (s) =>
                      html`<tr>
                        <td>${s.name} <span class="muted">(${s.cron}, ${s.timezone})</span></td>
                        <td>${s.mode}</td>
                        <td>${s.next ? when(s.next) : 'not scheduled in the queue yet'}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>`
        }
      </div>
      <div>
        <h2 id="caps-h">Switched on</h2>
        <ul class="caps">
          <li>Restore on login: <strong>${overview.capabilities.restoreOnLogin ? 'on' : 'off'}</strong></li>
          <li>
            Grant a licence on login:
            <strong
              >${overview.capabilities.grantOnLogin.length > 0 ? overview.capabilities.grantOnLogin.join(', ') : 'off'}</strong
            >
          </li>
          <li>
            Brake: an apply run touching more than
            <strong>${count(overview.capabilities.brake.maxActions)}</strong> users or
            <strong>${overview.capabilities.brake.maxPercentOfUsers}%</strong> of them waits for approval
          </li>
          ${
            overview.capabilities.directories.length === 0
              ? html`<li>Directories: <strong>none</strong> (no leaver rule)</li>`
              : overview.capabilities.directories.map(
                  (d) =>
                    html`<li>
                      Directory <strong>${d.source}</strong>:
                      ${
                        d.state === undefined
                          ? 'no run has asked it yet'
                          : d.state.trusted
                            ? html`<span class="ok">breaker closed — believed</span>`
                            : html`<span class="bad">breaker open — not believed</span>`
                      }${d.state?.summary ? html` <span class="muted">(${d.state.summary})</span>` : d.state?.reason ? html` <span class="muted">(${d.state.reason})</span>` : ''}
                    </li>`,
                )
          }
        </ul>
      </div>
    </section>
    ${jsonData('overview-data', {
      seats: overview.seats.map((s) => ({ application: s.application, points: s.points })),
      login: overview.byLogin,
      freed: overview.freed,
    })}`;
  return layout(context, { title: 'Overview', section: 'overview', body, charts: true });
}

function seatsCard(series: Overview['seats'][number], index: number): Markup {
  const current = series.current;
  return html`<article class="card" aria-labelledby="seats-${index}">
    <h3 id="seats-${index}">${series.application}</h3>
    <p class="figure" data-seats="${series.application}">
      <strong>${count(current?.used)}</strong> used of
      <strong>${current ? (current.seats === null ? 'unlimited' : count(current.seats)) : '—'}</strong>${
        current?.usedPercent !== null && current?.usedPercent !== undefined
          ? html` (${current.usedPercent}%)`
          : ''
      }
    </p>
    <p class="muted">Last checked ${when(current?.at)}</p>
    <div
      class="chart"
      data-chart="seats"
      data-index="${index}"
      data-days="${SEATS_DAYS}"
      role="img"
      aria-label="${`Used seats of ${series.application} over the last ${SEATS_DAYS} days`}"
    ></div>
    <details>
      <summary>Readings, last ${SEATS_DAYS} days (${series.points.length})</summary>
      <table>
        <thead>
          <tr>
            <th scope="col">At</th>
            <th scope="col" class="num">Used</th>
            <th scope="col" class="num">Seats</th>
          </tr>
        </thead>
        <tbody>
          ${series.points.slice(-60).map(
            ([t, used, seats]) =>
              html`<tr>
                <td>${when(new Date(t * 1000).toISOString())}</td>
                <td class="num">${count(used)}</td>
                <td class="num">${seats === null ? 'unlimited' : count(seats)}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </details>
  </article>`;
}

function lastRunSection(overview: Overview): Markup {
  const run = overview.lastRun;
  if (!run)
    return html`<section aria-labelledby="last-h">
      <h2 id="last-h">Last run</h2>
      <p>No run has a plan yet. Start one with <code>reclaim scan</code>.</p>
    </section>`;
  const total = overview.byVerdict.reduce((sum, v) => sum + v.count, 0);
  return html`<section aria-labelledby="last-h">
    <h2 id="last-h">Last run: <a href="/runs/${run.id}">${run.id}</a></h2>
    <p>
      ${statusBadge(run.status)} ${run.mode}, as of ${when(run.asOf)} —
      <strong data-figure="evaluated">${count(total)}</strong> users.
    </p>
    <h3>Users by verdict</h3>
    <div
      class="stack"
      role="img"
      aria-label="${overview.byVerdict.map((v) => `${VERDICT_LABELS[v.verdict]} ${v.count}`).join(', ')}"
    >
      ${overview.byVerdict.map(
        (v) =>
          html`<span
            class="seg verdict-${v.verdict}"
            data-count="${v.count}"
            title="${VERDICT_LABELS[v.verdict]}: ${v.count}"
          ></span>`,
      )}
    </div>
    <ul class="legend">
      ${overview.byVerdict.map(
        (v) =>
          html`<li>
            <a href="/runs/${run.id}/plan?verdict=${v.verdict}"
              ><span class="swatch verdict-${v.verdict}"></span>${VERDICT_LABELS[v.verdict]}
              <strong data-verdict="${v.verdict}">${count(v.count)}</strong></a
            >
          </li>`,
      )}
    </ul>
    <h3>Users by days since their last login</h3>
    <div
      class="chart"
      data-chart="login"
      role="img"
      aria-label="${overview.byLogin.map((b) => `${b.label}: ${b.count}`).join(', ')}"
    ></div>
    <div class="scroll">
      <table class="compact">
        <caption class="visually-hidden">
          Users by days since their last login
        </caption>
        <thead>
          <tr>
            ${overview.byLogin.map((b) => html`<th scope="col">${b.label}</th>`)}
          </tr>
        </thead>
        <tbody>
          <tr>
            ${overview.byLogin.map((b) => html`<td class="num" data-bucket="${b.label}">${count(b.count)}</td>`)}
          </tr>
        </tbody>
      </table>
    </div>
  </section>`;
}
