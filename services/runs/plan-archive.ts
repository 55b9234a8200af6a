import { VERDICTS, type PlannedAction, type Reason, type Verdict } from '../policy/types.js';
import type { RecordsQueryable } from '../records/records-db.js';
import type { PlanPosition } from './plan-cursor.js';
import type { PlanLine } from './types.js';

/*
 * A plan in PostgreSQL (table plan_lines, migration 002): one row per user, the line kept as
 * columns. Pages walk (verdict_rank, user_key) with user_key compared as bytes (COLLATE "C"),
 * the order of the live plan's sorted sets in Redis, so a cursor means the same in both forms.
 * A run's archive is whole once its row in plan_archives is there.
 */

/** Separates the lower-cased name, display name and e-mail address in the `search` column. */
const SEARCH_SEPARATOR = '\u0001';
const DAY_MS = 24 * 3600 * 1000;

interface ArchivedRow {
  user_key: string;
  verdict_rank: number;
  name: string;
  display_name: string | null;
  email: string | null;
  active: boolean;
  last_login_ms: number | null;
  last_login_status: PlanLine['lastLoginStatus'];
  actions: PlannedAction[];
  reasons: Reason[];
  directory: string | null;
}

const ROW_COLUMNS = `user_key, verdict_rank, name, display_name, email, active,
  round(extract(epoch from last_login_at) * 1000)::float8 AS last_login_ms, last_login_status,
  actions, reasons, directory`;

/** The text the report's `q` filter searches: each part lower-cased as JavaScript does it. */
export function searchTextOf(line: Pick<PlanLine, 'name' | 'displayName' | 'emailAddress'>): string {
  return [line.name, line.displayName ?? '', line.emailAddress ?? '']
    .map((text) => text.toLowerCase())
    .join(SEARCH_SEPARATOR);
}

function recordOf(line: PlanLine): Record<string, unknown> {
  const licenceGroups = line.actions.flatMap((a) => (a.type === 'revoke-license' ? a.groups : []));
  const taken = line.actions.flatMap((a) =>
    a.type === 'revoke-license' || a.type === 'remove-groups' ? a.groups : [],
  );
  return {
    user_key: line.key,
    verdict_rank: VERDICTS.indexOf(line.verdict),
    name: line.name,
    display_name: line.displayName ?? null,
    email: line.emailAddress ?? null,
    active: line.active,
    last_login_at: line.lastLoginStatus === 'known' ? line.lastLogin : null,
    last_login_status: line.lastLoginStatus,
    licence_groups: licenceGroups,
    groups_taken: [...new Set(taken.map((g) => g.toLowerCase()))],
    search: searchTextOf(line),
    actions: line.actions,
    reasons: line.reasons,
    directory: line.directory ?? null,
  };
}

/** A row back as the plan line it was, its keys in the order the live form builds them. */
function lineOf(row: ArchivedRow): PlanLine {
  return {
    key: row.user_key,
    name: row.name,
    ...(row.display_name === null ? {} : { displayName: row.display_name }),
    ...(row.email === null ? {} : { emailAddress: row.email }),
    active: row.active,
    lastLogin: row.last_login_ms === null ? null : new Date(row.last_login_ms).toISOString(),
    lastLoginStatus: row.last_login_status,
    verdict: VERDICTS[row.verdict_rank] as Verdict,
    actions: typeof row.actions === 'string' ? (JSON.parse(row.actions) as PlannedAction[]) : row.actions,
    reasons: typeof row.reasons === 'string' ? (JSON.parse(row.reasons) as Reason[]) : row.reasons,
    ...(row.directory === null ? {} : { directory: row.directory }),
  };
}

/**
 * Writes lines of a run (one statement, the batch as one JSON parameter). Idempotent: a line
 * already archived (an archive cut short and done again) is left as it is — a final plan's
 * lines do not change. Returns how many rows were new.
 */
