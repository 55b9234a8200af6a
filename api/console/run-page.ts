import { isFinal } from '../../services/runs/run-status.js';
import type { Run } from '../../services/runs/types.js';
import { VERDICTS } from '../../services/policy/types.js';
import { count, statusBadge, VERDICT_LABELS, when } from './format.js';
import { html, type Markup } from './html.js';
import { layout, type PageContext } from './layout.js';

export type RunAction = 'approve' | 'cancel' | 'undo';

const ACTION_TEXT: Record<RunAction, { button: string; confirm: string; done: string }> = {
  approve: {
    button: 'Approve',
    confirm: 'I have read the plan and the brake’s reason: apply it to Jira',
    done: 'Approved: the run is applying its plan.',
  },
  cancel: {
    button: 'Cancel the run',
    confirm: 'Cancel this run: nothing more of its plan is carried out',
    done: 'Cancelled.',
  },
  undo: {
    button: 'Undo the run',
    confirm: 'Undo every action of this run in Jira',
    done: 'The undo is queued: the audit log shows each action undone.',
  },
};

export function doneMessage(action: string | undefined): string | undefined {
  return action && action in ACTION_TEXT ? ACTION_TEXT[action as RunAction].done : undefined;
}

/** What an operator may do to the run now. */
export function actionsFor(run: Run): RunAction[] {
  const actions: RunAction[] = [];
  if (run.status === 'awaiting-approval') actions.push('approve');
  if (!isFinal(run.status)) actions.push('cancel');
  if (run.mode === 'apply' && isFinal(run.status) && run.counters.actionsDone > 0) actions.push('undo');
  return actions;
}

