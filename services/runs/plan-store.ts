import type { Redis } from 'ioredis';
import { VERDICTS } from '../policy/types.js';
import { RUN_ID_PATTERN, planKeys, runKeys } from './keys.js';
import {
  InvalidPlanCursorError,
  decodePlanCursor,
  encodePlanCursor,
  type PlanPosition,
} from './plan-cursor.js';
import { compactPlan, findCompactLine, isCompact, readCompactLines } from './plan-chunks.js';
import { PlanDictionary } from './plan-dictionary.js';
import {
  buildPlanLine,
  encodePlanLine,
  parsePlanLine,
  reasonIdsOf,
  type EncodedLine,
} from './plan-line-codec.js';
import { markScanCompleteScript, recordPlanLineScript } from './plan-scripts.js';
import { parsePlanSummary } from './run-counters.js';
import type { PlanLine, PlanPage, PlanPageOptions, PlanSummary, RecordResult } from './types.js';

/*
 * The plan of a run: one line per evaluated user, in a hash keyed by user key, and one
 * lexically sorted set of user keys per verdict. Pages walk the sets in VERDICTS order, then
 * by user key (byte order): a stable order in which a line present for the whole paging is
 * returned exactly once. A line written or changed while paging may or may not show up.
 * The summary is read from the run's counters, which `record` keeps exact. Once the run is
 * planned, `compact` rewrites the plan into its compact form (plan-chunks.ts): the same pages,
 * the same order, the same cursors, a fraction of the memory.
 */

const STREAM_PAGE_SIZE = 1000;
/** A page never holds more, so one request cannot make Redis send a whole plan at once. */
export const MAX_PLAN_PAGE_SIZE = 10_000;

