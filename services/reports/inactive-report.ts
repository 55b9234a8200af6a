import { VERDICTS, type Verdict } from '../policy/types.js';
import {
  cursorAfter,
  decodePlanCursor,
  encodePlanCursor,
  InvalidPlanCursorError,
  type PlanPosition,
} from '../runs/plan-cursor.js';
import type { ArchiveFilter } from '../runs/plan-archive.js';
import type { PlanStore } from '../runs/plan-store.js';
import type { RunStore } from '../runs/run-store.js';
import type { PlanLine, Run } from '../runs/types.js';

/** The verdicts the inactive report shows unless told otherwise. */
export const DEFAULT_REPORT_VERDICTS: Verdict[] = ['inactive', 'never-logged-in', 'left-company'];

/** Statuses whose plan is final: every user evaluated. */
const REPORTABLE = new Set(['planned', 'awaiting-approval', 'applying', 'done']);
/** Lines of an archived plan read per query while streaming a filter (CSV). */
const ARCHIVE_SCAN_PAGE = 1000;
/**
 * Plan lines read per round trip while filtering a live plan: small at first, so a filter most lines pass
 * answers its first page at once, then growing to the plan store's largest page, so a filter
 * few lines pass scans the plan in few round trips.
 */
const FIRST_SCAN_PAGE = 500;
const LARGEST_SCAN_PAGE = 10_000;
const DAY_MS = 24 * 3600 * 1000;

export interface ReportFilter {
  verdicts: Verdict[];
  /** At least this many days since the last login, against the run's asOf (never logged in counts). */
  minDays?: number;
  /** At most this many days (a user who never logged in does not qualify). */
  maxDays?: number;
  /** Licence groups of the application (from the run's Jira facts): the user holds one of them. */
  applicationGroups?: string[];
  /** A group the plan's actions take from the user (licence groups, groups removed). */
  group?: string;
  /** A case-insensitive substring of the username, display name or e-mail address. */
  q?: string;
}

export class NoReportableRunError extends Error {
  constructor() {
    super('no planned or done run with a plan yet: start a run first (reclaim scan)');
    this.name = 'NoReportableRunError';
  }
}

/** The newest run whose plan is final and still kept. */
export async function latestReportableRun(runs: RunStore): Promise<Run | null> {
  let before: string | undefined;
  for (;;) {
    const page = await runs.list({ limit: 50, ...(before ? { before } : {}) });
    const found = page.find((run) => REPORTABLE.has(run.status) && run.planPrunedAt === undefined);
    if (found) return found;
    if (page.length < 50) return null;
    before = page[page.length - 1]!.id;
  }
}

/** The licence groups of an application as the run found them (`licence:<app>` facts), or null. */
export function licenceGroupsOf(run: Run, application: string): string[] | null {
  const value = run.jira?.facts?.[`licence:${application}`];
  return typeof value === 'string' ? value.split(',').filter(Boolean) : null;
}

/** Whole days from the last login to the run's asOf; null when the user never logged in. */
export function daysSinceLogin(line: PlanLine, asOf: Date): number | null {
  if (line.lastLogin === null) return null;
  return Math.floor((asOf.getTime() - Date.parse(line.lastLogin)) / DAY_MS);
}

/**
 * The groups the plan knows the user holds: those its actions take away (licence groups, groups
 * removed). A plan line does not list every membership, so a group the plan leaves alone is
 * not found by the group filter.
 */
function heldGroupsNamedFor(line: PlanLine): string[] {
  return line.actions.flatMap((action) =>
    action.type === 'revoke-license' || action.type === 'remove-groups' ? action.groups : [],
  );
}

export function matches(line: PlanLine, filter: ReportFilter, asOf: Date): boolean {
  if (!filter.verdicts.includes(line.verdict)) return false;
  if (filter.minDays !== undefined || filter.maxDays !== undefined) {
    // Unknown is not absent: a last login that could not be read qualifies for neither bound.
    if (line.lastLoginStatus === 'unknown') return false;
    const days = daysSinceLogin(line, asOf);
    if (filter.minDays !== undefined && days !== null && days < filter.minDays) return false;
    if (filter.maxDays !== undefined && (days === null || days > filter.maxDays)) return false;
  }
  if (filter.applicationGroups !== undefined || filter.group !== undefined) {
    const groups = heldGroupsNamedFor(line).map((group) => group.toLowerCase());
    if (filter.applicationGroups && !filter.applicationGroups.some((g) => groups.includes(g.toLowerCase())))
      return false;
    if (filter.group !== undefined && !groups.includes(filter.group.toLowerCase())) return false;
  }
  if (filter.q !== undefined) {
    const q = filter.q.toLowerCase();
    const haystack = [line.name, line.displayName ?? '', line.emailAddress ?? ''];
    if (!haystack.some((text) => text.toLowerCase().includes(q))) return false;
  }
  return true;
}