export async function insertPlanLines(
  db: RecordsQueryable,
  runId: string,
  lines: PlanLine[],
): Promise<number> {
  if (lines.length === 0) return 0;
  const result = await db.query(
    `INSERT INTO plan_lines (run_id, user_key, verdict_rank, name, display_name, email, active,
       last_login_at, last_login_status, licence_groups, groups_taken, search, actions, reasons, directory)
     SELECT $1, r.user_key, r.verdict_rank, r.name, r.display_name, r.email, r.active,
       r.last_login_at, r.last_login_status, r.licence_groups, r.groups_taken, r.search, r.actions,
       r.reasons, r.directory
     FROM json_to_recordset($2::json) AS r(user_key text, verdict_rank smallint, name text,
       display_name text, email text, active boolean, last_login_at timestamptz,
       last_login_status text, licence_groups text[], groups_taken text[], search text,
       actions json, reasons json, directory text)
     ON CONFLICT (run_id, user_key) DO NOTHING`,
    [runId, JSON.stringify(lines.map(recordOf))],
  );
  return result.rowCount;
}

export async function countArchivedLines(db: RecordsQueryable, runId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM plan_lines WHERE run_id = $1',
    [runId],
  );
  return rows[0]?.n ?? 0;
}

/** The archive of the run is whole: from now on readers read PostgreSQL. */
export async function markArchived(db: RecordsQueryable, runId: string, rows: number): Promise<void> {
  await db.query('INSERT INTO plan_archives (run_id, rows) VALUES ($1, $2) ON CONFLICT (run_id) DO NOTHING', [
    runId,
    rows,
  ]);
}

/** Fresh planner statistics for plan_lines (a plan of a million rows just arrived). */
export async function analyzePlanLines(db: RecordsQueryable): Promise<void> {
  await db.query('SELECT plan_lines_analyze()');
}

export async function isArchived(db: RecordsQueryable, runId: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM plan_archives WHERE run_id = $1', [runId]);
  return rows.length > 0;
}

export async function readArchivedLine(
  db: RecordsQueryable,
  runId: string,
  userKey: string,
): Promise<PlanLine | null> {
  const { rows } = await db.query<ArchivedRow>(
    `SELECT ${ROW_COLUMNS} FROM plan_lines WHERE run_id = $1 AND user_key = $2`,
    [runId, userKey],
  );
  return rows[0] ? lineOf(rows[0]) : null;
}

/** The user's line in each of these runs' archived plans (user history), by run id. */
export async function readLinesOfUser(
  db: RecordsQueryable,
  userKey: string,
  runIds: string[],
): Promise<Map<string, PlanLine>> {
  if (runIds.length === 0) return new Map();
  const { rows } = await db.query<ArchivedRow & { run_id: string }>(
    `SELECT run_id, ${ROW_COLUMNS} FROM plan_lines WHERE user_key = $1 AND run_id = ANY($2::text[])`,
    [userKey, runIds],
  );
  return new Map(rows.map((row) => [row.run_id, lineOf(row)]));
}

/** The report's filter as SQL conditions (see inactive-report.ts `matches`, which it mirrors). */
export interface ArchiveFilter {
  verdicts: readonly Verdict[];
  minDays?: number;
  maxDays?: number;
  applicationGroups?: string[];
  group?: string;
  q?: string;
  asOf: Date;
}

/**
 * Up to `limit` lines from `start` on (exclusive of its key), in page order, of the verdicts
 * from start.verdictIndex to lastVerdictIndex (or only `filter.verdicts`), passing the filter;
 * and whether more follow. One query per verdict, each an ordered walk of the page index
 * (run, verdict, user key) that stops once the page is full, so a filter many lines pass
 * answers its first page at once whatever the size of the plan.
 */
