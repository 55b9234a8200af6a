import type { UserWarning } from '../policy/types.js';
import { WARNING_KEEP_DAYS, warningKey } from './keys.js';
import type { RedisClient } from '../../queues/connection.js';

/*
 * The warnings given to users (notify.warnUsersDaysBefore), one per user by key: what the
 * policy reads to keep a warned user through the grace. A lost record is safe: the user is
 * warned again, with a new grace.
 */

interface Stored {
  warnedAt: string;
  graceUntil: string;
  runId: string;
}

export class WarningStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  async get(userKey: string): Promise<UserWarning | null> {
    const text = await this.redis.get(warningKey(this.prefix, userKey));
    if (!text) return null;
    const stored = JSON.parse(text) as Stored;
    return {
      warnedAt: new Date(stored.warnedAt),
      graceUntil: new Date(stored.graceUntil),
      runId: stored.runId,
    };
  }

  /** Records a warning (replacing one that no longer holds); kept WARNING_KEEP_DAYS past its grace. */
  async record(userKey: string, warning: UserWarning): Promise<void> {
    const stored: Stored = {
      warnedAt: warning.warnedAt.toISOString(),
      graceUntil: warning.graceUntil.toISOString(),
      runId: warning.runId,
    };
    const expiresAt = warning.graceUntil.getTime() + WARNING_KEEP_DAYS * 24 * 3600 * 1000;
    const ttl = Math.max(3600, Math.ceil((expiresAt - Date.now()) / 1000));
    await this.redis.set(warningKey(this.prefix, userKey), JSON.stringify(stored), 'EX', ttl);
  }
}