/**
 * The plan's lines that pass the filter, in plan order, from the cursor on. Each line comes
 * with the cursor that resumes after it. An archived plan is filtered in SQL over its indexed
 * columns (plan-archive.ts); a plan still in Redis (a run planned a moment ago, before its
 * archive is done) is read a verdict at a time through its verdict index and tested here.
 */
export async function* filteredLines(
  plans: PlanStore,
  run: Run,
  filter: ReportFilter,
  cursor?: string,
): AsyncGenerator<{ line: PlanLine; cursor: string }> {
  const start = startOf(filter, cursor);
  if (await plans.isArchived(run.id)) {
    let position = start ?? { verdictIndex: 0, afterKey: null };
    for (;;) {
      const page = await plans.archivedFilterPage(
        run.id,
        position,
        ARCHIVE_SCAN_PAGE,
        archiveFilterOf(run, filter),
      );
      for (const line of page.lines) {
        position = { verdictIndex: VERDICTS.indexOf(line.verdict), afterKey: line.key };
        yield { line, cursor: encodePlanCursor(position) };
      }
      if (!page.more) return;
    }
  }
  yield* liveFilteredLines(plans, run, filter, start);
}

async function* liveFilteredLines(
  plans: PlanStore,
  run: Run,
  filter: ReportFilter,
  start: PlanPosition | null,
): AsyncGenerator<{ line: PlanLine; cursor: string }> {
  const asOf = new Date(run.asOf);
  for (const { verdict, index } of wantedVerdicts(filter)) {
    if (start !== null && index < start.verdictIndex) continue;
    let pageSize = FIRST_SCAN_PAGE;
    let planCursor =
      start !== null && index === start.verdictIndex && start.afterKey !== null
        ? encodePlanCursor(start)
        : undefined;
    do {
      const page = await plans.page(run.id, {
        verdict,
        limit: pageSize,
        ...(planCursor ? { cursor: planCursor } : {}),
      });
      pageSize = Math.min(LARGEST_SCAN_PAGE, pageSize * 4);
      for (const line of page.lines) {
        if (matches(line, filter, asOf))
          yield { line, cursor: encodePlanCursor({ verdictIndex: index, afterKey: line.key }) };
      }
      planCursor = page.nextCursor ?? undefined;
    } while (planCursor !== undefined);
  }
}

function wantedVerdicts(filter: ReportFilter): Array<{ verdict: Verdict; index: number }> {
  return VERDICTS.map((verdict, index) => ({ verdict, index })).filter(({ verdict }) =>
    filter.verdicts.includes(verdict),
  );
}

/** The report cursor's position; a cursor in a verdict the filter does not show is not one of its own. */
function startOf(filter: ReportFilter, cursor: string | undefined): PlanPosition | null {
  const start = cursor === undefined ? null : decodePlanCursor(cursor);
  if (start !== null && !wantedVerdicts(filter).some(({ index }) => index === start.verdictIndex))
    throw new InvalidPlanCursorError();
  return start;
}

function archiveFilterOf(run: Run, filter: ReportFilter): ArchiveFilter {
  return { ...filter, asOf: new Date(run.asOf) };
}

/** One page of the report: up to `limit` lines and the cursor of the next page (null at the end). */
export async function reportPage(
  plans: PlanStore,
  run: Run,
  filter: ReportFilter,
  options: { limit: number; cursor?: string },
): Promise<{ lines: PlanLine[]; nextCursor: string | null }> {
  const start = startOf(filter, options.cursor);
  if (await plans.isArchived(run.id)) {
    // One query: the page and whether a line follows it.
    const { lines, more } = await plans.archivedFilterPage(
      run.id,
      start ?? { verdictIndex: 0, afterKey: null },
      options.limit,
      archiveFilterOf(run, filter),
    );
    return { lines, nextCursor: cursorAfter(lines, more) };
  }
  const lines: PlanLine[] = [];
  let last: string | null = null;
  for await (const found of liveFilteredLines(plans, run, filter, start)) {
    if (lines.length === options.limit) return { lines, nextCursor: last };
    lines.push(found.line);
    last = found.cursor;
  }
  return { lines, nextCursor: null };
}
