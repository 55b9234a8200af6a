import { ACTION_TYPES, VERDICTS } from '../policy/types.js';
import type { RecordsDb } from '../records/records-db.js';
import { RUN_ID_PATTERN, planKeys, runKeys } from './keys.js';
import {
  analyzePlanLines,
  countArchivedLines,
  deleteArchivedLines,
  insertPlanLines,
  isArchived,
  licencesFreedByGroup,
  markArchived,
  readArchivedLine,
  readArchivedPage,
  readLinesOfUser,
  type ArchiveFilter,
} from './plan-archive.js';
import {
  InvalidPlanCursorError,
  cursorAfter,
  decodePlanCursor,
  encodePlanCursor,
  type PlanPosition,
} from './plan-cursor.js';
import { PlanDictionary } from './plan-dictionary.js';
import {
  buildPlanLine,
  encodePlanLine,
  parsePlanLine,
  reasonIdsOf,
  type EncodedLine,
} from './plan-line-codec.js';
import { GroupCommit } from './group-commit.js';
import { markScanCompleteScript, recordPlanLinesScript } from './plan-scripts.js';
import type { RunStore } from './run-store.js';
import type { PlanLine, PlanPage, PlanPageOptions, PlanSummary, RecordResult } from './types.js';
import type { RedisClient } from '../../queues/connection.js';

/*
 * The plan of a run. While users are evaluated it lives in Redis: one line per evaluated user,
 * the member `user key NUL encoded line` of its verdict's sorted set (all at score 0, so each
 * set sorts by user key), written by `record`, which keeps the run's counters exact. One entry
 * per user is both the line and its place in the pages: a hash of lines beside sorted sets of
 * keys cost 30 % more Redis memory per user (BENCHMARKS.md, "Redis memory"). Once the run is planned (or ended while
 * evaluating) `archive` copies it into PostgreSQL (plan_lines, plan-archive.ts), checks the
 * rows against the run's count, marks the archive whole (plan_archives) and only then removes
 * the Redis keys. Readers of an archived run read PostgreSQL, of a live one Redis.
 *
 * Pages walk the verdicts in VERDICTS order, then user keys in byte order, in both forms: a
 * stable order in which a line present for the whole paging is returned exactly once, and a
 * cursor handed out by one form goes on in the other.
 */

const STREAM_PAGE_SIZE = 1000;
/** A page never holds more, so one request cannot make a store send a whole plan at once. */
export const MAX_PLAN_PAGE_SIZE = 10_000;
/** Lines read from Redis and written to PostgreSQL per statement while archiving. */
const ARCHIVE_BATCH = 2000;
/** Archived runs this process remembers as such (an archive is never undone). */
const CACHED_ARCHIVED = 1000;
/** Runs whose line writer this process keeps (only runs being evaluated need one). */
const CACHED_RECORD_WRITERS = 32;
/** Most lines one script call records: a few hundred microseconds of Redis at most. */
const RECORD_BATCH = 100;

/** What the plan store needs of the run store: the run's counters. */
export type RunReader = Pick<RunStore, 'get'>;

export interface ArchiveResult {
  /** Rows of the run's plan in PostgreSQL. */
  rows: number;
  /** False when the run was archived already (a retried finish): only Redis was tidied. */
  archivedNow: boolean;
}

export class PlanArchiveMismatchError extends Error {
  constructor(runId: string, rows: number, expected: number) {
    super(
      `plan of run ${runId}: ${rows} line(s) archived in the records store but ${expected} evaluated; the plan stays in Redis`,
    );
    this.name = 'PlanArchiveMismatchError';
  }
}

