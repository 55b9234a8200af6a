import type { Redis } from 'ioredis';
import { stateKey } from '../../queues/connection.js';
import type { UserSnapshot } from '../actions/types.js';
import { LuaScript } from '../runs/lua-script.js';

/*
 * The apply stage's bookkeeping in Redis, all idempotent so that retried jobs count once:
 * how many users have actions, which of them are finished, which action outcomes are counted,
 * and each action's state before its first attempt.
 */

const finishUserScript = new LuaScript(`
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
local total = tonumber(redis.call('HGET', KEYS[2], 'total') or '-1')
if redis.call('SCARD', KEYS[1]) == total then return 2 end
return 1`);

export class ApplyProgress {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private keys(runId: string) {
    return {
      state: stateKey(this.prefix, 'run', runId, 'apply'),
      finished: stateKey(this.prefix, 'run', runId, 'apply', 'finished'),
      counted: stateKey(this.prefix, 'run', runId, 'apply', 'counted'),
    };
  }

  /** How many users the apply stage works on (set before any of their actions is queued). */
  async setTotal(runId: string, users: number): Promise<void> {
    await this.redis.hset(this.keys(runId).state, 'total', users);
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
    return (await finishUserScript.run(this.redis, [keys.finished, keys.state], [userKey])) === 2;
  }

  /** True the first time an action's outcome is counted, false for a retried job. */
  async countOnce(runId: string, actionId: string): Promise<boolean> {
    return (await this.redis.sadd(this.keys(runId).counted, actionId)) === 1;
  }

  /** The state before the action's first attempt: kept by the first, returned to every retry. */
  async rememberBefore(actionId: string, snapshot: UserSnapshot): Promise<UserSnapshot> {
    const key = stateKey(this.prefix, 'action', actionId, 'before');
    const replies = await this.redis
      .multi()
      .set(key, JSON.stringify(snapshot), 'EX', 30 * 24 * 3600, 'NX')
      .get(key)
      .exec();
    const stored = replies?.[1]?.[1];
    return typeof stored === 'string' ? (JSON.parse(stored) as UserSnapshot) : snapshot;
  }
}
