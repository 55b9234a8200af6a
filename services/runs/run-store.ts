import type { Redis } from 'ioredis';
import { canonicalJson, sha256Hex } from './canonical-json.js';
import { RUN_ID_PATTERN, runIndexKey, runKeys, runSequenceKey } from './keys.js';
import { newRunId } from './run-id.js';
import { discardRunScratch } from './run-keyspace.js';
import { COUNTER_FIELDS, OUTCOME_FIELDS, parseRunCounters } from './run-counters.js';
import { addRunNoteScript, createRunScript, setRunFieldScript, transitionScript } from './run-scripts.js';
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
 * Runs in Redis. A run is a hash (its fixed part as one JSON field, the changing parts as
 * fields of their own), a counters hash that workers bump with HINCRBY, a list of notes, and
 * an entry in a sorted set of all runs in creation order.
 */

/** The part of a run fixed at creation, stored as one JSON field. */
type RunDoc = Pick<Run, 'id' | 'mode' | 'trigger' | 'asOf' | 'only' | 'policy' | 'policyHash'>;

const NON_FINAL_STATUSES = RUN_STATUSES.filter((s) => !isFinal(s));
const MAX_ID_ATTEMPTS = 5;
const LIST_BATCH = 1000;

export class RunStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

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
      const created = await createRunScript.run(
        this.redis,
        [keys.record, runIndexKey(this.prefix), runSequenceKey(this.prefix)],
        [id, JSON.stringify(doc), 'scanning' satisfies RunStatus, now.toISOString()],
      );
      if (created === 1) {
        const run = await this.get(id);
        if (run) return run;
      }
    }
    throw new Error(`could not draw a free run id in ${MAX_ID_ATTEMPTS} attempts`);
  }

  async get(id: string): Promise<Run | null> {
    if (!RUN_ID_PATTERN.test(id)) return null;
    const [run] = await this.load([id]);
    return run ?? null;
  }

  /** Newest first. */
  async list(options: ListRunsOptions): Promise<Run[]> {
    const limit = Math.max(0, Math.floor(options.limit));
    if (limit === 0) return [];
    const index = runIndexKey(this.prefix);
    let ids: string[];
    if (options.before === undefined) {
      ids = await this.redis.zrevrange(index, 0, limit - 1);
    } else {
      const score = await this.redis.zscore(index, options.before);
      if (score === null) return [];
      ids = await this.redis.zrevrangebyscore(index, `(${score}`, '-inf', 'LIMIT', 0, limit);
    }
    return (await this.load(ids)).filter((run): run is Run => run !== null);
  }

  /** Every run not yet over (done, failed, cancelled), oldest first: what the sweeper looks at. */
  async listUnfinished(): Promise<Run[]> {
    const ids = await this.redis.zrange(runIndexKey(this.prefix), '0', '-1');
    const unfinished: string[] = [];
    for (let start = 0; start < ids.length; start += LIST_BATCH) {
      const batch = ids.slice(start, start + LIST_BATCH);
      const pipeline = this.redis.pipeline();
      for (const id of batch) pipeline.hget(runKeys(this.prefix, id).record, 'status');
      const statuses = (await pipeline.exec()) ?? [];
      batch.forEach((id, i) => {
        const status = statuses[i]?.[1] as RunStatus | null;
        if (status && NON_FINAL_STATUSES.includes(status)) unfinished.push(id);
      });
    }
    return (await this.load(unfinished)).filter((run): run is Run => run !== null);
  }

  /**
   * Moves the run to `to` if it is in one of `from` and the status machine allows it; atomic,
   * so among concurrent callers exactly one gets `true`. An illegal move is refused (`false`).
   * The storage primitive: production code changes a run's status through RunLifecycle.
   */
  async transition(id: string, from: readonly RunStatus[], to: RunStatus, reason?: string): Promise<boolean> {
    const allowed = from.filter((status) => canTransition(status, to));
    if (allowed.length === 0 || !RUN_ID_PATTERN.test(id)) return false;
    const moved = await transitionScript.run(
      this.redis,
      [runKeys(this.prefix, id).record],
      [to, new Date().toISOString(), reason ?? '', timestampFieldFor(to) ?? '', ...allowed],
    );
    return moved === 1;
  }

  /** Any run not yet over becomes cancelled (the lifecycle drops its scratch data). */
  cancel(id: string, reason: string): Promise<boolean> {
    return this.transition(id, NON_FINAL_STATUSES, 'cancelled', reason);
  }

  /** Any run not yet over becomes failed (the lifecycle drops its scratch data). */
  fail(id: string, reason: string): Promise<boolean> {
    return this.transition(id, NON_FINAL_STATUSES, 'failed', reason);
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
    await this.setField(id, 'set', 'licencesFreed', JSON.stringify(licencesFreed));
    if (!(await this.setField(id, 'setnx', 'planPrunedAt', at.toISOString()))) return false;
    await this.addNote(id, `plan pruned ${at.toISOString()} by retention (${why}); the summary is kept`);
    return true;
  }

  setJira(id: string, jira: JiraFacts): Promise<boolean> {
    return this.setField(id, 'set', 'jira', JSON.stringify(jira));
  }

  setDirectories(id: string, directories: DirectoryStatus[]): Promise<boolean> {
    return this.setField(id, 'set', 'directories', JSON.stringify(directories));
  }

  async addNote(id: string, note: string): Promise<boolean> {
    const keys = runKeys(this.prefix, id);
    const added = await addRunNoteScript.run(
      this.redis,
      [keys.record, keys.notes],
      [note, new Date().toISOString()],
    );
    return added === 1;
  }

  async addScanned(id: string, users: number): Promise<void> {
    await this.redis.hincrby(runKeys(this.prefix, id).counters, COUNTER_FIELDS.scanned, users);
  }

  async addJiraRequests(id: string, requests: number): Promise<void> {
    await this.redis.hincrby(runKeys(this.prefix, id).counters, COUNTER_FIELDS.jiraRequests, requests);
  }

  async countActionOutcome(id: string, outcome: ActionOutcome, actions = 1): Promise<void> {
    await this.redis.hincrby(runKeys(this.prefix, id).counters, OUTCOME_FIELDS[outcome], actions);
  }

  /** Removes the run record, counters and notes (retention); the plan has its own delete. */
  async delete(id: string): Promise<void> {
    const keys = runKeys(this.prefix, id);
    await this.redis
      .multi()
      .unlink(keys.record, keys.counters, keys.notes)
      .zrem(runIndexKey(this.prefix), id)
      .exec();
  }

  private async setField(id: string, mode: 'set' | 'setnx', field: string, value: string): Promise<boolean> {
    if (!RUN_ID_PATTERN.test(id)) return false;
    const written = await setRunFieldScript.run(
      this.redis,
      [runKeys(this.prefix, id).record],
      [new Date().toISOString(), mode, field, value],
    );
    return written === 1;
  }

  private async load(ids: string[]): Promise<(Run | null)[]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
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
      return record.doc === undefined ? null : toRun(record, counters, notes);
    });
  }
}

function toRun(record: Record<string, string>, counters: Record<string, string>, notes: string[]): Run {
  const doc = JSON.parse(record.doc!) as RunDoc;
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
