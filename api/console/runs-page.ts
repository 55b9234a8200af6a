import type { Run } from '../../services/runs/types.js';
import { count, queryString, statusBadge, when } from './format.js';
import { html } from './html.js';
import { layout, type PageContext } from './layout.js';

/** The runs, newest first, a page at a time, with their counters. */
export function runsPage(context: PageContext, runs: Run[], next: string | null, limit: number): string {
  const body = html` ${
    runs.length === 0
      ? html`<p>No runs yet. Start one with <code>reclaim scan</code> or <code>POST /api/runs</code>.</p>`
      : html`<div class="scroll">
          <table class="runs">
            <caption>
              Runs, newest first
            </caption>
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Status</th>
                <th scope="col">Mode</th>
                <th scope="col">As of</th>
                <th scope="col" class="num">Users</th>
                <th scope="col" class="num">Reclaimable</th>
                <th scope="col" class="num">Actions done</th>
                <th scope="col" class="num">Failed</th>
                <th scope="col">Trigger</th>
              </tr>
            </thead>
            <tbody>
              ${runs.map((run) => {
                const v = run.counters.byVerdict;
                const reclaimable =
                  (v.inactive ?? 0) + (v['never-logged-in'] ?? 0) + (v['left-company'] ?? 0);
                return html`<tr data-run="${run.id}">
                  <th scope="row"><a href="/runs/${run.id}">${run.id}</a></th>
                  <td>${statusBadge(run.status)}</td>
                  <td>${run.mode}</td>
                  <td>${when(run.asOf)}</td>
                  <td class="num">${count(run.counters.total ?? run.counters.scanned)}</td>
                  <td class="num">${count(reclaimable)}</td>
                  <td class="num">${count(run.counters.actionsDone)}</td>
                  <td class="num">${count(run.counters.actionsFailed)}</td>
                  <td>
                    ${run.trigger.type}${run.trigger.by ? ` (${run.trigger.by})` : ''}${run.trigger.schedule ? ` (${run.trigger.schedule})` : ''}
                  </td>
                </tr>`;
              })}
            </tbody>
          </table>
        </div>`
  }
  ${next ? html`<p><a href="/runs${queryString({ before: next, limit })}" rel="next">Older runs</a></p>` : ''}`;
  return layout(context, { title: 'Runs', section: 'runs', body });
}