export class PlanStore {
  /** The runs' reason sentences, interned (plan-dictionary.ts). */
  private readonly dictionary: PlanDictionary;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    this.dictionary = new PlanDictionary(redis, prefix);
  }

  /**
   * Writes the user's line (replacing an earlier one) and corrects the run's counters — unless
   * the run is past evaluating (`refused`): its plan no longer changes.
   */
  async record(runId: string, line: PlanLine): Promise<RecordResult> {
    assertRunId(runId);
    if (line.key === '') throw new Error('a plan line needs a user key');
    const keys = planKeys(this.prefix, runId);
    const run = runKeys(this.prefix, runId);
    const [isNew, complete, refused] = (await recordPlanLineScript.run(
      this.redis,
      [keys.lines, run.counters, ...keys.byVerdict, keys.chunks, run.record],
      [line.key, encodePlanLine(line, await this.dictionary.idsOf(runId, line.reasons))],
    )) as [number, number, number];
    return { isNew: isNew === 1, complete: complete === 1, refused: refused === 1 };
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

  /** The plan will not change any more: store it compactly (idempotent). */
  async compact(runId: string): Promise<void> {
    assertRunId(runId);
    await compactPlan(this.redis, this.prefix, runId);
  }

  async get(runId: string, userKey: string): Promise<PlanLine | null> {
    if (await isCompact(this.redis, this.prefix, runId)) {
      const found = await findCompactLine(this.redis, this.prefix, runId, userKey);
      return found === null ? null : ((await this.decode(runId, [found.line]))[0] ?? null);
    }
    const stored = await this.redis.hget(planKeys(this.prefix, runId).lines, userKey);
    if (stored === null) {
      // Compacted in between: the line is in the compact form now.
      return (await isCompact(this.redis, this.prefix, runId)) ? this.get(runId, userKey) : null;
    }
    return (await this.decode(runId, [{ key: userKey, stored }]))[0] ?? null;
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
    if (await isCompact(this.redis, this.prefix, runId)) {
      return this.compactPage(runId, start, lastVerdictIndex, limit, options);
    }
    const live = await this.livePage(runId, start, lastVerdictIndex, limit, only);
    // Compacted while being read (the run became planned): the live keys may have gone in the
    // middle of it. The compact form answers the same page for the same cursor.
    if (await isCompact(this.redis, this.prefix, runId)) {
      return this.compactPage(runId, start, lastVerdictIndex, limit);
    }
    return live;
  }

  private async livePage(
    runId: string,
    start: PlanPosition,
    lastVerdictIndex: number,
    limit: number,
    only: number | undefined,
  ): Promise<PlanPage> {
    const keys = planKeys(this.prefix, runId);

    // One entry more than asked, to know whether a next page exists.
    const found: PlanPosition[] = [];
    for (let v = start.verdictIndex; v <= lastVerdictIndex && found.length <= limit; v++) {
      const after = v === start.verdictIndex ? start.afterKey : null;
      const userKeys = await this.redis.zrangebylex(
        keys.byVerdict[v]!,
        after === null ? '-' : `(${after}`,
        '+',
        'LIMIT',
        0,
        limit + 1 - found.length,
      );
      for (const key of userKeys) found.push({ verdictIndex: v, afterKey: key });
    }
    const pageEntries = found.slice(0, limit);
    const last = pageEntries.at(-1);
    const nextCursor = found.length > limit && last ? encodePlanCursor(last) : null;
    return { lines: await this.linesFor(runId, pageEntries, only), nextCursor };
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

  async summary(runId: string): Promise<PlanSummary> {
    return parsePlanSummary(await this.redis.hgetall(runKeys(this.prefix, runId).counters));
  }

  /**
   * Removes the plan's lines (retention). The counters stay with the run record, so the run
   * keeps its summary after its plan is gone.
   */
  async delete(runId: string): Promise<number> {
    const keys = planKeys(this.prefix, runId);
    this.dictionary.forget(runId);
    // UNLINK frees a million-line hash in the background instead of blocking Redis.
    return this.redis.unlink(keys.lines, ...keys.byVerdict, keys.chunks, keys.chunkIndex, keys.dictionary);
  }

  private async compactPage(
    runId: string,
    start: PlanPosition,
    lastVerdictIndex: number,
    limit: number,
    hints: Pick<PlanPageOptions, 'storedTextFilter' | 'parsedLineFilter'> = {},
  ): Promise<PlanPage> {
    // One line more than asked, to know whether a next page exists.
    const found: Array<{ verdictIndex: number; key: string; stored: string }> = [];
    for (let v = start.verdictIndex; v <= lastVerdictIndex && found.length <= limit; v++) {
      const after = v === start.verdictIndex ? start.afterKey : null;
      const lines = await readCompactLines(
        this.redis,
        this.prefix,
        runId,
        v,
        after,
        limit + 1 - found.length,
      );
      for (const line of lines) found.push({ verdictIndex: v, ...line });
    }
    const pageLines = found.slice(0, limit);
    const last = pageLines.at(-1);
    // The hints drop lines before the costly part of reading them; the cursor still moves past.
    const { storedTextFilter, parsedLineFilter } = hints;
    const textPassed = storedTextFilter
      ? pageLines.filter((line) => storedTextFilter(line.stored))
      : pageLines;
    const parsed = textPassed.map((line) => ({ key: line.key, encoded: parsePlanLine(line.stored) }));
    return {
      lines: await this.build(
        runId,
        parsedLineFilter ? parsed.filter((line) => parsedLineFilter(line.encoded)) : parsed,
      ),
      nextCursor:
        found.length > limit && last
          ? encodePlanCursor({ verdictIndex: last.verdictIndex, afterKey: last.key })
          : null,
    };
  }

  private async linesFor(
    runId: string,
    entries: PlanPosition[],
    only: number | undefined,
  ): Promise<PlanLine[]> {
    if (entries.length === 0) return [];
    const userKeys = entries.map((e) => e.afterKey!);
    const stored = await this.redis.hmget(planKeys(this.prefix, runId).lines, ...userKeys);
    // Gone (plan deleted) or re-recorded under another verdict since the index was read.
    const found = userKeys.flatMap((key, i) => (stored[i] == null ? [] : [{ key, stored: stored[i]! }]));
    const lines = await this.decode(runId, found);
    return lines.filter((line) => only === undefined || line.verdict === VERDICTS[only]);
  }

  /** Lines as stored → PlanLines, their reason sentences put back from the run's dictionary. */
  private async decode(runId: string, stored: Array<{ key: string; stored: string }>): Promise<PlanLine[]> {
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

function assertRunId(runId: string): void {
  if (!RUN_ID_PATTERN.test(runId)) throw new Error(`invalid run id: ${JSON.stringify(runId)}`);
}
