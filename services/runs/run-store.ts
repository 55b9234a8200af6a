import { crossSlotPipeline, type RedisClient } from '../../queues/connection.js';
import type { RecordsDb } from '../records/records-db.js';
import { canonicalJson, sha256Hex } from './canonical-json.js';
import { RUN_ID_PATTERN, runIndexKey, runKeys, runSequenceKey } from './keys.js';
import { newRunId } from './run-id.js';
import { SCRATCH_TTL_SECONDS, discardRunScratch, runScratchKeys } from './run-keyspace.js';
import { COUNTER_FIELDS, OUTCOME_FIELDS, parseRunCounters } from './run-counters.js';
import { RunRecords, type CounterName, type StatusPatch } from './run-records.js';
import {
  NOT_LIVE,
  addRunNoteScript,
  bumpRunCounterOnceScript,
  bumpRunCounterScript,
  createRunScript,
  dropSealedRunScript,
  indexRunScript,
  UNINDEXED_RECORD_TTL_SECONDS,
  sealRunScript,
  setRunFieldScript,
  transitionScript,
} from './run-scripts.js';
import { canTransition, isFinal, timestampFieldFor } from './run-status.js';
import {
  RUN_STATUSES,
  type ActionOutcome,
  type CreateRunInput,
  type DirectoryStatus,
  type JiraFacts,
  type ListRunsOptions,
  type Run,
  type RunStatus,
} from './types.js';

/*
 * Runs: RedisClient keeps the work in flight, the records store (PostgreSQL) keeps what must last.
 *
 * While a run is in flight its truth is in Redis: a hash (its fixed part as one JSON field, the
 * changing parts as fields of their own), a counters hash that workers bump with HINCRBY, a
 * list of notes, and an entry in a sorted set of the runs in flight. The records store has a
 * row for it from its creation on, kept current at each status change, for listing.
 *
 * Once the run is over (done, failed, cancelled) it is moved: the Redis record is sealed and
 * read in one step, written whole to the records store, and its Redis keys and index entry
 * removed. The lifecycle moves a run right after its final transition; a move cut short (a
 * crash in between) is completed by whoever next reads the run — a get, a list, the sweeper's
 * listUnfinished — and doing it twice writes it once. Every write that arrives after the seal
 * (a note from an undo, a late action's outcome, retention's marks) goes to the records store.
 *
 * A row in flight whose Redis record is gone (Redis lost it) is the run's best record: it is
 * listed as unfinished, and its status changes are made on the row, so the sweeper can end it.
 */

/** The part of a run fixed at creation, stored as one JSON field. */
type RunDoc = Pick<Run, 'id' | 'mode' | 'trigger' | 'asOf' | 'only' | 'policy' | 'policyHash'>;

const FINAL_STATUSES = RUN_STATUSES.filter((s) => isFinal(s));
const NON_FINAL_STATUSES = RUN_STATUSES.filter((s) => !isFinal(s));
const MAX_ID_ATTEMPTS = 5;
const LIST_BATCH = 1000;

export interface RunStoreOptions {
  /**
   * A write to the records store that a later step makes again failed (it is unreachable): a
   * status change that reached Redis but not the run's row (the row catches up at the next
   * change or at the move), or a reader's move of a run that is over (the next reader, or the
   * sweeper, moves it). The run reads as Redis has it meanwhile.
   */
  onRecordsError?(runId: string, error: unknown): void;
}

