import type { Reason } from '../policy/types.js';
import { LuaScript } from './lua-script.js';
import { runPlanKeys, runRecordKeys } from './run-keyspace.js';
import type { RedisClient } from '../../queues/connection.js';

/*
 * The reasons of a plan, stored as codes. A reason's sentence (its signal, rule and threshold)
 * depends on the policy and the run — "last login more than 90 days before asOf" — not on the
 * user: a run has a few dozen of them, repeated on a million lines. Each is interned once in
 * the run's dictionary (a hash of the plan, removed with it) and a line carries its number and
 * the user's own value; the sentence is put back when the line is read. The dictionary is
 * append-only, so a process may keep what it has read for good.
 */

/** A reason without the user's own value: what the dictionary holds. */
export type ReasonTemplate = [signal: string, rule: string, threshold?: string];

/** A sentence this dictionary would not take (it is full) is kept in the line itself. */
export const NOT_INTERNED = -1;
/** Bounds a run's dictionary should a rule ever put a user's own data into its sentence. */
const MAX_ENTRIES = 10_000;
const NEXT_FIELD = '#next';
const BY_TEXT = '=';

/**
 * KEYS: dictionary, run record. ARGV: max entries, then templates as JSON. Returns their ids
 * (-1: full). A run that takes no more plan lines (past evaluating, or no record) gets -1 for
 * each and no dictionary written: the plan script refuses its line anyway.
 */
const internScript = new LuaScript(`
local ids = {}
local status = redis.call('HGET', KEYS[2], 'status')
if status ~= 'scanning' and status ~= 'evaluating' then
  for i = 2, #ARGV do ids[#ids + 1] = ${NOT_INTERNED} end
  return ids
end
for i = 2, #ARGV do
  local id = redis.call('HGET', KEYS[1], '${BY_TEXT}' .. ARGV[i])
  if not id then
    if tonumber(redis.call('HGET', KEYS[1], '${NEXT_FIELD}') or '0') >= tonumber(ARGV[1]) then
      id = '${NOT_INTERNED}'
    else
      id = tostring(redis.call('HINCRBY', KEYS[1], '${NEXT_FIELD}', 1) - 1)
      redis.call('HSET', KEYS[1], '${BY_TEXT}' .. ARGV[i], id, id, ARGV[i])
    end
  end
  ids[#ids + 1] = tonumber(id)
end
return ids
`);

export function templateOf(reason: Reason): string {
  const template: ReasonTemplate =
    reason.threshold === undefined
      ? [reason.signal, reason.rule]
      : [reason.signal, reason.rule, reason.threshold];
  return JSON.stringify(template);
}

interface RunEntries {
  byText: Map<string, number>;
  byId: Map<number, ReasonTemplate>;
}

/** How many runs' dictionaries a process keeps (a run is read or written a while, then not). */
const CACHED_RUNS = 32;

export class PlanDictionary {
  private readonly runs = new Map<string, RunEntries>();

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  /** The id of each reason's sentence (NOT_INTERNED: keep it in the line), in order. */
  async idsOf(runId: string, reasons: readonly Reason[]): Promise<number[]> {
    const entries = this.entries(runId);
    const texts = reasons.map(templateOf);
    const missing = [...new Set(texts.filter((t) => !entries.byText.has(t)))];
    if (missing.length > 0) {
      const ids = (await internScript.run(
        this.redis,
        [runPlanKeys(this.prefix, runId).dictionary, runRecordKeys(this.prefix, runId).record],
        [MAX_ENTRIES, ...missing],
      )) as number[];
      missing.forEach((text, i) => {
        const id = ids[i]!;
        // A full dictionary may take this sentence later in no case: remember the answer.
        entries.byText.set(text, id);
        if (id !== NOT_INTERNED) entries.byId.set(id, JSON.parse(text) as ReasonTemplate);
      });
    }
    return texts.map((t) => entries.byText.get(t)!);
  }

  /** Looks up every id not yet known to this process; then `template` answers them. */
  async load(runId: string, ids: Iterable<number>): Promise<void> {
    const entries = this.entries(runId);
    const missing = [...new Set(ids)].filter((id) => !entries.byId.has(id));
    if (missing.length === 0) return;
    const texts = await this.redis.hmget(runPlanKeys(this.prefix, runId).dictionary, ...missing.map(String));
    missing.forEach((id, i) => {
      const text = texts[i];
      if (text != null) entries.byId.set(id, JSON.parse(text) as ReasonTemplate);
    });
  }

  /** @throws when the id was not loaded: a line names a sentence its plan does not hold. */
  template(runId: string, id: number): ReasonTemplate {
    const template = this.entries(runId).byId.get(id);
    if (!template) throw new Error(`plan of run ${runId}: reason ${id} is not in its dictionary`);
    return template;
  }

  /** The run's plan was removed: what this process remembers of it goes too. */
  forget(runId: string): void {
    this.runs.delete(runId);
  }

  private entries(runId: string): RunEntries {
    let entries = this.runs.get(runId);
    if (!entries) {
      entries = { byText: new Map(), byId: new Map() };
      this.runs.set(runId, entries);
      if (this.runs.size > CACHED_RUNS) this.runs.delete(this.runs.keys().next().value!);
    }
    return entries;
  }
}
