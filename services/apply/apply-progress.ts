import type { Redis } from 'ioredis';
import type { UserSnapshot } from '../actions/types.js';
import { LuaScript } from '../runs/lua-script.js';
import { ACTION_BEFORE_TTL_SECONDS, SCRATCH_TTL_SECONDS, runScratchKeys } from '../runs/run-keyspace.js';

/*
 * The apply stage's bookkeeping in Redis, all idempotent so that retried jobs count once:
 * how many users have actions, which of them are finished, which action outcomes are counted,
 * and each action's state before its first attempt. All of it is the run's scratch: removed
 * when the run ends (discardRunScratch), with a TTL on every write as a safety net.
 */

const finishUserScript = new LuaScript(`
local added = redis.call('SADD', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
if added == 0 then return 0 end
local total = tonumber(redis.call('HGET', KEYS[2], 'total') or '-1')
if redis.call('SCARD', KEYS[1]) == total then return 2 end
return 1`);

export class ApplyProgress {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private keys(runId: string) {
    const keys = runScratchKeys(this.prefix, runId);
    return {
      state: keys.applyState,
      finished: keys.applyFinished,
      counted: keys.applyCounted,
      before: keys.applyBefore,
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

  /** True the first time an action's outcome is counted, false for a retried job. */
  async countOnce(runId: string, actionId: string): Promise<boolean> {
    const key = this.keys(runId).counted;
    const replies = await this.redis.multi().sadd(key, actionId).expire(key, SCRATCH_TTL_SECONDS).exec();
    const [error, added] = replies?.[0] ?? [new Error('the transaction was discarded'), 0];
    if (error) throw error;
    return added === 1;
  }

  /** The state before the action's first attempt: kept by the first, returned to every retry. */
  async rememberBefore(runId: string, actionId: string, snapshot: UserSnapshot): Promise<UserSnapshot> {
    const key = this.keys(runId).before;
    const replies = await this.redis
      .multi()
      .hsetnx(key, actionId, JSON.stringify(snapshot))
      .expire(key, ACTION_BEFORE_TTL_SECONDS)
      .hget(key, actionId)
      .exec();
    const stored = replies?.[2]?.[1];
    return typeof stored === 'string' ? (JSON.parse(stored) as UserSnapshot) : snapshot;
  }
}