export class RunStore {
  private readonly rows: RunRecords;
  /** Moves under way in this process, so concurrent readers of one run wait for one move. */
  private readonly moving = new Map<string, Promise<Run | null>>();

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    records: RecordsDb,
    private readonly options: RunStoreOptions = {},
  ) {
    this.rows = new RunRecords(records);
  }

  async create(input: CreateRunInput): Promise<Run> {
    const now = new Date();
    for (let attempt = 0; attempt < MAX_ID_ATTEMPTS; attempt++) {
      const id = newRunId(now);
      const doc: RunDoc = {
        id,
        mode: input.mode,
        trigger: input.trigger,
        asOf: (input.asOf ?? now).toISOString(),
        ...(input.only ? { only: input.only } : {}),
        policy: input.policy,
        policyHash: sha256Hex(canonicalJson(input.policy)),
      };
      const keys = runKeys(this.prefix, id);
      // Redis first: a run whose row could not be written is still in flight there, and the
      // sweeper ends it (and its move writes the row); a row without a run could never end.
      // The record, then its index entry (another slot on Redis Cluster), then the record is
      // made to last: a creator that dies in between leaves a record that expires.
      const created = await createRunScript.run(
        this.redis,
        [keys.record],
        [
          JSON.stringify(doc),
          'scanning' satisfies RunStatus,
          now.toISOString(),
          UNINDEXED_RECORD_TTL_SECONDS,
        ],
      );
      if (created === 1) {
        await indexRunScript.run(this.redis, [runIndexKey(this.prefix), runSequenceKey(this.prefix)], [id]);
        await this.redis.persist(keys.record);
        const [run] = await this.loadLive([id]);
        if (run) {
          await this.rows.insert(run);
          return run;
        }
      }
    }
    throw new Error(`could not draw a free run id in ${MAX_ID_ATTEMPTS} attempts`);
  }

  /** The run: from Redis while it is in flight, else from the records store. */
  async get(id: string): Promise<Run | null> {
    if (!RUN_ID_PATTERN.test(id)) return null;
    const [live] = await this.loadLive([id]);
    if (live) return isFinal(live.status) ? this.settleWhileReading(id, live) : live;
    return (await this.rows.get(id))?.run ?? null;
  }

  /** Newest first, from the records store; a run in flight as Redis has it now. */
  async list(options: ListRunsOptions): Promise<Run[]> {
    const limit = Math.max(0, Math.floor(options.limit));
    if (limit === 0) return [];
    if (options.before !== undefined && !RUN_ID_PATTERN.test(options.before)) return [];
    const page = await this.rows.page(limit, options.before);
    const inFlight = page.filter((row) => !row.archived).map((row) => row.run.id);
    const live = new Map<string, Run>();
    const gone: string[] = [];
    const loaded = await this.loadLive(inFlight);
    for (const [i, id] of inFlight.entries()) {
      const run = loaded[i];
      if (!run) gone.push(id);
      else live.set(id, isFinal(run.status) ? await this.settleWhileReading(id, run) : run);
    }
    // Moved between the two reads (or lost by Redis): the row as it is now.
    const reread = await this.rows.getMany(gone);
    return page.map((row) => live.get(row.run.id) ?? reread.get(row.run.id)?.run ?? row.run);
  }

  /**
   * Every run not yet over (done, failed, cancelled), oldest first: what the sweeper looks at.
   * A run over but still in Redis (its move cut short) is moved on the way.
   */
  async listUnfinished(): Promise<Run[]> {
    // The rows first: a run moved after this read is then missing from the index below.
    const rows = await this.rows.inFlight();
    const ids = await this.redis.zrange(runIndexKey(this.prefix), '0', '-1');
    const unfinished: string[] = [];
    for (let start = 0; start < ids.length; start += LIST_BATCH) {
      const batch = ids.slice(start, start + LIST_BATCH);
      const pipeline = crossSlotPipeline(this.redis);
      for (const id of batch) pipeline.hget(runKeys(this.prefix, id).record, 'status');
      const statuses = (await pipeline.exec()) ?? [];
      for (const [i, id] of batch.entries()) {
        const [error, reply] = statuses[i] ?? [new Error('no reply')];
        const status = reply as RunStatus | null;
        if (status && NON_FINAL_STATUSES.includes(status)) unfinished.push(id);
        else if (status) await this.settleWhileReading(id, null);
        // An entry without a record: its run's keys went and a crash kept the entry (the
        // record is always written before its entry, so this is never a run being created).
        else if (!error) await this.redis.zrem(runIndexKey(this.prefix), id);
      }
    }
    const runs = (await this.loadLive(unfinished)).filter((run): run is Run => run !== null);
    // Rows in flight that Redis has no run for: read again, as a move may have ended since.
    const indexed = new Set(ids);
    const orphans = rows.filter((row) => !indexed.has(row.run.id)).map((row) => row.run.id);
    if (orphans.length > 0) {
      for (const row of await this.rows.inFlight(orphans)) {
        if (!isFinal(row.run.status)) runs.push(row.run);
      }
    }
    return runs
      .filter((run) => !isFinal(run.status))
      .sort((a, b) => (a.createdAt === b.createdAt ? cmp(a.id, b.id) : cmp(a.createdAt, b.createdAt)));
  }

  /**
   * Moves the run to `to` if it is in one of `from` and the status machine allows it; atomic,
   * so among concurrent callers exactly one gets `true`. An illegal move is refused (`false`).
   * The storage primitive: production code changes a run's status through RunLifecycle, which
   * also moves a run that is over to the records store ({@link archive}).
   */
  async transition(id: string, from: readonly RunStatus[], to: RunStatus, reason?: string): Promise<boolean> {
    const allowed = from.filter((status) => canTransition(status, to));
    if (allowed.length === 0 || !RUN_ID_PATTERN.test(id)) return false;
    const now = new Date().toISOString();
    const stamp = timestampFieldFor(to);
    const moved = await transitionScript.run(
      this.redis,
      [runKeys(this.prefix, id).record],
      [to, now, reason ?? '', stamp ?? '', ...allowed],
    );
    const patch: StatusPatch = {
      status: to,
      updatedAt: now,
      ...(reason ? { statusReason: reason } : {}),
      ...(stamp ? { [stamp]: now } : {}),
    };
    if (moved === NOT_LIVE) {
      // Redis has no record of it: a row still in flight is all there is of the run.
      return this.rows.setStatus(id, patch, { fromStatuses: allowed, final: isFinal(to) });
    }
    if (moved !== 1) return false;
    // The final record is written whole by the move; a status in flight updates the mirror.
    if (!isFinal(to)) {
      await this.rows
        .setStatus(id, patch)
        .catch((error: unknown) => this.options.onRecordsError?.(id, error));
    }
    return true;
  }

  /** Any run not yet over becomes cancelled (the lifecycle drops its scratch data). */
  cancel(id: string, reason: string): Promise<boolean> {
    return this.transition(id, NON_FINAL_STATUSES, 'cancelled', reason);
  }

  /** Any run not yet over becomes failed (the lifecycle drops its scratch data). */
  fail(id: string, reason: string): Promise<boolean> {
    return this.transition(id, NON_FINAL_STATUSES, 'failed', reason);
  }

  /**
   * Moves a run that is over from Redis to the records store: the whole record written there,
   * then its Redis keys and index entry removed. Idempotent, and safe beside concurrent writers
   * and movers. Returns the run as the records store has it (null: unknown, or not over).
   */
  async archive(id: string): Promise<Run | null> {
    if (!RUN_ID_PATTERN.test(id)) return null;
    const moved = await this.settle(id);
    return moved ?? (await this.rows.get(id))?.run ?? null;
  }

  /** Removes the run's scratch keys (see run-keyspace.ts): the lifecycle's clean-up. */
  async discardScratch(id: string): Promise<void> {
    if (RUN_ID_PATTERN.test(id)) await discardRunScratch(this.redis, this.prefix, id);
  }

  /** Stamps `startedAt` when the scan begins; a retried scan keeps the first stamp. */
  markStarted(id: string, at: Date = new Date()): Promise<boolean> {
    return this.setField(id, 'setnx', 'startedAt', at.toISOString());
  }

  /** Retention removed the run's plan: stamped once, with a note that says why. */
  async markPlanPruned(
    id: string,
    why: string,
    licencesFreed: Record<string, number>,
    at: Date = new Date(),
  ): Promise<boolean> {
    // The figure first: once planPrunedAt is there, readers stop counting it from the lines.
    await this.setField(id, 'set', 'licencesFreed', licencesFreed);
    if (!(await this.setField(id, 'setnx', 'planPrunedAt', at.toISOString()))) return false;
    await this.addNote(id, `plan pruned ${at.toISOString()} by retention (${why}); the summary is kept`);
    return true;
  }

  setJira(id: string, jira: JiraFacts): Promise<boolean> {
    return this.setField(id, 'set', 'jira', jira);
  }

  setDirectories(id: string, directories: DirectoryStatus[]): Promise<boolean> {
    return this.setField(id, 'set', 'directories', directories);
  }

  async addNote(id: string, note: string): Promise<boolean> {
    if (!RUN_ID_PATTERN.test(id)) return false;
    const keys = runKeys(this.prefix, id);
    const now = new Date().toISOString();
    const added = await addRunNoteScript.run(this.redis, [keys.record, keys.notes], [note, now]);
    if (added !== NOT_LIVE) return added === 1;
    await this.settle(id);
    return this.rows.addNote(id, note, now);
  }

  async addScanned(id: string, users: number): Promise<void> {
    await this.bump(id, COUNTER_FIELDS.scanned, 'scanned', users);
  }

  async addJiraRequests(id: string, requests: number): Promise<void> {
    await this.bump(id, COUNTER_FIELDS.jiraRequests, 'jiraRequests', requests);
  }

  async countActionOutcome(id: string, outcome: ActionOutcome, actions = 1): Promise<void> {
    await this.bump(id, OUTCOME_FIELDS[outcome], OUTCOME_FIELDS[outcome] as CounterName, actions);
  }

  /**
   * Counts an action's outcome the first time it is asked for that action, however often its
   * job is retried — marking it counted and counting it in one step, so a worker killed in
   * between leaves neither. True when this call counted it.
   */
  async countActionOutcomeOnce(id: string, actionId: string, outcome: ActionOutcome): Promise<boolean> {
    if (!RUN_ID_PATTERN.test(id)) return false;
    const keys = runKeys(this.prefix, id);
    const counted = runScratchKeys(this.prefix, id).applyCounted;
    const field = OUTCOME_FIELDS[outcome];
    const bumped = await bumpRunCounterOnceScript.run(
      this.redis,
      [keys.record, keys.counters, counted],
      [field, 1, actionId, SCRATCH_TTL_SECONDS],
    );
    if (bumped !== NOT_LIVE) return bumped === 1;
    // The run is over (its scratch is gone with it): a late step counts on the final record.
    await this.settle(id);
    await this.rows.addToCounter(id, field as CounterName, 1);
    return true;
  }

  /** Removes the whole run, from Redis and from the records store; the plan has its own delete. */
  async delete(id: string): Promise<void> {
    const keys = runKeys(this.prefix, id);
    // The run's keys and its index entry are in two slots: the keys first, so that an entry
    // left by a crash in between points at nothing (listUnfinished removes such entries).
    await this.redis.unlink(keys.record, keys.counters, keys.notes);
    await this.redis.zrem(runIndexKey(this.prefix), id);
    await this.rows.delete(id);
  }

  /** HINCRBY while the run is live in Redis; afterwards, on its final record. */
  private async bump(id: string, field: string, counter: CounterName, by: number): Promise<void> {
    if (!RUN_ID_PATTERN.test(id)) return;
    const keys = runKeys(this.prefix, id);
    const bumped = await bumpRunCounterScript.run(this.redis, [keys.record, keys.counters], [field, by]);
    if (bumped !== NOT_LIVE) return;
    await this.settle(id);
    await this.rows.addToCounter(id, counter, by);
  }

  private async setField(
    id: string,
    mode: 'set' | 'setnx',
    field: string,
    value: string | object,
  ): Promise<boolean> {
    if (!RUN_ID_PATTERN.test(id)) return false;
    const now = new Date().toISOString();
    const written = await setRunFieldScript.run(
      this.redis,
      [runKeys(this.prefix, id).record],
      [now, mode, field, typeof value === 'string' ? value : JSON.stringify(value)],
    );
    if (written !== NOT_LIVE) return written === 1;
    await this.settle(id);
    return this.rows.setField(id, mode, field, value, now);
  }

  /**
   * Completes the move of a run that is over and still in Redis (see the top); nothing for a
   * run in flight or not in Redis. Returns the run moved, or null when there was none to move.
   */
  private settle(id: string): Promise<Run | null> {
    let move = this.moving.get(id);
    if (!move) {
      move = this.move(id).finally(() => this.moving.delete(id));
      this.moving.set(id, move);
    }
    return move;
  }

  /** A reader's move: should the records store be unreachable, the run as Redis has it. */
  private async settleWhileReading<T extends Run | null>(id: string, live: T): Promise<Run | T> {
    try {
      const moved = await this.settle(id);
      if (moved || live === null) return moved ?? live;
      // Moved by another process in between: the records store has it now.
      return (await this.rows.get(id))?.run ?? live;
    } catch (error) {
      this.options.onRecordsError?.(id, error);
      return live;
    }
  }

  private async move(id: string): Promise<Run | null> {
    const keys = runKeys(this.prefix, id);
    const sealed = (await sealRunScript.run(
      this.redis,
      [keys.record, keys.counters, keys.notes],
      FINAL_STATUSES,
    )) as [string[], string[], string[]] | null;
    if (!sealed) return null;
    const [record, counters, notes] = sealed;
    const run = toRun(pairs(record), pairs(counters), notes);
    if (!run) return null;
    const wrote = await this.rows.archive(run);
    const dropped = await dropSealedRunScript.run(this.redis, [keys.record, keys.counters, keys.notes], []);
    if (dropped === 1) await this.redis.zrem(runIndexKey(this.prefix), id);
    // Moved by another process first: its row may have taken late writes since.
    return wrote ? run : ((await this.rows.get(id))?.run ?? run);
  }

  /** Runs as Redis has them (null: not in Redis). */
  private async loadLive(ids: string[]): Promise<(Run | null)[]> {
    if (ids.length === 0) return [];
    const pipeline = crossSlotPipeline(this.redis);
    for (const id of ids) {
      const keys = runKeys(this.prefix, id);
      pipeline.hgetall(keys.record).hgetall(keys.counters).lrange(keys.notes, 0, -1);
    }
    const results = (await pipeline.exec()) ?? [];
    return ids.map((_, i) => {
      const [record, counters, notes] = results.slice(i * 3, i * 3 + 3).map(([error, value]) => {
        if (error) throw error;
        return value;
      }) as [Record<string, string>, Record<string, string>, string[]];
      return toRun(record, counters, notes);
    });
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A flat HGETALL reply from Lua → the hash. */
function pairs(flat: string[]): Record<string, string> {
  const hash: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) hash[flat[i]!] = flat[i + 1]!;
  return hash;
}

function toRun(
  record: Record<string, string>,
  counters: Record<string, string>,
  notes: string[],
): Run | null {
  if (record.doc === undefined) return null;
  const doc = JSON.parse(record.doc) as RunDoc;
  return {
    ...doc,
    status: record.status as RunStatus,
    createdAt: record.createdAt!,
    updatedAt: record.updatedAt!,
    ...optional(record, 'startedAt'),
    ...optional(record, 'plannedAt'),
    ...optional(record, 'finishedAt'),
    ...optional(record, 'planPrunedAt'),
    ...optional(record, 'statusReason'),
    notes,
    ...(record.directories ? { directories: JSON.parse(record.directories) as DirectoryStatus[] } : {}),
    ...(record.jira ? { jira: JSON.parse(record.jira) as JiraFacts } : {}),
    ...(record.licencesFreed
      ? { licencesFreed: JSON.parse(record.licencesFreed) as Record<string, number> }
      : {}),
    counters: parseRunCounters(counters),
  };
}

function optional<F extends string>(record: Record<string, string>, field: F): Partial<Record<F, string>> {
  const value = record[field];
  return value === undefined ? {} : ({ [field]: value } as Record<F, string>);
}
