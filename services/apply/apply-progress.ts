import type { UserSnapshot } from '../actions/types.js';
import { LuaScript } from '../runs/lua-script.js';
import { ACTION_BEFORE_TTL_SECONDS, SCRATCH_TTL_SECONDS, runScratchKeys } from '../runs/run-keyspace.js';
import type { RedisClient } from '../../queues/connection.js';

/*
 * The apply stage's bookkeeping in Redis, all idempotent so that retried jobs count once:
 * how many users have actions, which of them are finished, each action's state before its
 * first attempt, and the re-check of each user's chain (the outcomes counted are kept with the
 * run's counters, RunStore.countActionOutcomeOnce). All of it is the run's scratch: removed
 * when the run ends (discardRunScratch), with a TTL on every write as a safety net.
 */

const finishUserScript = new LuaScript(`
local added = redis.call('SADD', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
if added == 0 then return 0 end
local total = tonumber(redis.call('HGET', KEYS[2], 'total') or '-1')
if redis.call('SCARD', KEYS[1]) == total then return 2 end
return 1`);

/** The re-check's outcome as kept: the reason the user was skipped, or null to go on. */
interface KeptRecheck {
  skip: string | null;
}

export class ApplyProgress {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  private keys(runId: string) {
    const keys = runScratchKeys(this.prefix, runId);
    return {
      state: keys.applyState,
      finished: keys.applyFinished,
      before: keys.applyBefore,
      recheck: keys.applyRecheck,
    };
  }

  /** How many users the apply stage works on (set before any of their actions is queued). */
  async setTotal(runId: string, users: number): Promise<void> {
    const key = this.keys(runId).state;
    await this.redis.multi().hset(key, 'total', users).expire(key, SCRATCH_TTL_SECONDS).exec();
  }

  async total(runId: string): Promise<number | null> {
    const value = await this.redis.hget(this.keys(runId).state, 'total');
    return value === null ? null : Number(value);
  }

  /** How many users' chains of actions have ended. */
  async finishedUsers(runId: string): Promise<number> {
    return this.redis.scard(this.keys(runId).finished);
  }

  /** Marks a user's chain of actions finished; true when it was the last one of the run. */
  async finishUser(runId: string, userKey: string): Promise<boolean> {
    const keys = this.keys(runId);
    return (
      (await finishUserScript.run(
        this.redis,
        [keys.finished, keys.state],
        [userKey, SCRATCH_TTL_SECONDS],
      )) === 2
    );
  }

  /** The state before the action's first attempt: kept by the first, returned to every retry. */
  rememberBefore(runId: string, actionId: string, snapshot: UserSnapshot): Promise<UserSnapshot> {
    return this.keepFirst(this.keys(runId).before, actionId, snapshot);
  }

  /** The state kept by {@link rememberBefore}; null when no attempt got as far as reading the user. */
  async rememberedBefore(runId: string, actionId: string): Promise<UserSnapshot | null> {
    const stored = await this.redis.hget(this.keys(runId).before, actionId);
    return stored === null ? null : (JSON.parse(stored) as UserSnapshot);
  }

  /**
   * The re-check of a user's chain, decided by the first attempt that gets that far and kept
   * for every retry: a retry after a partial change must not re-decide (a directory that
   * answers differently now would leave the user half offboarded and reported as skipped).
   * Resolves to the reason the user is skipped, or undefined to go on.
   */
  async recheckOnce(
    runId: string,
    actionId: string,
    decide: () => Promise<string | undefined>,
  ): Promise<string | undefined> {
    const key = this.keys(runId).recheck;
    const stored = await this.redis.hget(key, actionId);
    if (stored !== null) return (JSON.parse(stored) as KeptRecheck).skip ?? undefined;
    const decided: KeptRecheck = { skip: (await decide()) ?? null };
    return (await this.keepFirst(key, actionId, decided)).skip ?? undefined;
  }

  /** Stores the value under `field` unless one is stored already, and returns the one stored. */
  private async keepFirst<T>(key: string, field: string, value: T): Promise<T> {
    const replies = await this.redis
      .multi()
      .hsetnx(key, field, JSON.stringify(value))
      .expire(key, ACTION_BEFORE_TTL_SECONDS)
      .hget(key, field)
      .exec();
    const stored = replies?.[2]?.[1];
    return typeof stored === 'string' ? (JSON.parse(stored) as T) : value;
  }
}
