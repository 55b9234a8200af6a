import { z } from 'zod';
import type { AuditLog } from '../../services/audit/audit-log.js';
import type { AuditEntry, AuditVerification } from '../../services/audit/types.js';
import { ACTION_TYPES } from '../../services/policy/types.js';
import { printableText } from '../printable-text.js';
import { count, queryString } from './format.js';
import { html } from './html.js';
import { layout, type PageContext } from './layout.js';
import { auditTable } from './user-page.js';

const CHANGES = [...ACTION_TYPES, 'update-user', 'restore', 'grant'] as const;
const ACTIONS = [...CHANGES, ...CHANGES.map((c) => `undo:${c}` as const)];
const OUTCOMES = ['done', 'failed', 'skipped', 'not-possible'] as const;
/** Entries shown per page, and the most read to fill one when a filter passes few. */
const SHOWN = 50;
const SCAN_LIMIT = 5_000;
const READ_PAGE = 500;

export const auditPageQuery = z.object({
  runId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,100}$/, { error: 'expected a run id' })
    .optional(),
  userKey: z
    .string()
    .min(1)
    .max(255)
    .refine(printableText, { error: 'expected a user key without control characters' })
    .optional(),
  action: z.enum(ACTIONS, { error: `expected one of ${ACTIONS.join(', ')}` }).optional(),
  outcome: z.enum(OUTCOMES, { error: `expected one of ${OUTCOMES.join(', ')}` }).optional(),
  fromId: z
    .string()
    .regex(/^\d{1,12}$/, { error: 'expected an audit entry id' })
    .optional(),
});
export type AuditPageQuery = z.infer<typeof auditPageQuery>;

export interface AuditSlice {
  entries: AuditEntry[];
  /** Where the next page starts, or null at the end of the log. */
  nextFromId: string | null;
  /** Entries read to find these (a filter on action or outcome reads past those it skips). */
  read: number;
}

/** A page of the log from `fromId`, filtered by run or user in the store and by action or outcome here. */
export async function auditSlice(audit: AuditLog, query: AuditPageQuery): Promise<AuditSlice> {
  const entries: AuditEntry[] = [];
  let fromId = query.fromId;
  let read = 0;
  for (;;) {
    const page = await audit.entries({
      ...(query.runId ? { runId: query.runId } : {}),
      ...(query.userKey ? { userKey: query.userKey } : {}),
      ...(fromId ? { fromId } : {}),
      limit: READ_PAGE,
    });
    for (let i = 0; i < page.entries.length; i++) {
      const entry = page.entries[i]!;
      read += 1;
      if (query.action && entry.action !== query.action) continue;
      if (query.outcome && entry.outcome !== query.outcome) continue;
      entries.push(entry);
      if (entries.length === SHOWN) {
        const next = page.entries[i + 1]?.id ?? page.nextFromId;
        return { entries, nextFromId: next, read };
      }
    }
    if (page.nextFromId === null) return { entries, nextFromId: null, read };
    fromId = page.nextFromId;
    if (read >= SCAN_LIMIT) return { entries, nextFromId: fromId, read };
  }
}

export function auditPage(
  context: PageContext,
  query: AuditPageQuery,
  slice: AuditSlice,
  verification: AuditVerification,
  total: number,
): string {
  const fields = { runId: query.runId, userKey: query.userKey, action: query.action, outcome: query.outcome };
  const latest = Math.max(1, total - SHOWN + 1);
  const body = html` <section aria-labelledby="verify-h" class="${verification.ok ? 'verified' : 'broken'}">
      <h2 id="verify-h">Chain check</h2>
      ${
        verification.ok
          ? html`<p role="status" data-verify="ok">
              <strong>Chain intact:</strong> all ${count(verification.count)} entries link to the one before
              and still have their hash.
            </p>`
          : html`<p role="alert" data-verify="broken">
              <strong>Chain broken at entry ${verification.entryId}:</strong> ${verification.problem}.
            </p>`
      }
    </section>
    <form method="get" action="/audit" class="filters" role="search" aria-label="Filter the audit log">
      <div>
        <label for="a-run">Run</label
        ><input id="a-run" name="runId" value="${query.runId ?? ''}" maxlength="100" />
      </div>
      <div>
        <label for="a-user">User key</label
        ><input id="a-user" name="userKey" value="${query.userKey ?? ''}" maxlength="255" />
      </div>
      <div>
        <label for="a-action">Action</label
        ><select id="a-action" name="action">
          <option value="">any</option>
          ${ACTIONS.map((a) => html`<option${a === query.action ? html` selected` : ''}>${a}</option>`)}
        </select>
      </div>
      <div>
        <label for="a-outcome">Outcome</label
        ><select id="a-outcome" name="outcome">
          <option value="">any</option>
          ${OUTCOMES.map((o) => html`<option${o === query.outcome ? html` selected` : ''}>${o}</option>`)}
        </select>
      </div>
      <div class="buttons"><button type="submit">Filter</button> <a href="/audit">Clear</a></div>
    </form>
    <p>
      ${count(total)} entries in the log.
      <a href="/audit${queryString({ ...fields, fromId: String(latest) })}">Latest entries</a> ·
      <a href="/audit.csv${queryString({ runId: query.runId })}" download>Download CSV</a>
    </p>
    ${slice.entries.length === 0 ? html`<p role="status">No entry matches.</p>` : auditTable(slice.entries)}
    ${slice.nextFromId ? html`<p><a rel="next" href="/audit${queryString({ ...fields, fromId: slice.nextFromId })}">Later entries</a></p>` : ''}`;
  return layout(context, { title: 'Audit', section: 'audit', body });
}