export class PlanStore {
  /** The runs' reason sentences, interned (plan-dictionary.ts). */
  private readonly dictionary: PlanDictionary;
  private readonly archived = new Set<string>();
  private readonly recordWriters = new Map<string, GroupCommit<[string, string], RecordResult>>();

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly records: RecordsDb,
    private readonly runs: RunReader,
  ) {
    this.dictionary = new PlanDictionary(redis, prefix);
  }

  /**
   * Writes the user's line (replacing an earlier one) and corrects the run's counters — unless
   * the run is past evaluating or its record is gone (`refused`): its plan no longer changes.
   */
  async record(runId: string, line: PlanLine): Promise<RecordResult> {
    assertRunId(runId);
    if (line.key === '') throw new Error('a plan line needs a user key');
    // NUL ends the key in the stored member (run-keyspace.ts).
    if (line.key.includes('\0'))
      throw new Error(`a plan line's user key holds a NUL: ${JSON.stringify(line.key)}`);
    const encoded = encodePlanLine(line, await this.dictionary.idsOf(runId, line.reasons));
    return this.recordWriterOf(runId).submit([line.key, encoded]);
  }

  /**
   * The run's lines are written by one group commit per process: the evaluations that finish
   * while a write is in flight are recorded together by the next one, one script call for many.
   */
  private recordWriterOf(runId: string): GroupCommit<[string, string], RecordResult> {
    let writer = this.recordWriters.get(runId);
    if (!writer) {
      const plan = planKeys(this.prefix, runId);
      const run = runKeys(this.prefix, runId);
      const keys = [run.counters, ...plan.linesByVerdict, run.record];
      writer = new GroupCommit(async (lines) => {
        const flat = (await recordPlanLinesScript.run(this.redis, keys, lines.flat())) as number[];
        return lines.map((_, i) => ({
          isNew: flat[3 * i] === 1,
          complete: flat[3 * i + 1] === 1,
          refused: flat[3 * i + 2] === 1,
        }));
      }, RECORD_BATCH);
      this.recordWriters.set(runId, writer);
      if (this.recordWriters.size > CACHED_RECORD_WRITERS)
        this.recordWriters.delete(this.recordWriters.keys().next().value!);
    }
    return writer;
  }

  /**
   * The scan has listed `total` users. Returns true when all of them are evaluated already
   * (the last evaluate job finished before the scan did); the caller then moves the run on.
   */
  async markScanComplete(runId: string, total: number): Promise<boolean> {
    assertRunId(runId);
    if (!Number.isInteger(total) || total < 0) throw new Error(`total must be a whole number >= 0: ${total}`);
    const complete = await markScanCompleteScript.run(
      this.redis,
      [runKeys(this.prefix, runId).counters],
      [total],
    );
    return complete === 1;
  }

  /** Whether the run's plan is in PostgreSQL (whole): then every read goes there. */
  async isArchived(runId: string): Promise<boolean> {
    if (this.archived.has(runId)) return true;
    if (!(await isArchived(this.records, runId))) return false;
    this.remember(runId);
    return true;
  }

  private remember(runId: string): void {
    this.archived.add(runId);
    if (this.archived.size > CACHED_ARCHIVED) this.archived.delete(this.archived.values().next().value!);
  }

  /**
   * The plan will not change any more (the run is planned, or ended while evaluating): copies
   * it into PostgreSQL, checks the count against the run's `evaluated`, marks it archived, then
   * removes the run's plan keys from Redis. Safe to repeat and to cut short at any point: the
   * rows are written idempotently and Redis is only emptied after the mark.
   * @throws PlanArchiveMismatchError when the rows do not add up (Redis is left as it was).
   */
  async archive(runId: string): Promise<ArchiveResult> {
    assertRunId(runId);
    if (await this.isArchived(runId)) {
      await this.removeLiveForm(runId);
      return { rows: await countArchivedLines(this.records, runId), archivedNow: false };
    }
    const run = await this.runs.get(runId);
    const expected = run ? run.counters.evaluated : await this.countLive(runId);
    let batch = this.readLiveBatch(runId, { verdictIndex: 0, afterKey: null });
    for (;;) {
      const { lines, next } = await batch;
      // The next batch is read from Redis while this one is written.
      if (next) batch = this.readLiveBatch(runId, next);
      await insertPlanLines(this.records, runId, lines);
      if (!next) break;
    }
    const rows = await countArchivedLines(this.records, runId);
    if (rows !== expected) throw new PlanArchiveMismatchError(runId, rows, expected);
    await markArchived(this.records, runId, rows);
    this.remember(runId);
    await this.removeLiveForm(runId);
    // Only the planner's choices depend on it: a failure here loses nothing.
    await analyzePlanLines(this.records).catch(() => {});
    return { rows, archivedNow: true };
  }

  /** Up to ARCHIVE_BATCH live lines from `from` on, in page order, and where the next batch starts. */
  private async readLiveBatch(
    runId: string,
    from: PlanPosition,
  ): Promise<{ lines: PlanLine[]; next: PlanPosition | null }> {
    for (let v = from.verdictIndex; v < VERDICTS.length; v++) {
      const after = v === from.verdictIndex ? from.afterKey : null;
      const found = await this.liveRange(runId, v, after, ARCHIVE_BATCH);
      if (found.length === 0) continue;
      return {
        lines: await this.decode(runId, found),
        next: { verdictIndex: v, afterKey: found.at(-1)!.key },
      };
    }
    return { lines: [], next: null };
  }

  /** Up to `limit` stored lines of one verdict's set, after the user key `after` (null: from the first). */
  private async liveRange(
    runId: string,
    verdictIndex: number,
    after: string | null,
    limit: number,
  ): Promise<StoredLine[]> {
    const members = await this.redis.zrangebylex(
      planKeys(this.prefix, runId).linesByVerdict[verdictIndex]!,
      // Past every member of `after` (`after NUL …`), before the next key's.
      after === null ? '-' : `[${after}\x01`,
      '+',
      'LIMIT',
      0,
      limit,
    );
    return members.map(splitMember);
  }

  /** The number of lines of the live plan. */
  private async countLive(runId: string): Promise<number> {
    const pipeline = this.redis.pipeline();
    for (const key of planKeys(this.prefix, runId).linesByVerdict) pipeline.zcard(key);
    const replies = (await pipeline.exec()) ?? [];
    return replies.reduce((sum, [error, count]) => {
      if (error) throw error;
      return sum + Number(count);
    }, 0);
  }

  /** Removes the run's plan keys from Redis; returns how many there were. */
  private async removeLiveForm(runId: string): Promise<number> {
    const keys = planKeys(this.prefix, runId);
    this.dictionary.forget(runId);
    // UNLINK frees a million-line hash in the background instead of blocking Redis.
    return this.redis.unlink(...keys.linesByVerdict, keys.dictionary, ...keys.legacy);
  }

  async get(runId: string, userKey: string): Promise<PlanLine | null> {
    if (await this.isArchived(runId)) return readArchivedLine(this.records, runId, userKey);
    const stored = await this.liveLineOf(runId, userKey);
    if (stored === null) {
      // Archived in between: the line is in PostgreSQL now.
      return (await this.isArchived(runId)) ? readArchivedLine(this.records, runId, userKey) : null;
    }
    return (await this.decode(runId, [stored]))[0] ?? null;
  }

  /** The user's stored line in the live plan: the one member `userKey NUL …` of the verdict sets. */
  private async liveLineOf(runId: string, userKey: string): Promise<StoredLine | null> {
    if (userKey.includes('\0')) return null;
    const pipeline = this.redis.pipeline();
    for (const key of planKeys(this.prefix, runId).linesByVerdict) {
      pipeline.zrangebylex(key, `[${userKey}\0`, `(${userKey}\x01`, 'LIMIT', 0, 1);
    }
    for (const [error, members] of (await pipeline.exec()) ?? []) {
      if (error) throw error;
      const [member] = members as string[];
      if (member !== undefined) return splitMember(member);
    }
    return null;
  }

  /** The user's line in each of these runs (user history): one query for the archived ones. */
  async linesOfUser(userKey: string, runIds: string[]): Promise<Map<string, PlanLine>> {
    const archived: string[] = [];
    const live: string[] = [];
    for (const id of runIds) ((await this.isArchived(id)) ? archived : live).push(id);
    const found = await readLinesOfUser(this.records, userKey, archived);
    for (const id of live) {
      const line = await this.get(id, userKey);
      if (line) found.set(id, line);
    }
    return found;
  }

  /** @throws InvalidPlanCursorError when the cursor is not one this store handed out. */
  async page(runId: string, options: PlanPageOptions): Promise<PlanPage> {
    const limit = Number.isFinite(options.limit)
      ? Math.min(MAX_PLAN_PAGE_SIZE, Math.max(1, Math.floor(options.limit)))
      : STREAM_PAGE_SIZE;
    const only = options.verdict === undefined ? undefined : VERDICTS.indexOf(options.verdict);
    if (only === -1) throw new Error(`unknown verdict: ${String(options.verdict)}`);
    const start: PlanPosition = options.cursor
      ? decodePlanCursor(options.cursor)
      : { verdictIndex: only ?? 0, afterKey: null };
    // A cursor of an unfiltered listing (or of another verdict) would skip lines here.
    if (only !== undefined && start.verdictIndex !== only) throw new InvalidPlanCursorError();
    const lastVerdictIndex = only ?? VERDICTS.length - 1;
    if (await this.isArchived(runId)) return this.archivedPage(runId, start, lastVerdictIndex, limit);
    const live = await this.livePage(runId, start, lastVerdictIndex, limit, only);
    // Archived while being read (the run became planned): the live keys may have gone in the
    // middle of it. PostgreSQL answers the same page for the same cursor.
    if (await this.isArchived(runId)) return this.archivedPage(runId, start, lastVerdictIndex, limit);
    return live;
  }

  /**
   * Up to `limit` lines of an archived plan that pass the report's filter, from `start` on, in
   * page order, and whether more follow (inactive-report.ts).
   */
  async archivedFilterPage(
    runId: string,
    start: PlanPosition,
    limit: number,
    filter: ArchiveFilter,
  ): Promise<{ lines: PlanLine[]; more: boolean }> {
    return readArchivedPage(this.records, runId, start, limit, filter);
  }

  private async archivedPage(
    runId: string,
    start: PlanPosition,
    lastVerdictIndex: number,
    limit: number,
  ): Promise<PlanPage> {
    const { lines, more } = await readArchivedPage(this.records, runId, start, limit, { lastVerdictIndex });
    return { lines, nextCursor: cursorAfter(lines, more) };
  }

  private async livePage(
    runId: string,
    start: PlanPosition,
    lastVerdictIndex: number,
    limit: number,
    only: number | undefined,
  ): Promise<PlanPage> {
    // One entry more than asked, to know whether a next page exists.
    const found: Array<{ verdictIndex: number; stored: StoredLine }> = [];
    for (let v = start.verdictIndex; v <= lastVerdictIndex && found.length <= limit; v++) {
      const after = v === start.verdictIndex ? start.afterKey : null;
      for (const stored of await this.liveRange(runId, v, after, limit + 1 - found.length)) {
        found.push({ verdictIndex: v, stored });
      }
    }
    const pageEntries = found.slice(0, limit);
    const last = pageEntries.at(-1);
    const nextCursor =
      found.length > limit && last
        ? encodePlanCursor({ verdictIndex: last.verdictIndex, afterKey: last.stored.key })
        : null;
    const lines = await this.decode(
      runId,
      pageEntries.map((entry) => entry.stored),
    );
    return {
      lines: lines.filter((line) => only === undefined || line.verdict === VERDICTS[only]),
      nextCursor,
    };
  }

  /** Every line, in page order, at constant memory however long the plan. */
  async *stream(
    runId: string,
    options: Omit<PlanPageOptions, 'limit' | 'cursor'> = {},
  ): AsyncIterable<PlanLine> {
    let cursor: string | undefined;
    do {
      const page = await this.page(runId, { ...options, limit: STREAM_PAGE_SIZE, cursor });
      yield* page.lines;
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
  }

  /**
   * The plan's figures: the counts from the run's counters (through the run store), the licences
   * freed per group from the plan's lines — SQL over the archive, or the live lines.
   */
  async summary(runId: string): Promise<PlanSummary> {
    const counters = (await this.runs.get(runId))?.counters;
    return {
      evaluated: counters?.evaluated ?? 0,
      total: counters?.total ?? null,
      scanComplete: counters?.scanComplete ?? false,
      byVerdict: counters?.byVerdict ?? zeroes(VERDICTS),
      byAction: counters?.byAction ?? zeroes(ACTION_TYPES),
      licencesFreedByGroup: await this.licencesFreedByGroup(runId),
    };
  }

  private async licencesFreedByGroup(runId: string): Promise<Record<string, number>> {
    if (await this.isArchived(runId)) return licencesFreedByGroup(this.records, runId);
    const freed = new Map<string, number>();
    for await (const line of this.stream(runId)) {
      for (const action of line.actions) {
        if (action.type !== 'revoke-license') continue;
        for (const group of action.groups) freed.set(group, (freed.get(group) ?? 0) + 1);
      }
    }
    // Archived while being counted: the archive has every line.
    if (await this.isArchived(runId)) return licencesFreedByGroup(this.records, runId);
    return Object.fromEntries(freed);
  }

  /**
   * Removes the plan's lines (retention): the rows in PostgreSQL and any Redis keys. The
   * counters stay with the run record, so the run keeps its summary after its plan is gone.
   */
  async delete(runId: string): Promise<{ rows: number; keys: number }> {
    const rows = (await this.isArchived(runId)) ? await deleteArchivedLines(this.records, runId) : 0;
    return { rows, keys: await this.removeLiveForm(runId) };
  }

  /** Lines as stored → PlanLines, their reason sentences put back from the run's dictionary. */
  private async decode(runId: string, stored: StoredLine[]): Promise<PlanLine[]> {
    return this.build(
      runId,
      stored.map((line) => ({ key: line.key, encoded: parsePlanLine(line.stored) })),
    );
  }

  /** Parsed lines → PlanLines. */
  private async build(
    runId: string,
    parsed: Array<{ key: string; encoded: EncodedLine }>,
  ): Promise<PlanLine[]> {
    await this.dictionary.load(
      runId,
      parsed.flatMap((line) => reasonIdsOf(line.encoded)),
    );
    const lookup = (id: number) => this.dictionary.template(runId, id);
    return parsed.map((line) => buildPlanLine(line.key, line.encoded, lookup));
  }
}

/** A line as the live plan holds it: the user key and the encoded line (plan-line-codec.ts). */
interface StoredLine {
  key: string;
  stored: string;
}

/** `user key NUL encoded line` → its two parts (a user key holds no NUL: `record` refuses one). */
function splitMember(member: string): StoredLine {
  const end = member.indexOf('\0');
  return { key: member.slice(0, end), stored: member.slice(end + 1) };
}

function assertRunId(runId: string): void {
  if (!RUN_ID_PATTERN.test(runId)) throw new Error(`invalid run id: ${JSON.stringify(runId)}`);
}

function zeroes<K extends string>(names: readonly K[]): Record<K, number> {
  return Object.fromEntries(names.map((name) => [name, 0])) as Record<K, number>;
}
