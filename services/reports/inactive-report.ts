import { VERDICTS, type Verdict } from '../policy/types.js';
import { decodePlanCursor, encodePlanCursor, InvalidPlanCursorError } from '../runs/plan-cursor.js';
import { groupsTakenIn, storedLastLogin, type EncodedLine } from '../runs/plan-line-codec.js';
import type { PlanStore } from '../runs/plan-store.js';
import type { RunStore } from '../runs/run-store.js';
import type { PlanLine, Run } from '../runs/types.js';

/** The verdicts the inactive report shows unless told otherwise. */
export const DEFAULT_REPORT_VERDICTS: Verdict[] = ['inactive', 'never-logged-in', 'left-company'];

/** Statuses whose plan is final: every user evaluated. */
const REPORTABLE = new Set(['planned', 'awaiting-approval', 'applying', 'done']);
/**
 * Plan lines read per round trip while filtering: small at first, so a filter most lines pass
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

/**
 * A test of a plan line's stored JSON that never rejects a line the `q`, group and application
 * filters keep: JSON writes a string's characters as they are except `"`, `\\` and control
 * characters, so for plain ASCII text the stored text of a matching line contains it (compared
 * without case: lowering the whole stored text lowers the name or group inside it alike). Text
 * that is not plain ASCII takes no part. Lets a filter that few lines pass skip decoding the
 * others.
 */
export function storedTextFilterFor(filter: ReportFilter): ((stored: string) => boolean) | undefined {
  const plain = (text: string | undefined): text is string =>
    text !== undefined && /^[\x20-\x7e]+$/.test(text) && !/["\\]/.test(text);
  const allOf = [filter.q, filter.group].map((text) => text?.toLowerCase()).filter(plain);
  const application = filter.applicationGroups?.map((group) => group.toLowerCase());
  const anyOf = application && application.length > 0 && application.every(plain) ? application : undefined;
  if (allOf.length === 0 && anyOf === undefined) return undefined;
  return (stored) => {
    const text = stored.toLowerCase();
    return (
      allOf.every((needle) => text.includes(needle)) &&
      (!anyOf || anyOf.some((needle) => text.includes(needle)))
    );
  };
}

/**
 * The days, application and group parts of `matches`, on a plan line as parsed (its last login
 * as epoch milliseconds, the groups its actions take) rather than built: a filter few lines pass
 * then skips building the others, which is most of what reading a line costs. Gives the same
 * answer as `matches` on those parts (the report still checks every line it gets with `matches`).
 */
export function parsedLineFilterFor(
  filter: ReportFilter,
  asOf: Date,
): ((line: EncodedLine) => boolean) | undefined {
  const { minDays, maxDays } = filter;
  const byDays = minDays !== undefined || maxDays !== undefined;
  const applicationGroups = filter.applicationGroups?.map((group) => group.toLowerCase());
  const group = filter.group?.toLowerCase();
  if (!byDays && applicationGroups === undefined && group === undefined) return undefined;
  const asOfMs = asOf.getTime();
  return (line) => {
    if (byDays) {
      const lastLogin = storedLastLogin(line);
      // Unknown (null) is not absent: it qualifies for neither bound; never (false) has no days.
      if (lastLogin === null) return false;
      const days = lastLogin === false ? null : Math.floor((asOfMs - lastLogin) / DAY_MS);
      if (minDays !== undefined && days !== null && days < minDays) return false;
      if (maxDays !== undefined && (days === null || days > maxDays)) return false;
    }
    if (applicationGroups !== undefined || group !== undefined) {
      const taken = groupsTakenIn(line).map((name) => name.toLowerCase());
      if (applicationGroups && !applicationGroups.some((name) => taken.includes(name))) return false;
      if (group !== undefined && !taken.includes(group)) return false;
    }
    return true;
  };
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
 * The plan's lines that pass the filter, in plan order, from the cursor on, read a verdict at a
 * time through the plan's own verdict index (so an `inactive` report never reads `keep` lines)
 * and a page at a time. Each line comes with the cursor that resumes after it.
 */
export async function* filteredLines(
  plans: PlanStore,
  run: Run,
  filter: ReportFilter,
  cursor?: string,
): AsyncGenerator<{ line: PlanLine; cursor: string }> {
  const start = cursor === undefined ? null : decodePlanCursor(cursor);
  const asOf = new Date(run.asOf);
  const wanted = VERDICTS.map((verdict, index) => ({ verdict, index })).filter(({ verdict }) =>
    filter.verdicts.includes(verdict),
  );
  if (start !== null && !wanted.some(({ index }) => index === start.verdictIndex))
    throw new InvalidPlanCursorError();
  for (const { verdict, index } of wanted) {
    if (start !== null && index < start.verdictIndex) continue;
    let pageSize = FIRST_SCAN_PAGE;
    const storedTextFilter = storedTextFilterFor(filter);
    const parsedLineFilter = parsedLineFilterFor(filter, asOf);
    let planCursor =
      start !== null && index === start.verdictIndex && start.afterKey !== null
        ? encodePlanCursor(start)
        : undefined;
    do {
      const page = await plans.page(run.id, {
        verdict,
        limit: pageSize,
        ...(planCursor ? { cursor: planCursor } : {}),
        ...(storedTextFilter ? { storedTextFilter } : {}),
        ...(parsedLineFilter ? { parsedLineFilter } : {}),
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

/** One page of the report: up to `limit` lines and the cursor of the next page (null at the end). */
export async function reportPage(
  plans: PlanStore,
  run: Run,
  filter: ReportFilter,
  options: { limit: number; cursor?: string },
): Promise<{ lines: PlanLine[]; nextCursor: string | null }> {
  const lines: PlanLine[] = [];
  let last: string | null = null;
  for await (const found of filteredLines(plans, run, filter, options.cursor)) {
    if (lines.length === options.limit) return { lines, nextCursor: last };
    lines.push(found.line);
    last = found.cursor;
  }
  return { lines, nextCursor: null };
}