export async function readArchivedPage(
  db: RecordsQueryable,
  runId: string,
  start: PlanPosition,
  limit: number,
  filter: Partial<ArchiveFilter> & { lastVerdictIndex?: number } = {},
): Promise<{ lines: PlanLine[]; more: boolean }> {
  const conditions = filterConditions(filter);
  if (conditions === null) return { lines: [], more: false };
  const last = filter.lastVerdictIndex ?? VERDICTS.length - 1;
  const lines: PlanLine[] = [];
  for (let rank = start.verdictIndex; rank <= last; rank++) {
    if (filter.verdicts !== undefined && !filter.verdicts.includes(VERDICTS[rank]!)) continue;
    const after = rank === start.verdictIndex ? start.afterKey : null;
    const params: unknown[] = [runId, rank, ...conditions.params];
    const where = [`run_id = $1`, `verdict_rank = $2`, ...conditions.where];
    if (after !== null) {
      params.push(after);
      where.push(`user_key COLLATE "C" > $${params.length}`);
    }
    // One line more than the page needs, to know whether a next page exists.
    params.push(limit + 1 - lines.length);
    const { rows } = await db.query<ArchivedRow>(
      `SELECT ${ROW_COLUMNS} FROM plan_lines WHERE ${where.join(' AND ')}
       ORDER BY user_key COLLATE "C" LIMIT $${params.length}`,
      params,
    );
    lines.push(...rows.map(lineOf));
    if (lines.length > limit) return { lines: lines.slice(0, limit), more: true };
  }
  return { lines, more: false };
}

/**
 * The filter's conditions on a row, their parameters numbered from $3 (the run and the verdict
 * are $1 and $2); null when nothing can pass.
 */
function filterConditions(filter: Partial<ArchiveFilter>): { where: string[]; params: unknown[] } | null {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length + 2}`;
  };
  if (filter.asOf !== undefined) {
    const asOf = filter.asOf.getTime();
    // Whole days since the last login, as `daysSinceLogin` counts them: floor((asOf - at) / day).
    if (filter.minDays !== undefined) {
      // days >= minDays ⟺ at <= asOf - minDays days. Never logged in qualifies, unknown does not.
      where.push(
        `last_login_status <> 'unknown'`,
        `(last_login_at IS NULL OR last_login_at <= ${param(boundOf(asOf - filter.minDays * DAY_MS))}::timestamptz)`,
      );
    }
    if (filter.maxDays !== undefined) {
      // days <= maxDays ⟺ at > asOf - (maxDays + 1) days; never and unknown do not qualify.
      where.push(
        `last_login_at IS NOT NULL`,
        `last_login_at > ${param(boundOf(asOf - (filter.maxDays + 1) * DAY_MS))}::timestamptz`,
      );
    }
  }
  if (filter.applicationGroups !== undefined) {
    where.push(`groups_taken && ${param(filter.applicationGroups.map((g) => g.toLowerCase()))}::text[]`);
  }
  if (filter.group !== undefined)
    where.push(`groups_taken @> ARRAY[${param(filter.group.toLowerCase())}]::text[]`);
  if (filter.q !== undefined) {
    const q = filter.q.toLowerCase();
    // The separator never stands inside a name, so a text that holds it matches nothing.
    if (q.includes(SEARCH_SEPARATOR)) return null;
    where.push(`strpos(search, ${param(q)}) > 0`);
  }
  return { where, params };
}

/** An instant as PostgreSQL takes it, held within the years it can store. */
function boundOf(ms: number): string {
  const lowest = Date.UTC(1, 0, 1);
  const highest = Date.UTC(9999, 11, 31);
  return new Date(Math.min(highest, Math.max(lowest, ms))).toISOString();
}

/** Licence group → how many revoke-license actions of the plan take it (as the counters counted). */
export async function licencesFreedByGroup(
  db: RecordsQueryable,
  runId: string,
): Promise<Record<string, number>> {
  const { rows } = await db.query<{ grp: string; n: number }>(
    `SELECT g AS grp, count(*)::int AS n FROM plan_lines, unnest(licence_groups) AS g
     WHERE run_id = $1 GROUP BY g ORDER BY g COLLATE "C"`,
    [runId],
  );
  return Object.fromEntries(rows.map((row) => [row.grp, row.n]));
}

/** Removes an archived plan's rows (retention); its plan_archives row stays. */
export async function deleteArchivedLines(db: RecordsQueryable, runId: string): Promise<number> {
  return (await db.query('DELETE FROM plan_lines WHERE run_id = $1', [runId])).rowCount;
}