/** One run: its status and why, counters, notes, the directories' verdicts; an operator's buttons. */
export function runPage(context: PageContext, run: Run, flash: string | undefined): string {
  const operator = context.caller.role !== 'viewer' && context.csrf !== undefined;
  const actions = operator ? actionsFor(run) : [];
  const v = run.counters.byVerdict;
  const body = html` ${flash ? html`<p role="status" class="flash">${flash}</p>` : ''}
    <p>
      ${statusBadge(run.status)} <strong>${run.mode}</strong> run, as of ${when(run.asOf)}, started by
      ${run.trigger.type}${run.trigger.by ? ` (${run.trigger.by})` : ''}.
    </p>
    ${
      run.status === 'awaiting-approval'
        ? html`<div class="held" role="note">
            <h2>Held by the brake</h2>
            <p data-reason>${run.statusReason ?? 'no reason recorded'}</p>
          </div>`
        : run.statusReason
          ? html`<p class="reason"><strong>Why:</strong> <span data-reason>${run.statusReason}</span></p>`
          : ''
    }
    ${
      actions.length > 0
        ? html`<section aria-labelledby="act-h" class="actions">
            <h2 id="act-h">Act on this run</h2>
            ${actions.map((a) => actionForm(run, a, context.csrf!))}
          </section>`
        : ''
    }
    <p>
      <a href="/runs/${run.id}/plan" class="button">The plan</a>
      <a href="/audit?runId=${run.id}" class="button">Its audit entries</a>
    </p>

    <section aria-labelledby="counts-h">
      <h2 id="counts-h">Counters</h2>
      <dl class="counters">
        <div>
          <dt>Users</dt>
          <dd data-counter="total">${count(run.counters.total ?? run.counters.scanned)}</dd>
        </div>
        <div>
          <dt>Evaluated</dt>
          <dd data-counter="evaluated">${count(run.counters.evaluated)}</dd>
        </div>
        <div>
          <dt>Actions done</dt>
          <dd data-counter="actionsDone">${count(run.counters.actionsDone)}</dd>
        </div>
        <div>
          <dt>Failed</dt>
          <dd data-counter="actionsFailed">${count(run.counters.actionsFailed)}</dd>
        </div>
        <div>
          <dt>Skipped</dt>
          <dd>${count(run.counters.actionsSkipped)}</dd>
        </div>
        <div>
          <dt>Not possible</dt>
          <dd>${count(run.counters.actionsNotPossible)}</dd>
        </div>
        <div>
          <dt>Jira requests</dt>
          <dd>${count(run.counters.jiraRequests)}</dd>
        </div>
      </dl>
      <h3>By verdict</h3>
      <ul class="legend">
        ${VERDICTS.filter((verdict) => (v[verdict] ?? 0) > 0).map(
          (verdict) =>
            html`<li>
              <a href="/runs/${run.id}/plan?verdict=${verdict}"
                ><span class="swatch verdict-${verdict}"></span>${VERDICT_LABELS[verdict]}
                <strong data-verdict="${verdict}">${count(v[verdict])}</strong></a
              >
            </li>`,
        )}
      </ul>
    </section>

    <section aria-labelledby="dirs-h">
      <h2 id="dirs-h">Directories</h2>
      ${
        (run.directories ?? []).length === 0
          ? html`<p>No external directory was asked in this run.</p>`
          : html`<div class="scroll">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Source</th>
                    <th scope="col">Verdict of the breaker</th>
                    <th scope="col" class="num">Asked</th>
                    <th scope="col" class="num">Absent</th>
                    <th scope="col" class="num">Disabled</th>
                    <th scope="col">Summary</th>
                  </tr>
                </thead>
                <tbody>
                  ${(run.directories ?? []).map(
                    (d) =>
                      html`<tr>
                        <th scope="row">${d.source}</th>
                        <td>
                          ${d.trusted ? html`<span class="ok">believed</span>` : html`<span class="bad">not believed</span>${d.reason ? `: ${d.reason}` : ''}`}
                        </td>
                        <td class="num">${count(d.asked)}</td>
                        <td class="num">
                          ${count(d.absent)}${d.absentPercent !== undefined ? ` (${d.absentPercent.toFixed(1)}%)` : ''}
                        </td>
                        <td class="num">${count(d.disabled)}</td>
                        <td>${d.summary ?? ''}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
      }
    </section>

    <section aria-labelledby="notes-h">
      <h2 id="notes-h">Notes</h2>
      ${
        run.notes.length === 0
          ? html`<p>No notes.</p>`
          : html`<ul class="notes">
              ${run.notes.map((note) => html`<li>${note}</li>`)}
            </ul>`
      }
    </section>

    <section aria-labelledby="times-h">
      <h2 id="times-h">Timeline</h2>
      <dl class="times">
        <div>
          <dt>Created</dt>
          <dd>${when(run.createdAt)}</dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd>${when(run.startedAt)}</dd>
        </div>
        <div>
          <dt>Planned</dt>
          <dd>${when(run.plannedAt)}</dd>
        </div>
        <div>
          <dt>Finished</dt>
          <dd>${when(run.finishedAt)}</dd>
        </div>
        <div>
          <dt>Policy</dt>
          <dd><code>${run.policyHash.slice(0, 12)}</code></dd>
        </div>
        ${
          run.jira
            ? html`<div>
                <dt>Jira</dt>
                <dd>${run.jira.version}${run.jira.profile ? ` (${run.jira.profile})` : ''}</dd>
              </div>`
            : ''
        }
      </dl>
    </section>`;
  return layout(context, { title: `Run ${run.id}`, section: 'runs', body });
}

/**
 * An action is a form: POST, the session's token, and a box to tick, which the browser asks
 * for (required) and the server checks again, so a stray click or Enter never acts.
 */
function actionForm(run: Run, action: RunAction, csrf: string): Markup {
  const text = ACTION_TEXT[action];
  return html`<form method="post" action="/runs/${run.id}/${action}" class="action action-${action}">
    <input type="hidden" name="csrf" value="${csrf}" />
    <p>
      <input type="checkbox" id="confirm-${action}" name="confirm" value="yes" required />
      <label for="confirm-${action}">${text.confirm}</label>
    </p>
    <button type="submit" name="action" value="${action}">${text.button}</button>
  </form>`;
}
